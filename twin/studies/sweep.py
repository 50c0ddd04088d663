"""Sweep files: a TOML grid of QEC tasks → sinter tasks, validated with one-line errors.

A sweep file::

    codes = ["surface"]             # qec.codes.CODES
    distances = [3, 5, 7]           # odd, in [3, 51]
    decoders = ["mwpm"]             # registered decoders (qec.decoders.decoder_names());
                                    # a (code, decoder) pair it cannot decode is skipped
    bases = ["Z"]                   # "Z" and/or "X"
    rounds = 0                      # rounds per shot, <= 1000; 0 = the distance
    max_shots = 100000              # per task, <= 10^12
    max_errors = 200                # per task, <= 10^12

    [noise]
    kind = "uniform"                # see NOISE_KINDS
    p = [0.002, 0.005, 0.01]        # swept physical error rates

Noise kinds (the swept parameter in brackets):

* ``uniform`` [p]: circuit noise with stim's four uniform knobs at p (depolarizing after every
  gate, measurement and reset flips, data depolarizing at the start of each round) plus
  ``erasure`` (a number) placed by ``erasure_per``: ``"gate"`` (default, the device's
  convention: the joint heralded erasure of each two-qubit gate, both qubits, one herald) or
  ``"data-round"`` (the literature's: each data qubit erased with that probability at the start
  of every round, one herald each, e.g. Kubica et al., PRX 13, 041013 (2023));
* ``code-capacity`` [p]: one round, ``channel`` ("bit-flip", "depolarizing", "erasure") on the
  data only, perfect measurements;
* ``phenomenological`` [p]: every round ``channel`` on the data and a measurement flip p;
* ``device`` [scale, or any device parameter]: the reference device (``device`` = a device
  file, optional) with its noise scaled by ``scale = [...]``, or with ``parameter =
  "cavity.g"`` set to each of ``values = [...]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qec.codes import CODES, allowed_distances, code_capacity_experiment, memory_experiment
from qec.decoders import check_decoder, decoder_names, decodes_code, parse_decoder
from qec.noise import NoiseModel, OpNoise, TwoQubitNoise
from qec.stats import logical_rate
from twin.errors import UserError
from twin.limits import MAX_DISTANCE, MAX_ROUNDS, MAX_SWEEP_SHOTS
from twin.toml_file import read_toml
from twin.validation import bad, is_finite_number, nearest, short_repr, unknown_keys

__all__ = ["ERASURE_PER", "NOISE_KINDS", "SweepSpec", "load_sweep", "sweep_rows", "sweep_tasks",
           "uniform_with_erasure"]

NOISE_KINDS = ("uniform", "code-capacity", "phenomenological", "device")
CHANNELS = ("bit-flip", "depolarizing", "erasure")
ERASURE_PER = ("gate", "data-round")
_TOP_KEYS = {"codes", "distances", "decoders", "bases", "rounds", "max_shots", "max_errors",
             "noise"}
_NOISE_KEYS = {
    "uniform": {"kind", "p", "erasure", "erasure_per"},
    "code-capacity": {"kind", "p", "channel"},
    "phenomenological": {"kind", "p", "channel"},
    "device": {"kind", "device", "scale", "parameter", "values"},
}


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep file.

    Attributes:
        source: the file it came from.
        codes, distances, decoders, bases: the grid.
        rounds: rounds per shot (0 = distance).
        max_shots, max_errors: per-task budget.
        noise: the ``[noise]`` table.
        swept: name of the swept parameter (x axis).
        values: its values (floats for p and scale; as written for a device parameter).
    """

    source: str
    codes: tuple[str, ...]
    distances: tuple[int, ...]
    decoders: tuple[str, ...]
    bases: tuple[str, ...]
    rounds: int
    max_shots: int
    max_errors: int
    noise: dict[str, Any]
    swept: str
    values: tuple[Any, ...]


def _err(source: str, key: str, value: Any, allowed: str) -> UserError:
    return UserError(f"{source}: {bad(key, value, allowed)}")


def _list(source: str, key: str, value: Any, kind: type, allowed: str) -> list:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _err(source, key, value, f"must be a non-empty list; {allowed}")
    for item in items:
        ok = isinstance(item, kind) and not isinstance(item, bool)
        if kind is float:
            ok = is_finite_number(item)
        if not ok:
            raise _err(source, key, item, allowed)
    return items


