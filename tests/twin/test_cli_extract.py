"""``quantacore extract`` end to end, and bad input: one line, exit code 2, no traceback."""

import json
import subprocess
import sys

import pytest

from twin.cli import main


def test_help_lists_subcommands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "extract" in out and "examples" in out


def test_extract_help_has_examples(capsys):
    assert main(["extract", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--device" in out and "--set" in out and "examples:" in out


def test_extract_json_end_to_end(capsys):
    assert main(["extract", "--json", "--set", "link.length_km=0.5"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"operations", "figures"}
    assert set(data["operations"]) == {"gate_1q", "gate_2q", "measure", "reset", "idle"}
    pairs = {}
    for name, entry in data["operations"].items():
        pairs[name] = entry.pop("pauli2", None)
        assert (pairs[name] is not None) == (name == "gate_2q")
        assert set(entry) == {"px", "py", "pz", "erasure"}
        assert all(0.0 <= v <= 1.0 for v in entry.values())
    # the two-qubit gate's 15 Pauli probabilities: unconditional, with the joint erasure ≤ 1
    pair = pairs["gate_2q"]
    assert len(pair) == 15 and sum(pair.values()) + data["operations"]["gate_2q"]["erasure"] <= 1
    assert data["figures"]["link_efficiency"] == pytest.approx(
        10 ** (-3.5 * 0.5 / 10) * 0.9 * 0.9, rel=1e-9)


def test_extract_table_and_device_file(tmp_path, capsys):
    dev = tmp_path / "dev.toml"
    dev.write_text("[cavity]\ng = 200.0\n[gate2q]\nmax_attempts = 5\n")
    assert main(["extract", "--device", str(dev)]) == 0
    out = capsys.readouterr().out
    for word in ("gate_1q", "gate_2q", "measure", "reset", "idle", "cooperativity",
                 "emission_efficiency", "gkp_sigma"):
        assert word in out


def test_list_parameters(capsys):
    assert main(["extract", "--list-parameters", "--set", "cavity.g=99"]) == 0
    out = capsys.readouterr().out
    assert "cavity.g = 99.0" in out and "laser.detuning_2ph = 0.0" in out


@pytest.mark.parametrize(
    ("content", "args", "fragment"),
    [
        (None, ["--device", "/nonexistent/dev.toml"], "cannot read device file"),
        ("[cavity\ng=1", [], "invalid TOML"),
        ("[cavity]\nq = 1.0\n", [], "unknown key 'cavity.q'"),
        ("[atom]\ndecay_rate = -3.0\n", [], "atom.decay_rate = -3.0: must be > 0"),
        ("[link]\ncoupling_efficiency = 1.2\n", [], "link.coupling_efficiency = 1.2"),
        ("[cavity]\ng = 'strong'\n", [], "cavity.g = 'strong': must be of type float"),
        ("[cat]\nalpha_sq = 30.0\nn_fock = 12\n", [], "cat.n_fock"),
        (None, ["--set", "cavity.g"], "expected section.key=value"),
        (None, ["--set", "cavity.gg=3"], "did you mean cavity.g"),
        (None, ["--set", "link.mode_overlap=2"], "link.mode_overlap = 2"),
        (None, ["--drift", "laser.nope=1"], "unknown key 'laser.nope'"),
        (None, ["--set", "cavity.pump_duration=0.1"], "cavity.pump_duration = 0.1: too short"),
        (None, ["--set", "gate2q.attempt_time=1"], "gate2q.attempt_time = 1.0: must be >="),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, content, args, fragment):
    argv = ["extract"]
    if content is not None:
        path = tmp_path / "dev.toml"
        path.write_text(content)
        argv += ["--device", str(path)]
    assert main(argv + args) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    if content is not None:
        assert str(tmp_path / "dev.toml") in err


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[laser]\nwidth = -1\n")
    proc = subprocess.run([sys.executable, "-m", "twin.cli", "extract", "--device", str(path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "laser.width = -1" in proc.stderr


def test_device_file_overrides_reach_the_physics(device_file, capsys):
    """The shared device file (g = 150 rad/µs, a 0.5 km link): C = g²/(2κγ) grows as g², and
    the link loses 3.5 dB/km over the extra length."""
    from physics.device import REFERENCE_DEVICE

    assert main(["extract", "--device", str(device_file), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    assert main(["extract", "--json"]) == 0
    reference = json.loads(capsys.readouterr().out)["figures"]
    g_ref = REFERENCE_DEVICE.cavity.g
    assert figures["cooperativity"] == pytest.approx(
        reference["cooperativity"] * (150.0 / g_ref) ** 2, rel=1e-12)
    loss_db = 3.5 * (0.5 - REFERENCE_DEVICE.link.length_km)
    assert figures["link_efficiency"] == pytest.approx(
        reference["link_efficiency"] * 10 ** (-loss_db / 10), rel=1e-9)
