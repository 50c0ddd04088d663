"""The decoder registry: every decoder by name, built-in or the user's.

Built-in decoders (``BUILTIN_DECODERS``), each in its own module, imported only when compiled:

* ``mwpm``: minimum-weight perfect matching (pymatching) on the decomposed DEM; herald detectors
  are ignored (their average effect is folded into the edge priors): the naive decoder.
* ``mwpm-correlated``: pymatching's correlated matching (``enable_correlations=True``); herald
  detectors ignored as in ``mwpm``.
* ``mwpm-erasure``: matching whose edges flipped by an erased qubit are re-weighted, per shot, to
  their probability conditional on the fired herald (≈ ½, weight ≈ 0).
* ``bposd``: BP+OSD (ldpc) on the hypergraph check matrix; fired heralds raise the priors of the
  mechanisms they flag, per shot.
* ``bposd-bravyi``: ``bposd`` with Bravyi et al.'s settings for their BB codes (min-sum with
  adaptive scaling, 1000 iterations, OSD-CS order 7; ``qec.decoders.bposd.BRAVYI_SETTINGS``).
* ``belief-matching``: BP posteriors re-weight the matching graph, per shot (Higgott et al.,
  PRX 13, 031007, 2023); erasure-aware as ``bposd``.
* ``mwpm-window``: streaming matching (``qec.decoders.sliding_window``): windows of commit +
  buffer rounds decoded as they arrive, each committing its first rounds; heralds ignored.
* ``tesseract``: A* search for the most likely error set (tesseract-decoder, Beni et al.,
  arXiv:2503.10988); decodes any DEM, hyperedges included; the most accurate and the slowest;
  heralds ignored as in ``mwpm``.
* ``chromobius``: the Möbius colour-code decoder (Gidney & Jones, arXiv:2312.08813) for the
  ``"color"`` code, whose detectors carry chromobius's basis-and-colour coordinate; any other
  code's DEM is refused with a ``ValueError``; heralds ignored as in ``mwpm``.

On the ``"color"`` code the matching decoders also run (stim decomposes its three-detector
errors into graphlike pieces), but matching a colour code is not distance-preserving: use
``chromobius`` (or ``bposd``) there.

A user decoder joins them by name with ``register_decoder`` (or, for an installed package, an
entry point in the ``quantacore.decoders`` group, loaded on first use), and is then accepted
wherever a decoder name is: ``compile_decoder``, sinter tasks (``qec.montecarlo``), scenario
files, ``quantacore compare``, ``sweep`` and ``run``. It may be

* a ``sinter.Decoder`` (any object with ``compile_decoder_for_dem(*, dem)`` returning an object
  with ``decode_shots_bit_packed(*, bit_packed_detection_event_data)``), or
* a factory ``factory(dem, **options)`` returning an object with this package's contract,
  ``decode_batch(detection_events, *, bit_packed=False)`` (``qec.decoders.CompiledDecoder``).

Work sent to other processes (sinter workers, a process pool, Dask) takes the user decoders
along (``user_decoders`` / ``install_decoders``), so a decoder there must be picklable: a
module-level class or function, not a lambda.

Example:
    >>> from qec.decoders.matching import MwpmDecoder
    >>> register_decoder("my-mwpm", MwpmDecoder.compile, description="pymatching, again")
    >>> "my-mwpm" in decoder_names()
    True
    >>> unregister_decoder("my-mwpm")
"""

from __future__ import annotations

import difflib
import importlib
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import stim

from qec.decoders.base import CompiledDecoder, check_shots, pack_bits, unpack_bits

__all__ = [
    "BUILTIN_DECODERS",
    "ENTRY_POINT_GROUP",
    "DecoderEntry",
    "check_decoder",
    "check_decoder_for_code",
    "compile_decoder",
    "decodes_code",
    "decoder_entry",
    "decoder_names",
    "install_decoders",
    "parse_decoder",
    "portable_user_decoders",
    "register_decoder",
    "unregister_decoder",
    "user_decoders",
]

ENTRY_POINT_GROUP = "quantacore.decoders"
"""Entry-point group through which an installed package offers decoders (name → object)."""

