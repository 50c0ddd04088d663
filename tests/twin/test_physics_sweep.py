"""Physics sweeps: labelled values equal direct extraction, NetCDF round trip, executors agree,
resume after an interruption, one-line errors, plots, and a physics truth (quadratic detuning).

The physics is deterministic, so equalities are exact (``==``), not approximate.
"""

import json

import pytest
import xarray as xr

from physics.device import REFERENCE_DEVICE, parameter_paths, with_overrides
from physics.operations import OPERATIONS, calibrate, extract_operations
from twin.cli import main
from twin.errors import UserError
from twin.executor import ExecutorSpec
from twin.studies.physics_sweep import (
    COMPONENTS,
    GridAxis,
    PhysicsSweep,
    load_grid_file,
    parameter_unit,
    parse_grid_option,
    run_physics_sweep,
    write_netcdf,
)

G_VALUES = (100.0, 200.0)


def g_sweep(values=G_VALUES, **kwargs):
    return PhysicsSweep((GridAxis("cavity.g", values),), REFERENCE_DEVICE, **kwargs)


@pytest.fixture(scope="module")
def g_result():
    return run_physics_sweep(g_sweep())


def components(channel):
    loss = channel.p_loss
    return [channel.px, channel.py, channel.pz, loss if channel.heralded else 0.0,
            0.0 if channel.heralded else loss]


def test_dataset_dims_coords_units(g_result):
    ds = g_result.dataset
    assert dict(ds["channel"].sizes) == {"cavity.g": 2, "operation": len(OPERATIONS),
                                         "component": len(COMPONENTS)}
    assert list(ds["cavity.g"].values) == list(G_VALUES)
    assert ds["cavity.g"].attrs["units"] == "rad/µs"
    assert list(ds["operation"].values) == list(OPERATIONS)
    assert list(ds["component"].values) == ["px", "py", "pz", "erasure", "loss"]
    assert ds["duration"].attrs["units"] == "µs"
    assert ds["channel"].attrs["units"] == "1"
    assert ds["cooperativity"].dims == ("cavity.g",)
    assert bool(ds["ok"].all())
    assert ds.attrs["calibration"] == "per-point"
    assert json.loads(ds.attrs["base_device"])["cavity"]["kappa"] == REFERENCE_DEVICE.cavity.kappa
    assert ds.attrs["version"]
    assert (g_result.computed, g_result.reused, g_result.failed) == (2, 0, 0)


def test_values_equal_direct_extraction(g_result):
    ds = g_result.dataset
    for g in G_VALUES:
        ext = extract_operations(with_overrides(REFERENCE_DEVICE, {"cavity.g": g}))
        for op in OPERATIONS:
            got = ds["channel"].sel({"cavity.g": g, "operation": op}).values.tolist()
            assert got == components(ext.operations[op].channel)
            assert ds["duration"].sel({"cavity.g": g, "operation": op}).item() == \
                ext.operations[op].duration
            assert ds["total_error"].sel({"cavity.g": g, "operation": op}).item() == \
                pytest.approx(ext.operations[op].channel.p_error, abs=1e-15)  # 1 − p_identity
        for name, value in ext.figures.items():
            assert ds[name].sel({"cavity.g": g}).item() == value
    # stronger coupling, less heralded failure of the two-qubit gate
    erasure = ds["channel"].sel(operation="gate_2q", component="erasure").values
    assert erasure[1] < erasure[0]


def test_netcdf_round_trip(g_result, tmp_path):
    path = write_netcdf(g_result.dataset, tmp_path / "g.nc")
    with xr.open_dataset(path, engine="scipy") as back:
        back = back.load()
    xr.testing.assert_identical(back, g_result.dataset)
    assert back["cavity.g"].attrs["units"] == "rad/µs"
    assert back["ok"].dtype == bool


def test_pool_gives_identical_results(g_result):
    pooled = run_physics_sweep(g_sweep(), executor=ExecutorSpec(workers=2), block_size=1)
    xr.testing.assert_identical(pooled.dataset, g_result.dataset)


