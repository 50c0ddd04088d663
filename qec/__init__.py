"""QEC layer: stim circuits carrying the extracted noise, codes, decoders, sinter estimation.

Imports numpy, scipy, stim, pymatching, sinter and ldpc only; never ``physics``, ``control``
or ``twin`` (see DESIGN.md, layering).
"""

__all__: list[str] = []
