"""Telemetry files of a run: the one owner of their columns, their writer and their reader.

``telemetry.csv`` has one row per window, appended, flushed and fsynced. Its columns, in this
order: ``BASE_COLUMNS``, then one ``true:<dotted.path>`` column per drifting device parameter
(its hidden true value), then one ``knob:<name>`` column per control knob, then ``actions``
(text, empty when the controller did nothing). ``lost = 1`` marks a window spent calibrating
(``shots = 0``, empty rates). ``ler_*`` are logical errors per QEC round; ``noise_*`` the true
per-operation error probabilities (``NOISE_COLUMNS``); ``time_s`` is in seconds.
``telemetry_columns`` builds the header the writer (``CsvLog``) and the reader
(``read_telemetry``) both use.

``telemetry.csv`` is deterministic (same scenario and seed → byte-identical file); wall-clock
times go to ``timing.csv`` beside it. Floats are written with ``repr`` (shortest round trip).
On resume the files are cut back (in place) to the last window the checkpoint knows, so a crash
between writing a row and writing the checkpoint neither loses nor duplicates a row.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import UserError

__all__ = [
    "ACTIONS",
    "BASE_COLUMNS",
    "KNOB",
    "NOISE_COLUMNS",
    "TEXT_COLUMNS",
    "TIMING_COLUMNS",
    "TRUE",
    "CsvLog",
    "Telemetry",
    "check_header",
    "format_value",
    "read_telemetry",
    "total_wall_seconds",
    "telemetry_columns",
]

BASE_COLUMNS: tuple[str, ...] = (
    "window", "time_s", "lost", "code", "distance", "decoder", "shots", "errors",
    "ler_per_round", "ler_ci_low", "ler_ci_high", "detection_fraction", "herald_fraction",
    "noise_gate_1q", "noise_gate_2q", "noise_erasure_2q", "noise_measure", "noise_idle",
)
"""Columns every telemetry file starts with; ``true:<path>`` and ``knob:<name>`` columns and
``actions`` follow."""

TRUE, KNOB, ACTIONS = "true:", "knob:", "actions"
"""Prefix of the hidden-truth columns, prefix of the knob columns, the last column."""

TEXT_COLUMNS = frozenset({"code", "decoder", ACTIONS})
"""Columns holding text; every other column is a number (empty: not applicable)."""

TIMING_COLUMNS: tuple[str, ...] = ("window", "wall_s", "decode_s", "decode_us_per_round",
                                   "round_time_us", "backlog_rounds")
"""Columns of ``timing.csv`` (wall clock, not deterministic): per window, the simulation's
seconds, the decoder's seconds, its µs per shot-round (a streaming decoder's: per committed
round), and for a streaming decoder (``mwpm-window``) the device's round time (µs) and the
largest backlog (rounds) it ran behind the device; empty where it does not apply (a window lost
to calibration, a block decoder)."""

NOISE_COLUMNS: dict[str, Callable[[Any], float]] = {
    "noise_gate_1q": lambda t: t.gate_1q.p_pauli,
    "noise_gate_2q": lambda t: t.gate_2q.p_pauli,
    "noise_erasure_2q": lambda t: t.gate_2q.erasure,
    "noise_measure": lambda t: t.measure.px,
    "noise_idle": lambda t: t.idle.p_pauli,
}
"""The ``noise_*`` columns, each read from the window's true ``qec.NoiseModel``."""


def telemetry_columns(drift_paths: Sequence[str], knob_names: Sequence[str]) -> tuple[str, ...]:
    """The header of a run's ``telemetry.csv``.

    Example:
        >>> telemetry_columns(["laser.detuning_2ph"], ["laser.delay"])[-3:]
        ('true:laser.detuning_2ph', 'knob:laser.delay', 'actions')
    """
    return (*BASE_COLUMNS, *(TRUE + p for p in drift_paths), *(KNOB + k for k in knob_names),
            ACTIONS)


