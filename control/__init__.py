"""Control layer: estimators, predictors and policies acting on syndromes and heralds only.

Imports numpy, scipy, scikit-learn and ``qec``; never ``physics`` or ``twin``.
"""

__all__: list[str] = []
