"""Reading scenarios: built-in names and TOML files → a validated ``Scenario``.

Every mistake is one ``UserError`` line naming the file (or built-in scenario), the dotted key,
the value and what is allowed. The format is described in ``twin.scenario``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from twin.device.drift import PROCESSES, make_process, process_params
from twin.errors import UserError, user_errors
from twin.scenario.schema import ControllerSpec, DriftSpec, HotNode, Scenario
from twin.toml_file import read_toml
from twin.validation import bad, nearest, unknown_keys

__all__ = ["builtin_scenarios", "load_scenario", "scenario_from_dict"]

TOP_KEYS = ("name", "description", "seed", "windows", "shots", "rounds", "window_seconds",
            "code", "distance", "basis", "decoder", "target", "device", "controller", "knobs",
            "hot_node", "drift")
"""The keys a scenario file may have at its top level."""
_HOT_NODE_KEYS = ("qubit", "factor")
_DRIFT_KEYS = ("parameter", "process", "grid_step")


def _drift_from_table(i: int, table: Any) -> DriftSpec:
    where = f"drift[{i}]"
    if not isinstance(table, Mapping):
        raise bad(where, table, "must be a table ([[drift]])")
    name = table.get("process")
    if name is None:
        raise ValueError(f"{where}.process is missing: one of {', '.join(PROCESSES)}")
    if name not in PROCESSES:
        raise bad(f"{where}.process", name,
                   f"must be one of {', '.join(PROCESSES)}{nearest(str(name), list(PROCESSES))}")
    if "parameter" not in table:
        raise ValueError(f"{where}.parameter is missing: a device parameter path, e.g. "
                         "laser.detuning_2ph")
    allowed = [*_DRIFT_KEYS, *process_params(name)]
    unknown_keys(table, allowed, f"{where}.")
    params = {k: v for k, v in table.items() if k not in _DRIFT_KEYS}
    try:
        process = make_process(name, params)
    except ValueError as exc:
        msg = str(exc).removeprefix(f"{name}: ")
        first = re.match(r"[A-Za-z_]*", msg).group(0)
        if first and first in process_params(name):
            raise ValueError(f"{where}.{msg}") from None
        raise ValueError(f"{where} ({name}): {msg}") from None
    try:
        return DriftSpec(table["parameter"], process, table.get("grid_step"))
    except ValueError as exc:
        raise ValueError(f"{where}.{exc}") from None


def _get_table(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise bad(key, value, f"must be a table ([{key}])")
    return dict(value)


def _from_dict(data: Mapping[str, Any], default_name: str) -> Scenario:
    if not isinstance(data, Mapping):
        raise ValueError(f"a scenario must be a table of keys, not {type(data).__name__}")
    unknown_keys(data, TOP_KEYS, "")
    ctl = _get_table(data, "controller")
    controller = ControllerSpec(ctl.get("name", "none"),
                                {k: v for k, v in ctl.items() if k != "name"})
    hot_node = None
    if "hot_node" in data:
        hot = _get_table(data, "hot_node")
        unknown_keys(hot, _HOT_NODE_KEYS, "hot_node.")
        hot_node = HotNode(hot.get("qubit", "center"), hot.get("factor", 10.0))
    drift_tables = data.get("drift", [])
    if isinstance(drift_tables, Mapping):
        drift_tables = [drift_tables]
    if not isinstance(drift_tables, list):
        raise bad("drift", drift_tables, "must be an array of tables ([[drift]])")
    drifts = tuple(_drift_from_table(i, t) for i, t in enumerate(drift_tables))
    rounds = data.get("rounds", "distance")
    kwargs = {k: data[k] for k in ("description", "seed", "windows", "shots", "window_seconds",
                                   "code", "distance", "basis", "decoder", "target")
              if k in data}
    return Scenario(
        name=data.get("name", default_name),
        rounds=None if rounds == "distance" else rounds,
        device_overrides=_get_table(data, "device"),
        controller=controller,
        drifts=drifts,
        hot_node=hot_node,
        knobs=_get_table(data, "knobs"),
        **kwargs,
    )


def scenario_from_dict(data: Mapping[str, Any], *, source: str,
                       default_name: str | None = None) -> Scenario:
    """Validate a parsed scenario (the TOML document as a dict).

    Args:
        data: the scenario's keys and tables (see the module docstring).
        source: where it came from, for messages (a file path or a built-in's name).
        default_name: the name when ``data`` has none; default: the stem of ``source``.

    Raises:
        UserError: one line naming ``source``, the key, the value and what is allowed.
    """
    name = default_name if default_name is not None else Path(source).stem or "scenario"
    scenario = user_errors(source, _from_dict, data, name)
    object.__setattr__(scenario, "source", source)
    return scenario


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read a built-in scenario by name (``scenarios/<name>.toml``) or a scenario file.

    An argument that ends in ``.toml``, contains a path separator or names an existing file is a
    path; anything else is a built-in name.

    Raises:
        UserError: unknown built-in name (listing the built-ins), unreadable file, invalid
            TOML, unknown key or invalid value.
    """
    from scenarios import list_scenarios, scenario_path

    text = str(name_or_path)
    path = Path(text)
    is_path = (isinstance(name_or_path, Path) or text.endswith(".toml") or "/" in text
               or "\\" in text or path.is_file())
    if is_path:
        data = read_toml(path, kind="scenario", source=text)
        return scenario_from_dict(data, source=text, default_name=path.stem)
    try:
        path = scenario_path(text)
    except KeyError:
        names = list_scenarios()
        raise UserError(f"unknown scenario '{text}'{nearest(text, names)}: built-in "
                        f"scenarios are {', '.join(names)}; or give a path to a .toml file"
                        ) from None
    source = f"built-in scenario '{text}'"
    data = read_toml(path, kind="scenario", source=source)
    return scenario_from_dict(data, source=source, default_name=text)


def builtin_scenarios() -> list[tuple[str, str]]:
    """``(name, description)`` of every built-in scenario, sorted by name.

    Only the ``description`` key is read, so one broken file does not hide the others (a
    broken file reads as ``"(unreadable: ...)"``); see ``scenarios.describe_scenarios``.
    """
    from scenarios import describe_scenarios

    return describe_scenarios()


