"""One module of checks for everything a user types: numbers, ranges, keys, names.

Every check raises ``ValueError`` with one line in one shape, ``key = value: what is allowed``
(with a unit where there is one, and close matches for a mistyped name); the callers add the
file or flag in front (``twin.errors.UserError``). Scenario, drift, device, sweep, grid and
controller settings all validate through here, so a message reads the same wherever it comes
from.

Example:
    >>> check_int("windows", 0, low=1)
    Traceback (most recent call last):
    ...
    ValueError: windows = 0: must be an integer >= 1
    >>> nearest("suface", ["surface", "xzzx"])
    ' (did you mean surface?)'
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = [
    "as_float",
    "bad",
    "check_int",
    "check_name",
    "finite_float",
    "finite_or_none",
    "is_finite_number",
    "is_int",
    "key_text",
    "nearest",
    "nonnegative_float",
    "positive_float",
    "short_repr",
    "unknown_keys",
]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:40]}... ({len(text)} characters)"


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)`` for a one-line message, shortened when long (e.g. a 400-digit integer)."""
    return _shorten(repr(value), limit)


def key_text(key: Any) -> str:
    """A key as written in a message: odd characters escaped, long keys shortened."""
    return _shorten(repr(str(key))[1:-1], 60)


def is_int(value: Any) -> bool:
    """An integer (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_finite_number(value: Any) -> bool:
    """A finite real number (not a bool); integers too large for a float are not finite."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def finite_or_none(value: Any) -> float | None:
    """``value`` as a finite float, or None when it is not one (a lenient read of a file)."""
    try:
        out = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return out if math.isfinite(out) else None


def bad(key: str, value: Any, allowed: str) -> ValueError:
    """The error ``key = value: allowed`` (key escaped, value shortened)."""
    return ValueError(f"{key_text(key)} = {short_repr(value)}: {allowed}")


def nearest(name: str, options: Iterable[str]) -> str:
    """`` (did you mean a, b?)`` for the close matches of ``name`` among ``options``, or ``""``."""
    close = difflib.get_close_matches(str(name), list(options), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def check_name(key: str, value: Any, allowed: Iterable[str]) -> None:
    """Raise unless ``value`` is one of ``allowed`` (listing them, with close matches)."""
    options = list(allowed)
    if value not in options:
        raise bad(key, value, f"must be one of {', '.join(options)}{nearest(value, options)}")


def unknown_keys(table: Mapping[str, Any], allowed: Iterable[str], where: str = "") -> None:
    """Raise for the first key of ``table`` not in ``allowed``.

    Args:
        table: the table read from a file.
        allowed: its allowed keys.
        where: prefix of the key in messages (``"controller."``, ``"drift[0]."``...).
    """
    options = list(allowed)
    extra = [k for k in table if k not in options]
    if extra:
        key = extra[0]
        raise ValueError(f"unknown key '{key_text(where + str(key))}'{nearest(key, options)}: "
                         f"allowed keys are {', '.join(sorted(options))}")


def check_int(key: str, value: Any, *, low: int, high: int | None = None,
              what: str = "") -> int:
    """``value`` if it is an integer in [low, high] (``high`` None: no upper bound).

    Args:
        key: its name in the message (a key or a flag).
        value: the value.
        low: smallest allowed.
        high: largest allowed, or None.
        what: what it means, added in brackets.

    Raises:
        ValueError: ``key = value: must be an integer >= low [and <= high] (what)``.
    """
    if not is_int(value) or value < low or (high is not None and value > high):
        limits = f">= {low}" + (f" and <= {high}" if high is not None else "")
        raise bad(key, value, f"must be an integer {limits}" + (f" ({what})" if what else ""))
    return value


def as_float(name: str, value: Any, unit: str) -> float:
    """``value`` as a float; bools and non-numbers are refused.

    Raises:
        ValueError: ``name = value: must be of type float (unit)``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} = {short_repr(value)}: must be of type float ({unit})")
    try:
        return float(value)
    except OverflowError:  # an integer beyond the float range
        digits = str(value)
        raise ValueError(f"{name} = {digits[:12]}...{digits[-4:]} ({len(digits)} digits): must "
                         f"be finite ({unit})") from None


def finite_float(name: str, value: Any, unit: str) -> float:
    """``value`` as a finite float (see ``as_float``)."""
    x = as_float(name, value, unit)
    if not math.isfinite(x):
        raise ValueError(f"{name} = {value!r}: must be finite ({unit})")
    return x


def positive_float(name: str, value: Any, unit: str) -> float:
    """``value`` as a finite float > 0 (see ``as_float``)."""
    x = as_float(name, value, unit)
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"{name} = {value!r}: must be > 0 ({unit})")
    return x


def nonnegative_float(name: str, value: Any, unit: str) -> float:
    """``value`` as a finite float >= 0 (see ``as_float``)."""
    x = as_float(name, value, unit)
    if not (x >= 0 and math.isfinite(x)):
        raise ValueError(f"{name} = {value!r}: must be >= 0 ({unit})")
    return x
