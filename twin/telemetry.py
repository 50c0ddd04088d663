"""Telemetry files of a run: one CSV row per window, appended, flushed and fsynced.

``telemetry.csv`` is deterministic (same scenario and seed → byte-identical file); wall-clock
times go to ``timing.csv`` beside it. Floats are written with ``repr`` (shortest round trip).
On resume the files are cut back (in place) to the last window the checkpoint knows, so a crash
between writing a row and writing the checkpoint neither loses nor duplicates a row.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["BASE_COLUMNS", "CsvLog", "format_value"]

BASE_COLUMNS: tuple[str, ...] = (
    "window", "time_s", "lost", "code", "distance", "decoder", "shots", "errors",
    "ler_per_round", "ler_ci_low", "ler_ci_high", "detection_fraction", "herald_fraction",
    "noise_gate_1q", "noise_gate_2q", "noise_erasure_2q", "noise_measure", "noise_idle",
)
"""Columns every telemetry file starts with; ``true:<path>`` and ``knob:<name>`` columns and
``actions`` follow."""


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
