"""Fault-tolerant logical experiments: stability and lattice surgery."""

from qec.logical.stability import LogicalExperiment, stability_experiment
from qec.logical.surgery import surgery_experiment

__all__ = ["LogicalExperiment", "stability_experiment", "surgery_experiment"]
