"""Mutated scenario, device and sweep files: a one-line error naming the file, or a valid run.

Each property starts from a valid file of its schema and mutates it (a key set to a value of
the wrong type or out of range, a key removed, an unknown key added, or the whole file replaced
by invalid TOML, random bytes, nothing or non-UTF-8 text). The loader either accepts the file or
raises one ``UserError`` whose single line names the file; through ``twin.cli.main`` the same
file gives exit 2 and exactly one line on stderr, never a traceback. The default run keeps the
example counts small; ``-m slow`` runs many more and also runs the command on accepted files.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin.cli import main
from twin.device.load import load_device
from twin.errors import UserError
from twin.scenario import load_scenario
from twin.studies.sweep import load_sweep

SCENARIO = """\
name = "fuzz"
description = "a valid scenario to mutate"
seed = 3
windows = 4
shots = 200
rounds = 3
window_seconds = 10.0
code = "surface"
distance = 3
basis = "Z"
decoder = "mwpm"
target = 1e-3

[device.cavity]
g = 125.0

[device.link]
length_km = 0.02

[controller]
name = "periodic"
every = 2
calibration_windows = 1

[knobs]
laser.frequency_offset = 0.0
laser.delay = 0.2

[hot_node]
qubit = "center"
factor = 4.0

[[drift]]
parameter = "laser.detuning_2ph"
process = "ou"
grid_step = 0.01
tau = 60.0
sigma = 0.02

[[drift]]
parameter = "link.coupling_efficiency"
process = "ramp"
grid_step = 0.01
rate = -1e-4
start_time = 0.0
stop_time = 100.0
"""

DEVICE = """\
[atom]
decay_rate = 38.1
loss_fraction = 0.5
[laser]
shape = "gaussian"
width = 0.2
detuning_2ph = 0.0
[cavity]
g = 125.0
kappa = 18.85
n_fock = 2
[link]
length_km = 0.01
coupling_efficiency = 0.9
[gate2q]
scheme = "single-photon"
max_attempts = 4
attempt_time = 3.0
[readout]
repetitions = 4
dark_count_probability = 1e-6
[memory]
t1 = 1e6
t2 = 5e4
reset_repetitions = 2
[timing]
layer_time = 15.0
[cat]
alpha_sq = 8.0
kappa2 = 10.0
kappa1 = 1e-3
[gkp]
squeezing_db = 12.0
loss = 0.01
"""

SWEEPS = [
    """\
codes = ["surface"]
distances = [3]
decoders = ["mwpm"]
bases = ["Z"]
rounds = 0
max_shots = 100
max_errors = 10
[noise]
kind = "uniform"
p = [0.01]
erasure = 0.0
""",
    """\
codes = ["repetition"]
distances = [3, 5]
max_shots = 100
[noise]
kind = "code-capacity"
p = [0.05, 0.1]
channel = "depolarizing"
""",
    """\
distances = [3]
max_shots = 100
[noise]
kind = "device"
parameter = "cavity.g"
values = [100.0, 150.0]
""",
    """\
distances = [3]
max_shots = 100
[noise]
kind = "device"
scale = [0.5, 1.0]
""",
]

# --- a small TOML writer (tomllib only reads) ------------------------------------------------
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _string(text: str) -> str:
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _key(k: str) -> str:
    return k if _BARE.match(k) else _string(k)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def to_toml(doc: dict, prefix: str = "") -> str:
    """TOML text of a parsed document (scalars first, then tables, then arrays of tables)."""
    lines = [f"{_key(k)} = {_value(v)}" for k, v in doc.items()
             if not isinstance(v, dict) and not _is_table_array(v)]
    for k, v in doc.items():
        if isinstance(v, dict):
            name = f"{prefix}{_key(k)}"
            lines += ["", f"[{name}]", to_toml(v, name + ".")]
    for k, v in doc.items():
        if _is_table_array(v):
            for item in v:
                lines += ["", f"[[{prefix}{_key(k)}]]"]
                lines += [f"{_key(ik)} = {_value(iv)}" for ik, iv in item.items()]
    return "\n".join(lines) + "\n"


# --- mutations -------------------------------------------------------------------------------
HUGE = [2**63, 2**64, 10**20, 10**400, -(10**400)]
BAD_VALUES = st.one_of(
    st.text(max_size=6),
    st.booleans(),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.sampled_from(["a", "g", "x y"]), st.integers(0, 3), max_size=2),
    st.integers(-10**6, -1),
    st.integers(0, 12),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1e-300, 1e300, 0.5, 2.5, 1e6]),
    st.sampled_from(HUGE),
)
KEY_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                   min_size=1, max_size=12)


def _leaves(doc: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every key (tables included), as tuples of keys / list indices."""
    out = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc)
    for k, v in items:
        out.append((*path, k))
        if isinstance(v, dict) or _is_table_array(v):
            out += _leaves(v, (*path, k))
    return out