_BUILTIN: dict[str, tuple[str, str, str]] = {
    "mwpm": ("qec.decoders.matching", "MwpmDecoder",
             "minimum-weight perfect matching (pymatching); heralds ignored"),
    "mwpm-correlated": ("qec.decoders.matching", "CorrelatedMwpmDecoder",
                        "pymatching's correlated matching; heralds ignored"),
    "mwpm-erasure": ("qec.decoders.matching", "ErasureMwpmDecoder",
                     "matching re-weighted per shot by the fired heralds"),
    "bposd": ("qec.decoders.bposd", "BpOsdDecoder",
              "BP+OSD (ldpc) on the DEM hypergraph, herald-aware priors"),
    "bposd-bravyi": ("qec.decoders.bposd", "BravyiBpOsdDecoder",
                     "bposd with Bravyi et al.'s BB-code settings (min-sum, OSD-CS 7)"),
    "belief-matching": ("qec.decoders.belief_matching", "BeliefMatchingDecoder",
                        "BP posteriors re-weight matching (Higgott et al. 2023)"),
    "chromobius": ("qec.decoders.chromobius", "ChromobiusDecoder",
                   "Möbius colour-code decoder (chromobius); colour code only, heralds ignored"),
    "mwpm-window": ("qec.decoders.sliding_window", "SlidingWindowDecoder",
                    "streaming: sliding-window matching, commit + buffer rounds"),
    "tesseract": ("qec.decoders.tesseract", "TesseractDecoder",
                  "A* search over DEM errors (tesseract-decoder); any DEM, heralds ignored"),
}

BUILTIN_DECODERS: tuple[str, ...] = tuple(_BUILTIN)
"""Names of the built-in decoders, in the registry's order."""

_ONLY_CODES: dict[str, tuple[str, ...]] = {"chromobius": ("color",)}
_NOT_CODES: dict[str, tuple[str, ...]] = {
    name: ("color", "bb") for name in ("mwpm", "mwpm-correlated", "mwpm-erasure",
                                       "mwpm-window", "belief-matching")}

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")


@dataclass(frozen=True)
class DecoderEntry:
    """One registered decoder.

    Attributes:
        name: its name.
        description: one line.
        builtin: shipped with this package.
        decoder: what the user registered (a ``sinter.Decoder`` or a factory); None for a
            built-in.
    """

    name: str
    description: str
    builtin: bool
    decoder: Any = None


_user: dict[str, DecoderEntry] = {}
_entry_points_loaded = False


def _kind(decoder: Any) -> str:
    if callable(getattr(decoder, "compile_decoder_for_dem", None)):
        return "sinter"
    if callable(decoder):
        return "factory"
    raise TypeError(f"{decoder!r} is not a decoder: register a sinter.Decoder or a factory "
                    "(dem, **options) -> object with decode_batch(detection_events, *, "
                    "bit_packed=False)")


def register_decoder(name: str, decoder: Any, *, description: str = "",
                     replace: bool = False) -> None:
    """Make ``decoder`` available by ``name`` everywhere a decoder name is accepted.

    Args:
        name: letters, digits and ``_ . + -``, not a built-in name.
        decoder: a ``sinter.Decoder`` or a factory ``(dem, **options) -> CompiledDecoder``
            (see the module docstring).
        description: one line for listings.
        replace: allow replacing a user decoder already registered under ``name``.

    Raises:
        ValueError: a malformed name, a built-in name, or a name taken (without ``replace``).
        TypeError: ``decoder`` is neither a sinter decoder nor callable.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"decoder name {name!r}: use letters, digits and _ . + - "
                         "(starting with a letter or digit)")
    if name in _BUILTIN:
        raise ValueError(f"decoder name {name!r} is a built-in decoder; choose another name")
    _kind(decoder)
    if name in _user and not replace and _user[name].decoder is not decoder:
        raise ValueError(f"decoder {name!r} is already registered; pass replace=True to "
                         "replace it")
    _user[name] = DecoderEntry(name, description or _first_line(decoder), False, decoder)


def unregister_decoder(name: str) -> None:
    """Remove a user decoder.

    Raises:
        ValueError: ``name`` is built in or not registered.
    """
    if name not in _user:
        what = "a built-in decoder" if name in _BUILTIN else "not a registered user decoder"
        raise ValueError(f"decoder {name!r} is {what}")
    del _user[name]


def _first_line(obj: Any) -> str:
    doc = getattr(obj, "__doc__", None) or ""
    return doc.strip().splitlines()[0] if doc.strip() else type(obj).__name__


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _BUILTIN or ep.name in _user:
            continue
        try:
            register_decoder(ep.name, ep.load())
        except Exception as exc:  # noqa: BLE001 - a broken plug-in must not hide the others
            warnings.warn(f"decoder plug-in {ep.name!r} ({ep.value}) could not be loaded: "
                          f"{exc}", stacklevel=2)


def _value(text: str) -> Any:
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text.strip()


def parse_decoder(spec: str) -> tuple[str, dict[str, Any]]:
    """A decoder name with options, ``NAME`` or ``NAME:KEY=VALUE[,KEY=VALUE...]``.

    Values are read as booleans (true/false), integers, floats, or else strings. Wherever a
    decoder name is accepted (``compare --decoders``, sweep and scenario files, ``run
    --decoder``) such a spec is too; its options reach the decoder's ``compile``, which
    validates them.

    Args:
        spec: e.g. ``"bposd:osd_order=10,bp_method=product_sum"``.

    Returns:
        ``(name, options)``.

    Raises:
        ValueError: an option without ``=``, an empty key, or a key given twice.

    Example:
        >>> parse_decoder("bposd:osd_order=10,bp_method=product_sum")
        ('bposd', {'osd_order': 10, 'bp_method': 'product_sum'})
        >>> parse_decoder("mwpm")
        ('mwpm', {})
    """
    name, sep, rest = str(spec).partition(":")
    options: dict[str, Any] = {}
    if not sep:
        return name, options
    for item in rest.split(","):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not key:
            raise ValueError(f"decoder = {spec!r}: options are KEY=VALUE separated by commas "
                             f"after the name (e.g. bposd:osd_order=10); got {item!r}")
        if key in options:
            raise ValueError(f"decoder = {spec!r}: option {key!r} given twice")
        options[key] = _value(value)
    return name, options


def decoder_names() -> tuple[str, ...]:
    """Every decoder name: the built-ins, then the user's in registration order."""
    _load_entry_points()
    return (*BUILTIN_DECODERS, *_user)


