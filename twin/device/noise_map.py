"""The one place that maps a device onto QEC noise: ``Extraction`` → ``NoiseModel`` per code.

* ``surface``, ``xzzx``, ``color``: the atom-qubit operations as they are: ``gate_1q``,
  ``gate_2q`` (the photon-mediated gate's *two-qubit* channel: its 15 Pauli probabilities,
  conditioned on no erasure, and one joint heralded erasure of the pair), ``measure`` (flip),
  ``reset``
  (flip), ``idle`` (one layer of memory).
* ``repetition``: the cat-qubit phase-flip code. Per cycle each cat flips phase with the
  Liouvillian phase-flip probability and bit with the (exponentially small) bit-flip one, once
  per round (the ``idle``); the CXs add nothing beyond that cycle (``qec.codes.cat_noise_model``).
  Cats read out as cats (``physics.cat.cat_readout_errors``): the data's Z readout ``M`` flips
  with ``cat_readout_z_error`` (homodyne overlap and bit flips during it), the final data ``MX``
  and the ancillas' ``MRX`` with the X (parity) readout error ``cat_readout_x_error``, XOR, for
  both, the ancilla's own phase flip over one cycle (an ancilla's Z anywhere in the round only
  flips its ``MRX``; on the final ``MX`` this over-counts once per shot).
* ``xzzx-cat``: the XZZX code on the same cats, with bias-preserving checks. Each data cat's
  per-cycle channel (phase and bit flip) is its data noise, once per round; each CX/CZ adds only
  the ancilla's bit flip (a quarter of its per-cycle one, on the control, where it spreads as a
  hook); readouts as for ``repetition`` (``qec.codes.cat_surface_noise_model``).
* ``bb``: a bivariate-bicycle code on the atom qubits, every operation as for ``surface``, plus
  a *local* two-qubit channel (``NoiseModel.gate_2q_local``): two-qubit depolarising from the
  node's ``local_gate_error`` r (p = 5r/4, ``physics.remote_gate.local_cnot_channel``, the
  convention of the teleported CNOT's local gates). Architecture assumption: the qubits of a
  check's four short-range edges (its toric-layout neighbours) are coupled locally (in one
  node, or neighbouring atoms), the two long-range edges through the photonic link (the remote
  gate, ``gate_2q``). The split is the experiment's ``local_pairs``: pass them to
  ``noisy_circuit(circuit, local_pairs=experiment.local_pairs)``, or every CNOT is remote.
* ``gkp-surface``: the circuit-level surface-GKP code of ``qec.gkp`` (Noh & Chamberland, PRA
  101, 012316 (2020)): GKP data *and* GKP ancilla modes (the twin's choice for QuantaCore's
  GKP option: cavity modes store and measure, atoms only prepare GKP states; atom ancillas
  that read the checks by phase kickback are ``qec.gkp``'s ``ancilla="atom"``, not yet
  selectable from a device), every GKP state preparation
  with the Gaussian shift σ of the device's squeezing (``gkp_sigma_squeezing``), the loss per
  round on each data mode as a Gaussian displacement (``gkp_sigma_loss``), shifts propagated
  through the SUM gates and a Steane-type GKP correction of every data mode each round. Each
  homodyne binning then fails with the GKP error probability of the shift it reads (exact
  variance): ``code_noise`` returns an empty ``NoiseModel`` and ``qec.gkp.GKPNoise(σ, σ_loss)``
  as the data noise, which ``memory_experiment`` turns into that stim circuit (gates, resets
  and idles add nothing: GKP-only noise, the preparation noise is inside the binnings).
  Analog decoding needs the Monte Carlo of ``qec.gkp`` (``twin.studies.gkp_threshold``); this
  model is its hard-decision stim form.
"""

from __future__ import annotations

import numpy as np

from physics.channel import Channel
from physics.operations import Extraction
from physics.pauli2 import TwoQubitChannel
from physics.remote_gate import local_cnot_channel
from qec.codes import cat_noise_model, cat_surface_noise_model, memory_experiment
from qec.gkp import GKPNoise
from qec.noise import NoiseModel, OpNoise, TwoQubitNoise

__all__ = ["code_noise", "modular_noise", "noise_model_from_extraction", "op_noise", "pair_noise"]


def op_noise(channel: Channel) -> OpNoise:
    """``physics.Channel`` → ``qec.OpNoise`` (heralded loss becomes erasure).

    Unheralded loss, if any is left, is depolarising (a leaked qubit repumped at random).
    """
    ch = channel.with_loss_as_depolarizing()
    return OpNoise(ch.px, ch.py, ch.pz, erasure=ch.p_loss if ch.heralded else 0.0)