def _tables(doc: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every table (array-of-tables items included)."""
    out = [path] if isinstance(doc, dict) else []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc)
    for k, v in items:
        if isinstance(v, dict) or _is_table_array(v):
            out += _tables(v, (*path, k))
    return out


def _get(doc: Any, path: tuple) -> Any:
    for k in path:
        doc = doc[k]
    return doc


@st.composite
def mutated(draw, text: str) -> bytes:
    """A mutation of the TOML document ``text``, as the bytes of a file."""
    doc = tomllib.loads(text)
    kind = draw(st.sampled_from(["set", "set", "set", "delete", "unknown", "raw"]))
    if kind == "set":
        path = draw(st.sampled_from(_leaves(doc)))
        parent = _get(doc, path[:-1])
        parent[path[-1]] = draw(BAD_VALUES)
    elif kind == "delete":
        path = draw(st.sampled_from(_leaves(doc)))
        parent = _get(doc, path[:-1])
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    elif kind == "unknown":
        table = _get(doc, draw(st.sampled_from(_tables(doc))))
        if isinstance(table, dict):
            table[draw(KEY_TEXT)] = draw(BAD_VALUES)
    else:
        how = draw(st.sampled_from(["text", "bytes", "empty", "latin1", "cut", "bom"]))
        if how == "text":
            return draw(st.text(max_size=40)).encode("utf-8", "surrogatepass")
        if how == "bytes":
            return draw(st.binary(max_size=40))
        if how == "empty":
            return b""
        if how == "latin1":
            return ("# café\n" + text).encode("latin-1")
        if how == "bom":
            return b"\xef\xbb\xbf" + text.encode()
        cut = draw(st.integers(0, len(text)))
        return text[:cut].encode()
    return to_toml(doc).encode("utf-8", "surrogatepass")


def _write(tmp_path: Path, data: bytes, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _check_loader(load, path: Path) -> bool:
    """True if ``load(path)`` accepts the file; a refusal must be one line naming the file."""
    try:
        load(path)
    except UserError as exc:
        msg = str(exc)
        assert len(msg.splitlines()) == 1, msg
        assert str(path) in msg, msg
        return False
    return True


def _check_cli(argv: list[str], path: Path, capsys, *, accepted: bool) -> None:
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if accepted and code == 0:
        return
    assert code == 2, (code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(path) in lines[0] and lines[0].startswith(f"quantacore {argv[0]}: error: "), err


_FAST = settings(max_examples=30, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])
_SLOW = settings(max_examples=400, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])


def _run_argv(path: Path, out: Path) -> list[str]:
    return ["run", str(path), "--out", str(out), "--windows", "2", "--shots", "50",
            "--no-report", "--quiet"]


# --- scenario files --------------------------------------------------------------------------
def test_the_seed_files_are_valid(tmp_path):
    """The files every property mutates are valid, and the TOML writer round-trips them."""
    for text, load in [(SCENARIO, load_scenario), (DEVICE, load_device),
                       *[(s, load_sweep) for s in SWEEPS]]:
        assert tomllib.loads(to_toml(tomllib.loads(text))) == tomllib.loads(text)
        path = _write(tmp_path, to_toml(tomllib.loads(text)).encode(), "seed.toml")
        load(path)


@_FAST
@given(data=mutated(SCENARIO))
def test_mutated_scenarios(tmp_path, capsys, data):
    path = _write(tmp_path, data, "scenario.toml")
    if not _check_loader(load_scenario, path):
        _check_cli(_run_argv(path, tmp_path / "out"), path, capsys, accepted=False)


@pytest.mark.slow
@_SLOW
@given(data=mutated(SCENARIO))
def test_mutated_scenarios_many_and_run(tmp_path_factory, capsys, data):
    tmp = tmp_path_factory.mktemp("scen")
    path = _write(tmp, data, "scenario.toml")
    accepted = _check_loader(load_scenario, path)
    _check_cli(_run_argv(path, tmp / "out"), path, capsys, accepted=accepted)


def test_accepted_scenario_mutations_run(tmp_path, capsys):
    """A few valid edge files run end to end (windows overridden to 2, 50 shots)."""
    for i, extra in enumerate(['rounds = "distance"', "seed = 18446744073709551615",
                               "window_seconds = 1e9"]):
        doc = tomllib.loads(SCENARIO)
        doc.update(tomllib.loads(extra))
        path = _write(tmp_path, to_toml(doc).encode(), f"ok{i}.toml")
        assert main(_run_argv(path, tmp_path / f"out{i}")) == 0, capsys.readouterr().err


# --- device files ----------------------------------------------------------------------------
@_FAST
@given(data=mutated(DEVICE))
def test_mutated_device_files(tmp_path, capsys, data):
    path = _write(tmp_path, data, "device.toml")
    if not _check_loader(load_device, path):
        _check_cli(["extract", "--device", str(path)], path, capsys, accepted=False)


@pytest.mark.slow
@_SLOW
@given(data=mutated(DEVICE))
def test_mutated_device_files_many_and_extract(tmp_path_factory, capsys, data):
    tmp = tmp_path_factory.mktemp("dev")
    path = _write(tmp, data, "device.toml")
    accepted = _check_loader(load_device, path)
    _check_cli(["extract", "--device", str(path), "--json"], path, capsys, accepted=accepted)


# --- sweep files -----------------------------------------------------------------------------
@st.composite
def mutated_sweep(draw) -> bytes:
    return draw(mutated(draw(st.sampled_from(SWEEPS))))


@_FAST
@given(data=mutated_sweep())
def test_mutated_sweep_files(tmp_path, capsys, data):
    path = _write(tmp_path, data, "sweep.toml")
    if not _check_loader(load_sweep, path):
        _check_cli(["sweep", str(path), "--save-resume", str(tmp_path / "r.csv"), "--quiet",
                    "--workers", "1"], path, capsys, accepted=False)


@pytest.mark.slow
@_SLOW
@given(data=mutated_sweep())
def test_mutated_sweep_files_many(tmp_path_factory, capsys, data):
    tmp = tmp_path_factory.mktemp("sweep")
    path = _write(tmp, data, "sweep.toml")
    if not _check_loader(load_sweep, path):
        _check_cli(["sweep", str(path), "--save-resume", str(tmp / "r.csv"), "--quiet",
                    "--workers", "1"], path, capsys, accepted=False)


# --- specific gaps found by the properties above -----------------------------------------------
@pytest.mark.parametrize(
    ("load", "text", "fragment"),
    [
        (load_device, b"[cavity]\ng = 1" + b"0" * 400 + b"\n", "cavity.g = 1000"),
        (load_device, "[cavity]\ng = 1.0 # café\n".encode("latin-1"), "not UTF-8"),
        (load_device, b"[readout]\nrepetitions = 10000000000\n", "<= 1000000"),
        (load_device, b'[cavity]\n"a\\nb" = 1\n', "unknown key 'cavity.a\\nb'"),
        (load_device, b"[cat]\nalpha_sq = 1000.0\n", "cat.alpha_sq = 1000.0: must be in (0, 100]"),
        (load_device, b"[laser]\ndetuning_1ph = 1e7\n", "laser.detuning_1ph = 10000000.0"),
        (load_device, b"[laser]\ndetuning_1ph = 1e4\n", "laser.pump_amplitude = "),
        (load_device, b"[laser]\nintensity = 1e12\n", "pump_amplitude"),
        (load_scenario, b"distance = 1000000001\n", "<= 51"),
        (load_scenario, b"window_seconds = 1" + b"0" * 400 + b"\n", "(401 characters)"),
        (load_scenario, b"[[drift]]\nparameter = 'cavity.g'\nprocess = 'ou'\nsigma = 1.0\n"
                        b"tau = 1" + b"0" * 400 + b"\n", "drift[0].tau = 100000000000..."),
        (load_scenario, b'name = "../../etc"\n', "output folder"),
        (load_scenario, b'description = "a\\u2028b"\n', "one-line string"),
        (load_scenario, b'colour\\u0085 = 1\n', "invalid TOML"),
        (load_scenario, b'"col\\nour" = 1\n', "unknown key 'col\\nour'"),
        (load_sweep, b"\xff\xfe", "not UTF-8"),
        (load_sweep, b"[noise]\nkind = 'device'\nscale = [-1.0]\n", "noise.scale = -1.0"),
        (load_sweep, b"[noise]\nkind = 'device'\nscale = [nan]\n", "noise.scale = nan"),
        (load_sweep, b"[noise]\nkind = 'device'\nparameter = 'cavity.g'\nvalues = [inf]\n",
         "noise.values = inf"),
        (load_sweep, b"[noise]\nkind = 'device'\nparameter = 'laser.shape'\nvalues = [1]\n",
         "not a numeric parameter"),
        (load_sweep, b"[noise]\nkind = 'device'\ndevice = 'nope.toml'\nscale = [1]\n",
         "noise.device: cannot read device file 'nope.toml'"),
        (load_sweep, b"distances = [1000001]\n", "<= 51"),
        (load_sweep, b"rounds = 100000000\n", "<= 1000"),
    ],
)
def test_found_gaps_are_one_line_errors(tmp_path, load, text, fragment):
    path = _write(tmp_path, text, "bad.toml")
    with pytest.raises(UserError) as info:
        load(path)
    msg = str(info.value)
    assert len(msg.splitlines()) == 1 and str(path) in msg, msg
    assert fragment in msg, msg
    assert len(msg) < 400, msg