def format_value(value: Any) -> str:
    """One CSV cell: floats as ``repr`` (round-trip exact), None as empty, others as ``str``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value)


class CsvLog:
    """An append-only CSV file with a fixed header.

    Args:
        path: the file.
        columns: the header.
    """

    def __init__(self, path: str | Path, columns: Sequence[str]) -> None:
        self.path = Path(path)
        self.columns = tuple(columns)

    def _header_line(self) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(self.columns)
        return buf.getvalue()

    def start(self) -> None:
        """Create the file with its header (overwriting nothing: it must not exist)."""
        with open(self.path, "x", encoding="utf-8", newline="") as fh:
            fh.write(self._header_line())
            fh.flush()
            os.fsync(fh.fileno())

    def rows(self) -> int:
        """Complete data rows in the file (a torn last line is not counted)."""
        if not self.path.exists():
            return 0
        text = self.path.read_text(encoding="utf-8")
        lines = text.split("\n")
        complete = lines[:-1] if not text.endswith("\n") else lines[:-1]
        return max(0, len([ln for ln in complete[1:] if ln]))

    def truncate(self, rows: int) -> None:
        """Keep the header and the first ``rows`` complete rows; drop anything after.

        The file is cut in place (no rewrite), so a resume on a full disk cannot lose the rows
        already there, and a torn last line (even a torn multi-byte character) is dropped.

        Raises:
            ValueError: if the header differs from ``columns`` (a file from another run).
        """
        header = self._header_line().encode("utf-8")
        with open(self.path, "r+b") as fh:
            data = fh.read()
            if not data.startswith(header):
                raise ValueError(f"{self.path}: its header does not match this run's columns")
            end = len(header)
            for _ in range(rows):
                nl = data.find(b"\n", end)
                if nl < 0:
                    break
                end = nl + 1
            if end < len(data):
                fh.truncate(end)
                fh.flush()
                os.fsync(fh.fileno())

    def append(self, row: dict[str, Any]) -> None:
        """Append one row (missing columns empty), flush and fsync."""
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(
            [format_value(row.get(c)) for c in self.columns])
        with open(self.path, "a", encoding="utf-8", newline="") as fh:
            fh.write(buf.getvalue())
            fh.flush()
            os.fsync(fh.fileno())


# --------------------------------------------------------------------------- reading


def check_header(path: Path, header: Sequence[str]) -> None:
    """Raise :class:`UserError` naming ``path`` if ``header`` is not a telemetry header."""
    expected = ", ".join(BASE_COLUMNS) + ", true:<path>..., knob:<name>..., actions"
    if len(header) < len(BASE_COLUMNS) + 1:
        raise UserError(f"{path}: header has {len(header)} columns, expected at least "
                        f"{len(BASE_COLUMNS) + 1}: {expected}")
    for i, (got, want) in enumerate(zip(header, BASE_COLUMNS, strict=False), start=1):
        if got != want:
            raise UserError(f"{path}: header column {i} is {got!r}, expected {want!r} "
                            f"(columns: {expected})")
    if header[-1] != ACTIONS:
        raise UserError(f"{path}: last header column is {header[-1]!r}, expected 'actions'")
    seen_knob = False
    for i, name in enumerate(header[len(BASE_COLUMNS):-1], start=len(BASE_COLUMNS) + 1):
        if name.startswith(KNOB) and len(name) > len(KNOB):
            seen_knob = True
        elif not name.startswith(TRUE) or len(name) == len(TRUE):
            raise UserError(f"{path}: header column {i} is {name!r}, expected 'true:<path>' "
                            "or 'knob:<name>' between the fixed columns and 'actions'")
        elif seen_knob:
            raise UserError(f"{path}: header column {i} {name!r} comes after a knob column; "
                            "'true:*' columns come before 'knob:*' columns")
    dup = sorted({h for h in header if list(header).count(h) > 1})
    if dup:
        raise UserError(f"{path}: duplicate header columns: {', '.join(dup)}")


class Telemetry:
    """A telemetry file as numpy columns.

    Attributes:
        columns: column names, in file order.
        arrays: one array per column (float64 with NaN for empty cells; ``TEXT_COLUMNS`` as
            ``str`` object arrays).
        notes: what the reader noticed (an empty file, a cut-off last line).
    """

    def __init__(self, columns: tuple[str, ...], arrays: Mapping[str, np.ndarray],
                 notes: tuple[str, ...]) -> None:
        self.columns = columns
        self.arrays = arrays
        self.notes = notes

    @property
    def rows(self) -> int:
        """Number of rows (windows) read."""
        return len(self.arrays["window"])


def _column(path: Path, name: str, values: list[str], first_line: int) -> np.ndarray:
    if name in TEXT_COLUMNS:
        return np.array(values, dtype=object)
    out = np.empty(len(values), dtype=float)
    for i, v in enumerate(values):
        try:
            out[i] = float(v) if v.strip() else math.nan
        except ValueError:
            raise UserError(f"{path}: line {first_line + i}, column {name!r}: {v!r} is not a "
                            "number") from None
    return out


def read_telemetry(path: str | Path) -> Telemetry:
    """Read a ``telemetry.csv`` (a cut-off last line, as a kill mid-write leaves, is dropped).

    Raises:
        UserError: unreadable file, a header that is not a telemetry header, or a malformed
            row (naming the file, the line and the column).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None
    if not text.strip():
        header = [*BASE_COLUMNS, ACTIONS]
        return Telemetry(tuple(header), {h: _column(path, h, [], 2) for h in header},
                         ("telemetry.csv is empty",))
    rows = list(csv.reader(io.StringIO(text)))
    header, data = rows[0], [r for r in rows[1:] if r]
    check_header(path, header)
    notes = []
    if data and len(data[-1]) != len(header) and not text.endswith("\n"):
        data.pop()
        notes.append("the last telemetry line was cut off and is ignored")
    for lineno, row in enumerate(data, start=2):
        if len(row) != len(header):
            raise UserError(f"{path}: line {lineno} has {len(row)} fields, expected "
                            f"{len(header)} (as in the header)")
    by_col = list(zip(*data, strict=True)) if data else [() for _ in header]
    arrays = {name: _column(path, name, list(vals), 2)
              for name, vals in zip(header, by_col, strict=True)}
    return Telemetry(tuple(header), arrays, tuple(notes))


def total_wall_seconds(path: str | Path) -> float | None:
    """Total wall time of a ``timing.csv`` (s), None if absent or unreadable."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return sum(float(r["wall_s"]) for r in csv.DictReader(fh) if r.get("wall_s"))
    except (OSError, UnicodeDecodeError, KeyError, ValueError, TypeError):
        return None