@pytest.mark.parametrize("atom", ["three-level", "reference"])
def test_nominal_calibration_is_the_drift_view_and_detuning_error_is_quadratic(atom,
                                                                               three_level):
    """Detuning drift with the nominal calibration: a coherent X rotation θ = δ·τ (τ ≈ 1.8 µs
    for the three-level atom, 0.5 µs for the reference's Raman gate).

    Its error sin²(θ/2) ≈ θ²/4 makes the *excess* error at 2δ four times that at δ; the next
    terms are relative O(θ²) ≈ 3e-4 (θ(2δ) = 0.036 rad) and, from composing with the incoherent
    baseline, O(p₀) ≈ 4e-4, so a 1 % tolerance is ten times the expected deviation yet fails a
    linear (ratio 2) or quartic (16) law. The Raman gate's 10 ns edges, where the light shift
    is not the plateau's that the calibration cancels, add a term odd in δ: 1.4 % at
    δ = 0.01 rad/µs, so its evenness is checked to 3 %.
    """
    device = three_level.device if atom == "three-level" else REFERENCE_DEVICE
    delta = 0.01
    values = (-delta, 0.0, delta, 2 * delta)
    sweep = PhysicsSweep((GridAxis("laser.frequency_offset", values),), device,
                         calibration="nominal")
    ds = run_physics_sweep(sweep).dataset
    nominal = calibrate(device)
    drifted = with_overrides(device, {"laser.frequency_offset": 2 * delta})
    oracle = extract_operations(drifted, calibration=nominal).operations["gate_1q"].channel
    sel = {"laser.frequency_offset": 2 * delta, "operation": "gate_1q"}
    assert ds["channel"].sel(sel).values.tolist() == components(oracle)
    err = ds["total_error"].sel(operation="gate_1q").values
    excess = err - err[1]
    assert excess[3] / excess[2] == pytest.approx(4.0, rel=0.01)
    even = 0.01 if atom == "three-level" else 0.03
    assert excess[0] == pytest.approx(excess[2], rel=even)  # even in δ
    px = ds["channel"].sel(operation="gate_1q", component="px").values
    assert px[3] - px[1] == pytest.approx(excess[3], rel=0.01)  # an X rotation
    assert ds.attrs["calibration"] == "nominal"


def test_stirap_sweep_is_batched_and_agrees_with_extraction(three_level):
    lam = three_level.device
    values = (0.1, 0.2, 0.3)
    sweep = PhysicsSweep((GridAxis("laser.delay", values),), lam, quantity="stirap")
    ds = run_physics_sweep(sweep).dataset
    assert set(ds.dims) == {"laser.delay"} and ds.attrs["quantity"] == "stirap"
    assert ds["laser.delay"].attrs["units"] == "µs"
    for delay in values:
        figures = extract_operations(with_overrides(lam, {"laser.delay": delay})).figures
        got = ds["stirap_efficiency"].sel({"laser.delay": delay}).item()
        # the batched and the single-point numba solvers agree to ~1e-10
        assert got == pytest.approx(figures["stirap_transfer_efficiency"], abs=1e-8)
    # the counter-intuitive overlap matters: too short a delay is diabatic
    eff = ds["stirap_efficiency"].values
    assert eff[0] < eff[1] and eff[1] > 0.999
    one_by_one = run_physics_sweep(sweep, block_size=1).dataset  # one point per batch
    xr.testing.assert_identical(one_by_one, ds)


def test_stirap_sweep_of_the_raman_gate_is_its_pi_pulse():
    """The reference's transfer is a Raman pulse: simultaneous pulses (delay 0) transfer,
    a delay of half the width leaves a quarter of the area and transfers far less."""
    values = (0.0, 0.25)
    sweep = PhysicsSweep((GridAxis("laser.delay", values),), REFERENCE_DEVICE, quantity="stirap")
    ds = run_physics_sweep(sweep).dataset
    eff = ds["stirap_efficiency"].values
    figures = extract_operations(REFERENCE_DEVICE).figures
    assert eff[0] == pytest.approx(figures["stirap_transfer_efficiency"], abs=1e-8)
    assert eff[0] > 0.999 and eff[1] < 0.9


def test_interrupted_sweep_resumes_from_the_cache(tmp_path):
    cache = tmp_path / "points.jsonl"
    values = (80.0, 120.0, 160.0)

    def stop_after_first(done, total):
        if done < total:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_physics_sweep(g_sweep(values), cache=cache, block_size=1, progress=stop_after_first)
    lines = cache.read_text().splitlines()
    assert len(lines) == 2  # header + the one finished point
    with open(cache, "a") as fh:  # a write torn by the interruption
        fh.write('{"key": "abc", "poi')
    resumed = run_physics_sweep(g_sweep(values), cache=cache)
    assert (resumed.computed, resumed.reused) == (2, 1)
    again = run_physics_sweep(g_sweep(values), cache=cache)
    assert (again.computed, again.reused) == (0, 3)
    fresh = run_physics_sweep(g_sweep(values))
    xr.testing.assert_identical(resumed.dataset, fresh.dataset)
    xr.testing.assert_identical(again.dataset, fresh.dataset)
    # another grid in the same cache reuses the points it shares; another calibration does not
    wider = run_physics_sweep(g_sweep((120.0, 240.0)), cache=cache)
    assert (wider.computed, wider.reused) == (1, 1)
    nominal = run_physics_sweep(g_sweep((120.0,), calibration="nominal"), cache=cache)
    assert (nominal.computed, nominal.reused) == (1, 0)


