"""Decoders: one registry, a shared base, one module per decoder.

* ``base``: the ``CompiledDecoder`` contract, ``decoder_dem``, bit packing, shot checks and the
  herald-aware DEM hypergraph (what every decoder shares);
* ``matching`` (``mwpm``, ``mwpm-correlated``, ``mwpm-erasure``), ``sliding_window``
  (``mwpm-window``, streaming), ``bposd``, ``belief_matching``, ``chromobius`` (colour code),
  ``tesseract``: the built-in decoders, each importing only ``base`` (the streaming one also
  ``matching``);
* ``registry``: names → decoders, built-in and user-registered (``register_decoder``); a name
  may carry options, ``"bposd:osd_order=10"`` (``parse_decoder``).

Example:
    >>> from qec.codes import memory_experiment
    >>> from qec.noise import NoiseModel
    >>> circuit = NoiseModel.uniform_depolarizing(0.002).noisy_circuit(
    ...     memory_experiment("surface", distance=3, rounds=3).circuit)
    >>> decoder = compile_decoder("mwpm", decoder_dem(circuit))
    >>> dets, obs = circuit.compile_detector_sampler(seed=1).sample(
    ...     1000, separate_observables=True)
    >>> errors = int((decoder.decode_batch(dets) != obs).any(axis=1).sum())
    >>> 0 <= errors < 100
    True
"""

from qec.decoders.base import (
    CompiledDecoder,
    DemHypergraph,
    check_shots,
    decoder_dem,
    dem_hypergraph,
    pack_bits,
    strip_heralds,
    unpack_bits,
)
from qec.decoders.registry import (
    BUILTIN_DECODERS,
    ENTRY_POINT_GROUP,
    DecoderEntry,
    check_decoder,
    check_decoder_for_code,
    compile_decoder,
    decoder_entry,
    decoder_names,
    decodes_code,
    install_decoders,
    parse_decoder,
    portable_user_decoders,
    register_decoder,
    unregister_decoder,
    user_decoders,
)

__all__ = [
    "BUILTIN_DECODERS",
    "ENTRY_POINT_GROUP",
    "CompiledDecoder",
    "DecoderEntry",
    "DemHypergraph",
    "check_decoder",
    "check_decoder_for_code",
    "check_shots",
    "compile_decoder",
    "decoder_dem",
    "decoder_entry",
    "decoder_names",
    "decodes_code",
    "dem_hypergraph",
    "install_decoders",
    "pack_bits",
    "parse_decoder",
    "portable_user_decoders",
    "register_decoder",
    "strip_heralds",
    "unpack_bits",
    "unregister_decoder",
    "user_decoders",
]