def decoder_entry(name: str) -> DecoderEntry:
    """The registry entry of ``name`` (options after ``:`` are ignored here).

    Raises:
        ValueError: an unknown name (listing the known ones, with close matches), or
            malformed options (``parse_decoder``).
    """
    name, _ = parse_decoder(name)
    if name in _BUILTIN:
        return DecoderEntry(name, _BUILTIN[name][2], True)
    if name not in _user:
        _load_entry_points()
    if name in _user:
        return _user[name]
    names = decoder_names()
    close = difflib.get_close_matches(str(name), names, n=3, cutoff=0.5)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ValueError(f"decoder = {name!r}: must be one of {', '.join(names)}{hint}")


def check_decoder(name: str) -> None:
    """Raise ``ValueError`` unless ``name`` is a registered decoder with known options.

    A built-in decoder's option names are checked against its ``compile`` keywords (their
    values when it compiles); a user decoder's options are its own business.
    """
    entry = decoder_entry(name)
    base, options = parse_decoder(name)
    if entry.builtin and options:
        import inspect

        module, cls, _ = _BUILTIN[base]
        params = inspect.signature(getattr(importlib.import_module(module), cls).compile)
        allowed = [p.name for p in params.parameters.values()
                   if p.kind is inspect.Parameter.KEYWORD_ONLY]
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            raise ValueError(f"decoder = {name!r}: unknown option(s) {', '.join(unknown)} of "
                             f"{base!r}; allowed are {', '.join(allowed) or 'none'}")


def decodes_code(name: str, code: str) -> bool:
    """Whether decoder ``name`` can decode code ``code``'s circuits.

    Returns:
        False where a built-in decoder cannot (see ``check_decoder_for_code``); True
        otherwise, user decoders included.
    """
    name, _ = parse_decoder(name)
    only = _ONLY_CODES.get(name)
    return not ((only is not None and code not in only) or code in _NOT_CODES.get(name, ()))


def check_decoder_for_code(name: str, code: str) -> None:
    """Raise before any work where a built-in decoder cannot decode a code's circuits.

    ``chromobius`` decodes only ``"color"`` (it needs the colour-code detector annotations);
    the matching decoders (``mwpm*``, ``belief-matching``) do not decode ``"color"`` (its
    three-detector errors do not decompose into edges beyond d = 3) nor ``"bb"`` (a
    bivariate-bicycle code's faults flip up to six checks: not a matching problem; use
    ``bposd``). User decoders are not checked.

    Args:
        name: a registered decoder name.
        code: a code name (``qec.codes.CODES``).

    Raises:
        ValueError: naming the decoder, the code and the decoders to use instead.
    """
    decoder_entry(name)
    if not decodes_code(name, code):
        fits = [n for n in BUILTIN_DECODERS if decodes_code(n, code)]
        raise ValueError(f"decoder {name!r} cannot decode code {code!r}: use one of "
                         f"{', '.join(fits)}")


