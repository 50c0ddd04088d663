"""Writing scenarios: the resolved scenario as TOML (every default filled in) and as data.

``scenario_to_toml`` is what a run folder's ``scenario.toml`` holds; it loads back to an equal
``Scenario``. ``scenario_to_dict`` is the same content as data, and ``differences`` compares two
scenarios key by key (what a resume checks).
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

from twin.device.drift import process_table
from twin.scenario.schema import Scenario

__all__ = ["differences", "scenario_to_dict", "scenario_to_toml"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_dotted(path: str) -> str:
    return ".".join(_toml_key(part) for part in path.split("."))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} to a scenario file")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise ValueError(f"cannot write {value!r} ({type(value).__name__}) to a scenario file")


def scenario_to_toml(s: Scenario) -> str:
    """The resolved scenario as TOML: every key with its value, defaults filled in.

    ``rounds`` is written as ``"distance"`` when it follows the distance; ``[hot_node]`` only
    when there is one; a drift's ``grid_step`` only when set. Loading the text gives a
    ``Scenario`` equal to ``s``.
    """
    lines = [f"# resolved scenario (source: {s.source})",
             f"name = {_toml_value(s.name)}",
             f"description = {_toml_value(s.description)}"]
    for key in ("seed", "windows", "shots"):
        lines.append(f"{key} = {getattr(s, key)}")
    lines.append(f"rounds = {_toml_value('distance' if s.rounds is None else s.rounds)}")
    for key in ("window_seconds", "code", "distance", "basis", "decoder", "target"):
        lines.append(f"{key} = {_toml_value(getattr(s, key))}")
    lines += ["", "[device]  # overrides of the reference device"]
    for section, values in s.device_overrides.items():
        for key, value in values.items():
            lines.append(f"{_toml_key(section)}.{_toml_key(key)} = {_toml_value(value)}")
    lines += ["", "[controller]", f"name = {_toml_value(s.controller.name)}"]
    for key, value in s.controller.params.items():
        lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    lines += ["", "[knobs]  # initial values"]
    for key, value in s.knobs.items():
        lines.append(f"{_toml_dotted(key)} = {_toml_value(value)}")
    if s.hot_node is not None:
        lines += ["", "[hot_node]", f"qubit = {_toml_value(s.hot_node.qubit)}",
                  f"factor = {_toml_value(s.hot_node.factor)}"]
    for d in s.drifts:
        name, params = process_table(d.process)
        lines += ["", "[[drift]]", f"parameter = {_toml_value(d.parameter)}",
                  f"process = {_toml_value(name)}"]
        if d.grid_step is not None:
            lines.append(f"grid_step = {_toml_value(d.grid_step)}")
        for key, value in params.items():
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    """The resolved scenario as data: exactly what its ``scenario.toml`` reads back as."""
    return tomllib.loads(scenario_to_toml(s))


def _flat(value: Any, prefix: str, out: dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flat(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for i, v in enumerate(value):
            _flat(v, f"{prefix}[{i}]", out)
        out[f"{prefix}[count]"] = len(value)
    else:
        out[prefix] = value
    return out


def differences(a: Mapping[str, Any], b: Mapping[str, Any], *,
                ignore: Sequence[str] = ()) -> list[tuple[str, Any, Any]]:
    """The keys where two resolved scenarios (``scenario_to_dict``) differ.

    Args:
        a: a resolved scenario as data.
        b: another.
        ignore: dotted keys not compared (e.g. ``("windows",)``: a resume may add windows).

    Returns:
        ``(dotted key, value in a, value in b)`` per differing key, sorted by key; a key
        missing on one side has ``None`` there. ``drift[count]`` differs when the number of
        drifts does.

    Example:
        >>> differences({"seed": 1, "drift": [{"sigma": 0.06}]},
        ...             {"seed": 1, "drift": [{"sigma": 0.07}]})
        [('drift[0].sigma', 0.06, 0.07)]
    """
    fa, fb = _flat(a, "", {}), _flat(b, "", {})
    return [(k, fa.get(k), fb.get(k)) for k in sorted(set(fa) | set(fb))
            if k not in ignore and fa.get(k) != fb.get(k)]
