"""Control layer: the controller protocol, estimators, predictors and the ``ai`` controller.

Imports numpy, scipy, scikit-learn, stim and ``qec``; never ``physics`` or ``twin``. A
controller sees syndromes, heralds and its own knobs only (``control.protocol``).

Modules, one concern each:

* ``protocol``: ``SyndromeWindow``, ``KnobSpec``, the actions and the ``Controller`` protocol;
* ``estimators``: bit-packed pair statistics → edge probabilities, shrinkage, re-weighted DEMs;
* ``predictors``: Kalman local-linear trend, gradient-boosted predictor, CUSUM, persistence;
* ``ai``: the shipped controller.

Example:
    >>> knob = KnobSpec("laser.delay", 0.05, 0.6, 0.2, "µs")
    >>> knob.clip(0.9), describe(SetKnobs({"laser.delay": 0.3}))
    (0.6, 'knobs(laser.delay=0.3)')
"""

from control.ai import AIController
from control.estimators import (
    EdgeModel,
    Estimate,
    PairCounter,
    boundary_probabilities,
    dem_marginal_truth,
    estimate,
    pair_probabilities,
    reweighted_dem,
)
from control.predictors import Cusum, KalmanTrend, MLPredictor, Persistence, one_step_rmse
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
    "AIController",
    "Action",
    "Calibrate",
    "Controller",
    "Cusum",
    "EdgeModel",
    "Estimate",
    "KalmanTrend",
    "KnobSpec",
    "MLPredictor",
    "PairCounter",
    "Persistence",
    "SetDecoder",
    "SetDecoderPriors",
    "SetDistance",
    "SetKnobs",
    "SyndromeWindow",
    "boundary_probabilities",
    "dem_marginal_truth",
    "describe",
    "estimate",
    "one_step_rmse",
    "pair_probabilities",
    "reweighted_dem",
]
