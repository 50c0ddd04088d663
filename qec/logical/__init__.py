"""Fault-tolerant logical experiments: stability and lattice surgery."""

from qec.logical.stability import LogicalExperiment, stability_experiment

__all__ = ["LogicalExperiment", "stability_experiment"]