def _unknown(source: str, table: dict, known: set[str], where: str) -> None:
    try:
        unknown_keys(table, sorted(known), where)
    except ValueError as exc:
        raise UserError(f"{source}: {exc}") from None


def _check_parameter(source: str, path: str) -> None:
    """A numeric device parameter path (its values are checked when the tasks are built)."""
    from physics.device import REFERENCE_DEVICE, device_to_dict, parameter_paths

    paths = parameter_paths(REFERENCE_DEVICE)
    if path not in paths:
        raise _err(source, "noise.parameter", path,
                   f"unknown key {short_repr(path)}{nearest(path, paths)}; see `quantacore extract "
                   "--list-parameters`")
    section, key = path.split(".")
    value = device_to_dict(REFERENCE_DEVICE)[section][key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _err(source, "noise.parameter", path,
                   f"not a numeric parameter ({type(value).__name__}); values are numbers")


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file.

    Raises:
        UserError: unreadable file, invalid TOML, unknown key, bad value (one line naming the
            file, the key, the value and what is allowed).
    """
    source = str(path)
    data = read_toml(path, kind="sweep")
    _unknown(source, data, _TOP_KEYS, "")
    codes = _list(source, "codes", data.get("codes", ["surface"]), str,
                  f"must be among {', '.join(CODES)}")
    for c in codes:
        if c not in CODES:
            raise _err(source, "codes", c, f"must be one of {', '.join(CODES)}")
    names = decoder_names()
    decoders = _list(source, "decoders", data.get("decoders", ["mwpm"]), str,
                     f"must be among {', '.join(names)}")
    for d in decoders:
        if parse_decoder(d)[0] not in names:
            raise _err(source, "decoders", d,
                       f"must be one of {', '.join(names)}{nearest(d, names)}")
        try:
            check_decoder(d)
        except ValueError as exc:
            raise _err(source, "decoders", d, str(exc).split(": ", 1)[-1]) from None
    for c in codes:
        if not any(decodes_code(d, c) for d in decoders):
            fits = [n for n in names if decodes_code(n, c)]
            raise _err(source, "codes", c, f"none of the decoders decodes it: add one of "
                                           f"{', '.join(fits)} to decoders")
    distances = _list(source, "distances", data.get("distances", [3, 5]), int,
                      f"distances are odd integers >= 3 and <= {MAX_DISTANCE}")
    fixed = {d for c in codes for d in (allowed_distances(c) or ())}
    for d in distances:
        if not 3 <= d <= MAX_DISTANCE or (d % 2 == 0 and d not in fixed):
            extra = f" (or one of {', '.join(map(str, sorted(fixed)))} for the BB codes)" \
                if fixed else ""
            raise _err(source, "distances", d,
                       f"must be an odd integer >= 3 and <= {MAX_DISTANCE}{extra}")
    bases = _list(source, "bases", data.get("bases", ["Z"]), str, "must be Z or X")
    for b in bases:
        if b not in ("Z", "X"):
            raise _err(source, "bases", b, "must be Z or X")
    ints = {}
    for key, default, low, high in (("rounds", 0, 0, MAX_ROUNDS),
                                    ("max_shots", 10_000, 1, MAX_SWEEP_SHOTS),
                                    ("max_errors", 100, 1, MAX_SWEEP_SHOTS)):
        v = data.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            raise _err(source, key, v, f"must be an integer >= {low} and <= {high}")
        ints[key] = v
    noise = data.get("noise", {"kind": "uniform", "p": [0.001]})
    if not isinstance(noise, dict):
        raise _err(source, "noise", noise, "must be a table ([noise])")
    kind = noise.get("kind", "uniform")
    if kind not in NOISE_KINDS:
        raise _err(source, "noise.kind", kind, f"must be one of {', '.join(NOISE_KINDS)}")
    _unknown(source, noise, _NOISE_KEYS[kind], "noise.")
    if kind == "device":
        if ("scale" in noise) == ("parameter" in noise):
            raise UserError(f"{source}: [noise] kind = 'device' needs exactly one of "
                            "scale = [...] or parameter = '...' with values = [...]")
        if "scale" in noise:
            swept = "scale"
            values = _list(source, "noise.scale", noise["scale"], float,
                           "must be finite numbers >= 0")
            for v in values:
                if v < 0:
                    raise _err(source, "noise.scale", v, "must be a finite number >= 0")
        else:
            swept = noise["parameter"]
            if not isinstance(swept, str):
                raise _err(source, "noise.parameter", swept, "must be a dotted device path")
            _check_parameter(source, swept)
            if "values" not in noise:
                raise UserError(f"{source}: noise.values is missing: list the values of "
                                f"{swept}")
            values = _list(source, "noise.values", noise["values"], float,
                           "must be finite numbers")
        if "device" in noise:
            if not isinstance(noise["device"], str):
                raise _err(source, "noise.device", noise["device"], "must be a file path")
            from twin.device.load import load_device

            try:
                load_device(noise["device"])
            except UserError as exc:
                raise UserError(f"{source}: noise.device: {exc}") from None
    else:
        swept = "p"
        values = _list(source, "noise.p", noise.get("p", [0.001]), float,
                       "must be probabilities in [0, 1]")
        for v in values:
            if not 0 <= v <= 1:
                raise _err(source, "noise.p", v, "must be in [0, 1]")
        if kind == "uniform":
            e = noise.get("erasure", 0.0)
            if isinstance(e, bool) or not isinstance(e, int | float) or not 0 <= e <= 1:
                raise _err(source, "noise.erasure", e, "must be a probability in [0, 1]")
            per = noise.get("erasure_per", "gate")
            if per not in ERASURE_PER:
                raise _err(source, "noise.erasure_per", per,
                           f"must be one of {', '.join(ERASURE_PER)}")
        else:
            ch = noise.get("channel", "bit-flip")
            if ch not in CHANNELS:
                raise _err(source, "noise.channel", ch, f"must be one of {', '.join(CHANNELS)}")
    return SweepSpec(source, tuple(codes), tuple(distances), tuple(decoders), tuple(bases),
                     ints["rounds"], ints["max_shots"], ints["max_errors"], dict(noise), swept,
                     tuple(float(v) if swept in ("p", "scale") else v for v in values))


def uniform_with_erasure(p: float, erasure: float, per: str = "gate"
                         ) -> tuple[NoiseModel, OpNoise]:
    """Uniform circuit noise (stim's four knobs) at p plus heralded erasure, either convention.

    Args:
        p: depolarizing / flip probability of every operation and of the data each round.
        erasure: heralded erasure probability, in [0, 1].
        per: ``"gate"`` (joint erasure of the pair of each two-qubit gate, one herald: the
            device's convention) or ``"data-round"`` (each data qubit at the start of every
            round, one herald each: the literature's convention).

    Returns:
        ``(model, data_noise)`` for ``NoiseModel.noisy_circuit`` and ``memory_experiment``.

    Example:
        >>> m, dn = uniform_with_erasure(0.001, 0.05, "data-round")
        >>> (m.gate_2q.erasure, dn.erasure)
        (0.0, 0.05)
    """
    if per not in ERASURE_PER:
        raise ValueError(f"erasure_per = {per!r}: must be one of {', '.join(ERASURE_PER)}")
    model = NoiseModel.uniform_depolarizing(p)
    data_noise = OpNoise.depolarizing(p)
    if erasure and per == "gate":
        model = model.with_(gate_2q=TwoQubitNoise(model.gate_2q.probs, erasure))
    elif erasure:
        data_noise = OpNoise(data_noise.px, data_noise.py, data_noise.pz, erasure=erasure)
    return model, data_noise


def _channel(name: str, p: float) -> OpNoise:
    if name == "bit-flip":
        return OpNoise(px=p)
    if name == "depolarizing":
        return OpNoise.depolarizing(p)
    return OpNoise(erasure=p)


def sweep_tasks(spec: SweepSpec) -> list:
    """The sinter tasks of a sweep.

    Each task's metadata holds code, distance, rounds, basis, decoder, noise kind and the swept
    parameter's name and value.

    Raises:
        UserError: if the device file or parameter of a ``device`` sweep is invalid.
    """
    from qec.montecarlo import make_task

    kind = spec.noise.get("kind", "uniform")
    tasks = []
    device_noise = {}
    if kind == "device":
        device_noise = _device_points(spec)
    for value in spec.values:
        for code in spec.codes:
            allowed = allowed_distances(code)
            for d in spec.distances:
                if (d not in allowed) if allowed is not None else d % 2 == 0:
                    continue  # another code's distance (a BB instance, or an odd one)
                rounds = 1 if kind == "code-capacity" else (spec.rounds or d)
                for basis in spec.bases:
                    circuit = _circuit(spec, kind, code, d, rounds, basis, value, device_noise)
                    for dec in spec.decoders:
                        if not decodes_code(dec, code):
                            continue  # e.g. chromobius on a surface code: not a task
                        md = {"code": code, "distance": d, "rounds": rounds, "basis": basis,
                              "decoder": dec, "noise": kind, "swept": spec.swept,
                              "value": value}
                        if kind == "uniform":
                            md["erasure"] = float(spec.noise.get("erasure", 0.0))
                            per = spec.noise.get("erasure_per", "gate")
                            if per != "gate":  # the default keeps earlier sweeps' task ids
                                md["erasure_per"] = per
                        elif kind != "device":
                            md["channel"] = spec.noise.get("channel", "bit-flip")
                        tasks.append(make_task(circuit, decoder=dec, json_metadata=md,
                                               decompose=allowed is None))
    return tasks


def _circuit(spec, kind, code, d, rounds, basis, value, device_noise):
    if kind == "uniform":
        model, data_noise = uniform_with_erasure(
            value, float(spec.noise.get("erasure", 0.0)), spec.noise.get("erasure_per", "gate"))
        exp = memory_experiment(code, distance=d, rounds=rounds, basis=basis,
                                data_noise=data_noise)
        return model.noisy_circuit(exp.circuit, local_pairs=exp.local_pairs)
    if kind == "code-capacity":
        ch = _channel(spec.noise.get("channel", "bit-flip"), value)
        return code_capacity_experiment(code, distance=d, data_noise=ch, basis=basis).circuit
    if kind == "phenomenological":
        ch = _channel(spec.noise.get("channel", "bit-flip"), value)
        exp = memory_experiment(code, distance=d, rounds=rounds, basis=basis, data_noise=ch)
        return NoiseModel(measure=OpNoise(px=value)).noisy_circuit(exp.circuit)
    model, data_noise = device_noise[(value, code)]
    exp = memory_experiment(code, distance=d, rounds=rounds, basis=basis, data_noise=data_noise)
    return model.noisy_circuit(exp.circuit, local_pairs=exp.local_pairs)


def _device_points(spec: SweepSpec) -> dict:
    from physics.device import with_overrides
    from physics.operations import extract_operations
    from twin.device.load import load_device
    from twin.device.noise_map import code_noise

    base = load_device(spec.noise.get("device"))
    out = {}
    if spec.swept == "scale":
        ext = _extract(extract_operations, base, spec.source)
        for value in spec.values:
            for code in spec.codes:
                model, dn = code_noise(ext, code)
                out[(value, code)] = (model.scaled(value),
                                      dn.scaled(value) if dn is not None else None)
        return out
    for value in spec.values:
        try:
            device = with_overrides(base, {spec.swept: value})
        except ValueError as exc:
            raise UserError(f"{spec.source}: noise.parameter: {exc}") from None
        ext = _extract(extract_operations, device, spec.source)
        for code in spec.codes:
            out[(value, code)] = code_noise(ext, code)
    return out


def _extract(fn, device, source):
    try:
        return fn(device)
    except ValueError as exc:
        raise UserError(f"{source}: {exc}") from None


def sweep_rows(stats) -> list[dict]:
    """JSON-ready rows (one per task) from sinter stats of sweep tasks."""
    rows = []
    for st in stats:
        md = dict(st.json_metadata)
        rate = logical_rate(shots=st.shots, errors=st.errors, rounds=md["rounds"])
        rows.append({**md, "shots": rate.shots, "errors": rate.errors,
                     "ler_per_shot": rate.per_shot, "ler_per_round": rate.per_round,
                     "ler_ci": list(rate.per_round_ci)})
    rows.sort(key=lambda r: (r["code"], r["decoder"], r["basis"], r["distance"],
                             str(r["value"])))
    return rows