def pair_noise(pair: TwoQubitChannel) -> TwoQubitNoise:
    """``physics.TwoQubitChannel`` → ``qec.TwoQubitNoise``.

    stim applies the Pauli channel and then, independently, the joint erasure; the physics
    channel's probabilities are unconditional (Σ p_P + p_loss = 1), so the Paulis are divided
    by 1 − p_loss. An unheralded joint loss is depolarising on the pair (uniform 16 Paulis).
    """
    probs = np.array(pair.probs, dtype=float)
    if not pair.heralded and pair.p_loss:
        probs = probs + pair.p_loss / 16.0
        return TwoQubitNoise(tuple(probs[1:]), 0.0)
    keep = 1.0 - pair.p_loss
    cond = probs[1:] / keep if keep > 0 else np.zeros(15)
    return TwoQubitNoise(tuple(float(p) for p in cond), pair.p_loss)


def noise_model_from_extraction(ext: Extraction) -> NoiseModel:
    """The atom-qubit ``NoiseModel`` of an extracted device (surface, XZZX and colour codes)."""
    ops = ext.operations
    return NoiseModel(
        gate_1q=op_noise(ops["gate_1q"].channel),
        gate_2q=pair_noise(ops["gate_2q"].pair),
        measure=OpNoise(px=ops["measure"].channel.px),
        reset=OpNoise(px=ops["reset"].channel.px),
        idle=op_noise(ops["idle"].channel),
    )


def modular_noise(ext: Extraction) -> NoiseModel:
    """The atom-qubit model with the node's local CNOT channel as ``gate_2q_local``.

    Gates on the pairs given to ``noisy_circuit`` as ``local_pairs`` (same module) get the
    local channel (two-qubit depolarising from ``node.local_gate_error`` r, p = 5r/4); every
    other two-qubit gate the photon-mediated remote gate (``gate_2q``). Used by the BB code's
    short-range checks and by the logical operations (``twin.studies.logical``).
    """
    local = pair_noise(local_cnot_channel(ext.figures["local_gate_error"]))
    return noise_model_from_extraction(ext).with_(gate_2q_local=local)


def code_noise(ext: Extraction, code: str) -> tuple[NoiseModel, OpNoise | GKPNoise | None]:
    """Noise of ``code`` on the extracted device.

    Args:
        ext: the device's extraction (``physics.extract_operations``).
        code: one of ``qec.codes.CODES``.

    Returns:
        ``(model, data_noise)``: the gate/measurement model and the per-round data noise to pass
        to ``qec.codes.memory_experiment`` (None when the code has none). For ``"bb"`` the
        model has a local channel, used only on the pairs given to ``noisy_circuit`` as
        ``local_pairs`` (the module docstring).
    """
    if code in ("surface", "xzzx", "color"):
        return noise_model_from_extraction(ext), None
    if code == "bb":
        return modular_noise(ext), None
    if code == "repetition":
        cat = ext.bosonic["cat"]
        phase_flip = cat.pz + cat.py
        read_x = ext.figures["cat_readout_x_error"]
        measure_x = phase_flip + read_x - 2.0 * phase_flip * read_x
        model = cat_noise_model(phase_flip=phase_flip, bit_flip=cat.px + cat.py,
                                measure=measure_x, measure_z=ext.figures["cat_readout_z_error"])
        return model, None
    if code == "xzzx-cat":
        cat = ext.bosonic["cat"]
        anc_phase_flip = cat.pz + cat.py
        read_x = ext.figures["cat_readout_x_error"]
        measure_x = anc_phase_flip + read_x - 2.0 * anc_phase_flip * read_x
        model = cat_surface_noise_model(bit_flip=cat.px + cat.py, measure=measure_x,
                                        measure_z=ext.figures["cat_readout_z_error"])
        return model, OpNoise(cat.px, cat.py, cat.pz)
    if code == "gkp-surface":
        figs = ext.figures
        sigma = figs.get("gkp_sigma_squeezing", figs.get("gkp_sigma"))
        return NoiseModel(), GKPNoise(float(sigma), float(figs.get("gkp_sigma_loss", 0.0)))
    # let the builder produce the canonical "unknown code" message
    memory_experiment(code, distance=3, rounds=1)
    raise AssertionError("unreachable")  # pragma: no cover