def compile_decoder(name: str, dem: stim.DetectorErrorModel, **options: Any) -> CompiledDecoder:
    """Configures the decoder ``name`` for ``dem``.

    Args:
        name: a registered decoder (``decoder_names()``), optionally with options
            (``parse_decoder``: ``"bposd:osd_order=10"``).
        dem: the DEM of ``decoder_dem(circuit)`` (decomposed; required by the matching decoders).
        **options: keyword options of that decoder (see ``qec.decoders.matching``,
            ``qec.decoders.bposd``, ``qec.decoders.belief_matching``; a user factory gets them
            as keyword arguments).

    Returns:
        The compiled decoder.

    Raises:
        ValueError: unknown ``name``, unknown option, or a DEM the decoder cannot use.
    """
    entry = decoder_entry(name)
    name, spec_options = parse_decoder(name)
    both = sorted(set(spec_options) & set(options))
    if both:
        raise ValueError(f"decoder {name!r}: option(s) {', '.join(both)} given both in the "
                         "name and as arguments")
    options = {**spec_options, **options}
    if entry.builtin:
        module, cls, _ = _BUILTIN[name]
        return getattr(importlib.import_module(module), cls).compile(dem, **options)
    decoder = entry.decoder
    if _kind(decoder) == "sinter":
        if options:
            raise ValueError(f"decoder {name!r} (a sinter.Decoder) takes no options; got "
                             f"{', '.join(sorted(options))}")
        return SinterBackedDecoder(decoder.compile_decoder_for_dem(dem=dem), dem.num_detectors,
                                   dem.num_observables)
    compiled = decoder(dem, **options)
    if not callable(getattr(compiled, "decode_batch", None)):
        raise TypeError(f"decoder {name!r}: its factory returned {compiled!r}, which has no "
                        "decode_batch(detection_events, *, bit_packed=False)")
    return compiled


class SinterBackedDecoder:
    """A ``sinter.CompiledDecoder`` seen through this package's ``decode_batch`` contract.

    Args:
        compiled: the object returned by ``sinter.Decoder.compile_decoder_for_dem``.
        num_detectors: detectors per shot.
        num_observables: observables per shot.
    """

    def __init__(self, compiled: Any, num_detectors: int, num_observables: int) -> None:
        self.compiled = compiled
        self.num_detectors = num_detectors
        self.num_observables = num_observables

    def decode_batch(self, detection_events: np.ndarray, *, bit_packed: bool = False
                     ) -> np.ndarray:
        """Predicts observable flips (bool (shots, n_obs), or bit-packed with ``bit_packed``)."""
        packed = detection_events if bit_packed else pack_bits(
            check_shots(detection_events, self.num_detectors, bit_packed=False))
        out = self.compiled.decode_shots_bit_packed(
            bit_packed_detection_event_data=np.ascontiguousarray(packed, dtype=np.uint8))
        return out if bit_packed else unpack_bits(out, self.num_observables)


def user_decoders() -> Mapping[str, DecoderEntry]:
    """The user decoders of this process (to send with work to other processes)."""
    return dict(_user)


def portable_user_decoders(names: Sequence[str] | None = None) -> dict[str, DecoderEntry]:
    """The user decoders to send to other processes, checked to survive the trip (pickling).

    Args:
        names: only these (built-in names are skipped); None: every user decoder.

    Raises:
        ValueError: a user decoder cannot be pickled (a lambda, a local object), naming it.
    """
    import pickle

    chosen = {n: e for n, e in _user.items() if names is None or n in names}
    for name, entry in chosen.items():
        try:
            pickle.dumps(entry)
        except Exception as exc:  # noqa: BLE001 - pickle raises several types
            raise ValueError(f"decoder {name!r} cannot be sent to worker processes ({exc}): "
                             "register a module-level class or function, not a lambda or a "
                             "local object, or run in one process (--workers 1)") from None
    return chosen


def install_decoders(entries: Mapping[str, DecoderEntry]) -> None:
    """Register ``entries`` (from ``user_decoders`` in another process) here, replacing any."""
    for name, entry in entries.items():
        if _user.get(name) is not entry:
            _user[name] = entry
