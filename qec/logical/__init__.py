"""Fault-tolerant logical experiments: stability, lattice surgery, and a lattice-surgery CNOT."""

from qec.logical.stability import LogicalExperiment, stability_experiment
from qec.logical.surgery import surgery_cnot_experiment, surgery_experiment

__all__ = ["LogicalExperiment", "stability_experiment", "surgery_cnot_experiment",
           "surgery_experiment"]
