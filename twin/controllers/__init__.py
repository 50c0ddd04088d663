"""The controllers a scenario can put in the loop, by name: the baselines and the ``ai``.

* ``none``, ``periodic``, ``oracle``: the baselines (``twin.controllers.baselines``); the
  ``oracle`` is privileged (it sees the hidden truth), ``periodic`` is served the truth by its
  ``Calibrate`` action;
* ``ai``: ``control.ai.AIController``, which sees only syndromes and heralds.

``CONTROLLER_PARAMS`` is the schema of each controller's ``[controller]`` table;
``make_controller`` builds one. A controller of one's own is passed to
``twin.loop.DigitalTwin`` as an object instead (``control.protocol.Controller``).

Example:
    >>> make_controller("periodic", {"every": 5}).every
    5
    >>> check_controller_params("oracle", {"lag": -1})
    Traceback (most recent call last):
    ...
    ValueError: controller.lag = -1: must be an integer >= 0 (windows its knobs lag ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twin.controllers.baselines import (
    Insight,
    NoController,
    OracleController,
    PeriodicController,
)
from twin.validation import bad, is_int, nearest, unknown_keys

__all__ = [
    "AI_PARAMS",
    "CONTROLLERS",
    "CONTROLLER_PARAMS",
    "Insight",
    "NoController",
    "OracleController",
    "PeriodicController",
    "check_controller_params",
    "make_controller",
]

CONTROLLER_PARAMS: dict[str, dict[str, tuple[int, int, str]] | None] = {
    "none": {},
    "periodic": {
        "every": (10, 1, "windows from one calibration to the next"),
        "calibration_windows": (1, 1, "windows each calibration halts QEC for"),
    },
    "oracle": {
        "lag": (0, 0, "windows its knobs lag the truth (1: the best any causal controller can "
                      "do, knowing the truth of the window before)"),
    },
    "ai": None,
}
"""Parameters of each controller: name -> (default, minimum, description), all integers.

``None`` means the controller takes any table (validated by the controller itself).
"""

CONTROLLERS: tuple[str, ...] = tuple(CONTROLLER_PARAMS)
"""Controller names a scenario accepts."""

AI_PARAMS: tuple[str, ...] = (
    "knobs", "track", "priors_threshold", "pseudo_count", "forgetting", "cusum_k", "cusum_h",
    "scale_budget", "latency_budget_us", "max_distance", "quiet_windows", "dither", "probe",
    "lost_factor")
"""Keyword options of ``control.ai.AIController`` a scenario's ``[controller]`` may set."""


def check_controller_params(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The controller's parameters validated, defaults filled in.

    Args:
        name: one of ``CONTROLLERS``.
        params: the ``[controller]`` table without ``name``.

    Returns:
        The parameters (the ``ai``'s are passed through: it validates its own).

    Raises:
        ValueError: an unknown controller, an unknown key or an invalid value (naming it).
    """
    if name not in CONTROLLERS:
        raise bad("controller.name", name,
                  f"must be one of {', '.join(CONTROLLERS)}{nearest(name, CONTROLLERS)}")
    schema = CONTROLLER_PARAMS[name]
    out = dict(params)
    if schema is None:
        return out
    unknown_keys(out, ["name", *schema], "controller.")
    for key, (default, low, what) in schema.items():
        v = out.get(key, default)
        if not is_int(v) or v < low:
            raise bad(f"controller.{key}", v, f"must be an integer >= {low} ({what}) for "
                      f"controller '{name}'")
        out[key] = v
    return out


def make_controller(name: str, params: Mapping[str, Any]) -> Any:
    """The controller ``name`` (a baseline, or the ``ai`` controller) with its parameters.

    Raises:
        ValueError: an unknown name, or an unknown / invalid parameter (naming it and the
            allowed ones).
    """
    if name == "ai":
        from control.ai import AIController

        kwargs = {k: v for k, v in params.items() if k != "name"}
        extra = sorted(set(kwargs) - set(AI_PARAMS))
        if extra:
            raise ValueError(f"controller.{extra[0]}: unknown parameter of controller 'ai'; "
                             f"allowed: {', '.join(AI_PARAMS)}")
        if "knobs" in kwargs:
            kwargs["knobs"] = tuple(kwargs["knobs"])
        try:
            return AIController(**kwargs)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"controller 'ai': {exc}") from None
    params = check_controller_params(name, params)
    if name == "none":
        return NoController()
    if name == "periodic":
        return PeriodicController(every=params["every"],
                                  calibration_windows=params["calibration_windows"])
    return OracleController(lag=params["lag"])