def test_foreign_cache_is_refused(tmp_path):
    cache = tmp_path / "results.csv"
    cache.write_text("code,distance\n")
    with pytest.raises(UserError, match="not a physics-sweep cache"):
        run_physics_sweep(g_sweep((100.0,)), cache=cache)


def test_grid_parsing():
    assert parse_grid_option("cavity.g=50:300:6").values == (50, 100, 150, 200, 250, 300)
    assert parse_grid_option("cavity.g=50.0:60:3").values == (50.0, 55.0, 60.0)
    # rounded to 12 digits, so ds.sel() finds the values one typed
    assert parse_grid_option("laser.frequency_offset=-0.04:0.04:5").values == \
        (-0.04, -0.02, 0.0, 0.02, 0.04)
    assert parse_grid_option("memory.t2=1e3:1e5:3:log").values == pytest.approx((1e3, 1e4, 1e5))
    assert parse_grid_option("laser.frequency_offset=-0.02,0,0.02").values == (-0.02, 0, 0.02)
    assert parse_grid_option("laser.shape=gaussian,sin2").values == ("gaussian", "sin2")
    sweep = PhysicsSweep((parse_grid_option("cavity.g=50:100:2"),
                          parse_grid_option("readout.repetitions=1:3:3")))
    assert sweep.axes[0].values == (50.0, 100.0)  # stored as the device holds them
    assert sweep.axes[1].values == (1, 2, 3)
    assert sweep.shape == (2, 3) and sweep.size == 6
    assert sweep.points()[1] == {"cavity.g": 50.0, "readout.repetitions": 2}


def test_grid_file(tmp_path):
    (tmp_path / "dev.toml").write_text("[cavity]\nkappa = 20.0\n")
    path = tmp_path / "grid.toml"
    path.write_text('device = "dev.toml"\ncalibration = "nominal"\n[grid]\n'
                    '"laser.frequency_offset" = [-0.01, 0.0]\n'
                    '"cavity.g" = {start = 100.0, stop = 200.0, num = 3}\n'
                    '[grid.link]\nlength_km = "0.01:0.02:2"\n')
    grid = load_grid_file(path)
    assert [a.parameter for a in grid.axes] == ["laser.frequency_offset", "cavity.g",
                                                "link.length_km"]
    assert grid.axes[1].values == (100.0, 150.0, 200.0)
    assert grid.device == str(tmp_path / "dev.toml")
    assert grid.calibration == "nominal"


def test_every_parameter_has_a_unit():
    missing = [p for p in parameter_paths() if p not in ("laser.shape", "gate2q.scheme",
                                                         "node.architecture", "atom.levels")
               and not parameter_unit(p)]
    assert missing == []


