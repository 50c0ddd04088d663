"""Studies on one device: code comparison, QEC sweeps, physics sweeps.

* ``compare``: codes × distances × decoders → logical error, Λ, threshold, resources, sampled
  in seeded chunks; ``compare_summary``: per logical qubit, Λ, projection and threshold with
  bootstrap intervals;
* ``gkp_threshold``: the surface-GKP squeezing threshold from the Gaussian-shift Monte Carlo
  (``qec.gkp``), appendable and resumable;
* ``sweep``: sweep files (a TOML grid of QEC tasks) → sinter tasks;
* ``collect``: deterministic, resumable chunked Monte Carlo of those tasks on any executor;
* ``mitigation``: zero-noise extrapolation of a logical GHZ stabiliser, the noise stretched
  through the device's physics or scaled by code distance (mitiq's factories; optional extra
  ``mitigation``);
* ``physics_grid``, ``physics_sweep``, ``physics_dataset``: device parameters on a grid →
  every operation's channel as an xarray dataset (NetCDF).

Example:
    >>> axis = parse_grid_option("cavity.g=50:300:6")
    >>> axis.parameter, axis.values
    ('cavity.g', (50, 100, 150, 200, 250, 300))
"""

from twin.studies.collect import collect
from twin.studies.compare import CompareResult, run_compare
from twin.studies.physics_grid import PhysicsSweep, load_grid_file, parse_grid_option
from twin.studies.physics_sweep import run_physics_sweep
from twin.studies.sweep import SweepSpec, load_sweep, sweep_tasks

__all__ = [
    "CompareResult",
    "PhysicsSweep",
    "SweepSpec",
    "collect",
    "load_grid_file",
    "load_sweep",
    "parse_grid_option",
    "run_compare",
    "run_physics_sweep",
    "sweep_tasks",
]
