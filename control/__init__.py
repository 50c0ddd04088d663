"""Control layer: the controller protocol, estimators, predictors and policies.

Imports numpy, scipy, scikit-learn and ``qec``; never ``physics`` or ``twin``. A controller sees
syndromes, heralds and its own knobs only (``control.protocol``).
"""

from control.protocol import (
    Action,
    Calibrate,
    Controller,
    KnobSpec,
    SetDecoder,
    SetDecoderPriors,
    SetDistance,
    SetKnobs,
    SyndromeWindow,
    describe,
)

__all__ = [
    "Action",
    "Calibrate",
    "Controller",
    "KnobSpec",
    "SetDecoder",
    "SetDecoderPriors",
    "SetDistance",
    "SetKnobs",
    "SyndromeWindow",
    "describe",
]