def test_cli_end_to_end_with_plot_json_and_resume(tmp_path, capsys):
    out, png = tmp_path / "g.nc", tmp_path / "g.png"
    argv = ["physics-sweep", "--grid", "cavity.g=100,200", "--out", str(out), "--plot",
            str(png), "--json"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["parameters"][0] == {"name": "cavity.g", "units": "rad/µs",
                                     "values": [100.0, 200.0]}
    assert data["computed"] == 2 and data["failed"] == 0
    assert set(data["points"][0]["operations"]) == set(OPERATIONS)
    assert "2/2 points" in captured.err
    assert png.stat().st_size > 10_000
    with xr.open_dataset(out) as ds:
        assert ds.attrs["command"].startswith("quantacore physics-sweep --grid cavity.g=100,200")
        assert ds["channel"].sel({"cavity.g": 200.0, "operation": "gate_1q",
                                  "component": "px"}).item() > 0
    assert main(argv[:-1] + ["--quiet"]) == 0  # the table, every point from the cache
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "gate_2q" in captured.out and "total error" in captured.out
    assert len((tmp_path / "g.nc.points.jsonl").read_text().splitlines()) == 3


def test_cli_2d_heat_map_and_unrealisable_point(tmp_path, capsys):
    png = tmp_path / "map.png"
    argv = ["physics-sweep", "--grid", "cavity.pump_duration=0.1,1.5", "--grid",
            "link.length_km=0.01,1", "--plot", str(png), "--op", "gate_2q"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "2 point(s) not realisable" in captured.err and "too short" in captured.err
    assert "nan" in captured.out
    assert png.stat().st_size > 10_000


def test_cli_stirap_sweep_json_and_plot(tmp_path, capsys):
    png = tmp_path / "stirap.png"
    assert main(["physics-sweep", "--quantity", "stirap", "--grid", "laser.delay=0.1:0.3:3",
                 "--plot", str(png), "--json", "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["quantity"] == "stirap" and data["calibration"] == "none"
    assert [set(p["stirap"]) for p in data["points"]] == [{"efficiency", "loss"}] * 3
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--grid", "cavity.gg=1,2"], "unknown key 'cavity.gg' (did you mean cavity.g?)"),
        (["--grid", "nodot=1"], "unknown parameter 'nodot'"),
        (["--grid", "cavity.g=50:300"], "a range is START:STOP:NUM"),
        (["--grid", "cavity.g=a:300:3"], "START = 'a': must be a number"),
        (["--grid", "cavity.g=50:300:0"], "NUM = 0: must be an integer in [1, 1000000]"),
        (["--grid", "cavity.g=1:2:1000", "--grid", "cavity.kappa=1:2:1001"],
         "the grid has 1001000 points: at most 1000000"),
        (["--grid", "cavity.g="], "empty value in the list"),
        (["--grid", "cavity.g=1,,2"], "empty value in the list"),
        (["--grid", "cavity.g=-5,100"], "--grid: cavity.g = -5.0: must be > 0 (rad/µs)"),
        (["--grid", "link.mode_overlap=0.5,2"], "link.mode_overlap = 2.0: must be in [0, 1]"),
        (["--grid", "cavity.g=100,100.0"], "appears twice"),
        (["--grid", "cavity.g=1,2", "--grid", "cavity.g=3"], "cavity.g is swept twice"),
        (["--grid", "cavity.pump_duration=0.1,0.2"], "no point of the grid can be realised"),
        ([], "no grid"),
        (["--grid", "cavity.g=1", "--grid", "link.length_km=1", "--grid", "memory.t2=1e4",
          "--plot", "x.png"], "--plot: draws grids of one or two parameters"),
        (["--grid", "cavity.g=1", "--workers", "0"], "--workers = 0"),
        (["--grid", "cavity.g=1", "--out", "/nonexistent/x.nc"], "does not exist"),
        (["/nonexistent/grid.toml"], "cannot read grid file"),
        (["--grid", "laser.delay=0.2", "--quantity", "stirap", "--op", "gate_1q"],
         "a STIRAP sweep has no operations"),
        (["--grid", "laser.delay=0.2", "--quantity", "stirap", "--calibration", "nominal"],
         "a STIRAP transfer has no frame to calibrate"),
    ],
)
def test_bad_grid_is_one_line_exit_2(capsys, args, fragment):
    assert main(["physics-sweep", "--quiet", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("[grid\n", "invalid TOML"),
        ("nope = 1\n[grid]\n'cavity.g' = [1.0]\n", "unknown key 'nope'"),
        ("calibration = 'sometimes'\n[grid]\n'cavity.g' = [1.0]\n", "calibration = 'sometimes'"),
        ("quantity = 'all'\n[grid]\n'cavity.g' = [1.0]\n", "quantity = 'all'"),
        ("[grid]\n'cavity.g' = []\n", "grid.cavity.g = []: must be a non-empty list"),
        ("[grid]\n'cavity.g' = {start = 1.0, stop = 2.0}\n", "num is missing"),
        ("[grid]\n'cavity.g' = [-1.0]\n", "cavity.g = -1.0: must be > 0"),
        ("device = 'missing.toml'\n[grid]\n'cavity.g' = [1.0]\n", "cannot read device file"),
    ],
)
def test_bad_grid_file_names_the_file(tmp_path, capsys, content, fragment):
    path = tmp_path / "grid.toml"
    path.write_text(content)
    assert main(["physics-sweep", "--quiet", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and str(tmp_path) in err
    assert len(err.splitlines()) == 1


@pytest.mark.slow
def test_dask_local_gives_identical_results(g_result):
    pytest.importorskip("distributed")
    on_dask = run_physics_sweep(g_sweep(), executor=ExecutorSpec(workers=2, dask="local"))
    xr.testing.assert_identical(on_dask.dataset, g_result.dataset)


def test_grid_file_that_is_not_utf8_is_one_line(tmp_path, capsys):
    path = tmp_path / "grid.toml"
    path.write_bytes(b"[grid]\n'cavity.g' = [1.0]\n# \xff\xfe\n")
    assert main(["physics-sweep", "--quiet", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "not UTF-8 text" in err and str(path) in err
    assert len(err.splitlines()) == 1
