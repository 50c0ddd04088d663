"""One report of every benchmark: ratios measured side by side in one run, and the machine.

``python -m bench`` runs each benchmark's ``measure(...)`` in this process, one after the other,
and prints one table (what, ours, reference, ratio, target, met) plus the machine it ran on.
Progress goes to stderr. A benchmark that fails gets its error in its row; the others still run
and the exit code is 1. Benchmark modules are imported lazily, so a missing optional one (the
soak) is skipped with a note.

Modes: ``--quick`` (small sizes, a smoke test: targets are not judged), default (the figures of
``bench/README.md``), ``--full`` (adds the long soak). ``--only a,b`` picks benchmarks,
``--json OUT`` writes every raw measurement, ``--markdown`` prints the table as Markdown,
``--from-json OUT`` prints a saved run again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import math
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSIONED = ("numpy", "scipy", "stim", "pymatching", "qutip", "numba", "ldpc")
MODES = ("quick", "default", "full")


@dataclass
class Row:
    """One line of the table.

    Attributes:
        what: the quantity, with the sense of the ratio (``ours / bare``, ``speedup``...).
        ours: the project's figure, with units.
        reference: the figure it is compared with (``""`` when none).
        ratio: the ratio (None for a row without one, e.g. an accuracy figure).
        target: the target as text (``"≤ 1.5×"``; ``""`` when none).
        met: whether the target is met (None: no target, or not judged).
    """

    what: str
    ours: str
    reference: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None


@dataclass(frozen=True)
class Benchmark:
    """A benchmark of the report.

    Attributes:
        name: its name on the command line (``--only``).
        module: the module under ``bench`` that has ``measure(**kwargs) -> dict``.
        kwargs: ``measure`` keyword arguments per mode (``quick``, ``default``, ``full``).
        rows: the table rows of a measurement.
        optional: a missing module is a skip, not a failure.
        full_only: run only in ``--full`` mode (or when named by ``--only``).
    """

    name: str
    module: str
    kwargs: dict[str, dict]
    rows: Callable[[dict], list[Row]]
    optional: bool = False
    full_only: bool = False


@dataclass
class Result:
    """What one benchmark gave: raw measurement, rows, or its error."""

    name: str
    status: str  # "ok", "failed" or "skipped"
    seconds: float
    load_before: float
    load_after: float | None = None
    raw: dict | None = None
    rows: list[Row] = field(default_factory=list)
    error: str = ""


# --- rows of each benchmark -------------------------------------------------------------------
def _at_most(value: float, limit: float) -> bool:
    return bool(value <= limit)


def _at_least(value: float, limit: float) -> bool:
    return bool(value >= limit)


def _ms(seconds: float) -> str:
    return f"{1e3 * seconds:.2f} ms"


def stirap_rows(r: dict) -> list[Row]:
    n, k = r["points"], r["process_points"]
    return [
        Row(f"STIRAP efficiency batch, {n} pts: speedup qutip/numba", _ms(r["numba_s"]),
            _ms(r["qutip_s"]), r["speedup"], "≥ 30×", _at_least(r["speedup"], 30)),
        Row("STIRAP max |Δ efficiency| numba vs qutip", f"{r['max_d_efficiency']:.1e}", "", None,
            "≤ 1e-4", _at_most(r["max_d_efficiency"], 1e-4)),
        Row(f"stirap_process per call ({k} pts): speedup qutip/numba",
            _ms(r["process_numba_s"]), _ms(r["process_qutip_s"]), r["process_speedup"]),
        Row("stirap_process max |ΔS| numba vs qutip", f"{r['process_max_d']:.1e}", "", None,
            "≤ 1e-4", _at_most(r["process_max_d"], 1e-4)),
    ]


def qec_rows(r: dict) -> list[Row]:
    return [Row(f"sample+decode d={o['d']} ({o['shots']} shots): ours/bare µs per shot",
                f"{o['ours_us']:.2f} µs", f"{o['bare_us']:.2f} µs", o["ratio"], "≤ 1.2×",
                _at_most(o["ratio"], 1.2)) for o in r["overhead"]]


def twin_rows(r: dict) -> list[Row]:
    return [Row(f"twin window d=5 ({r['shots']} shots): twin/bare median",
                f"{r['twin_ms']:.1f} ms", f"{r['bare_ms']:.1f} ms", r["ratio"], "≤ 1.5×",
                _at_most(r["ratio"], 1.5))]


def estimator_rows(r: dict) -> list[Row]:
    return [
        Row(f"estimator per window ({r['shots']} shots): estimate/(sample+decode)",
            f"{r['estimate_ms']:.3f} ms", f"{r['sample_decode_ms']:.2f} ms", r["ratio"], "≤ 0.20",
            _at_most(r["ratio"], 0.20)),
        Row(f"estimator accuracy ({r['accuracy_shots']} shots): median |Δp|/p of pairs",
            f"{r['median_rel_error']:.3f}", f"scale {r['scale']:.3f}", None, "≤ 0.10",
            _at_most(r["median_rel_error"], 0.10)),
    ]


def controller_rows(r: dict) -> list[Row]:
    return [Row(f"ai controller per window ({r['shots']} shots): ctl/(sample+decode)",
                f"{r['controller_ms']:.2f} ms", f"{r['bare_ms']:.2f} ms", r["ratio"], "≤ 0.10",
                _at_most(r["ratio"], 0.10))]


def parallel_rows(r: dict) -> list[Row]:
    note = "" if r["identical"] else " (counts DIFFER)"
    return [Row(f"sweep {r['tasks']}×{r['shots']} shots, {r['workers']} workers: "
                f"speedup serial/parallel{note}", f"{r['parallel_s']:.2f} s",
                f"{r['serial_s']:.2f} s", r["speedup"], "≥ 1.7×",
                _at_least(r["speedup"], 1.7) and r["identical"])]


def erasure_rows(r: dict) -> list[Row]:
    per = {"gate": "per 2q gate", "data-round": "per data qubit per round"}[r.get("per", "gate")]
    head = (f"d={r['distance']}, p={r['p']:.1%}, {r['erasure']:.0%} erasure {per}, "
            f"{r['shots']} shots")
    return [
        Row(f"erasure {head}: P_L gain mwpm/mwpm-erasure",
            f"{r['pl_aware']:.2e}", f"{r['pl_naive']:.2e}", r["gain"], "≥ 5×",
            _at_least(r["gain"], 5)),
        Row("erasure decode per shot, same shots: mwpm-erasure/mwpm",
            f"{r['us_aware']:.1f} µs", f"{r['us_naive']:.1f} µs", r["cost"]),
    ]


def decoder_rows(r: list[dict]) -> list[Row]:
    rows = []
    for c in r:
        her = "heralds" if c["heralds"] else "no heralds"
        what = f"decoder {c['decoder']} d={c['d']} {her}, {c['shots']} shots: ours/upstream time"
        if c["ratio"] is None:
            rows.append(Row(f"decoder {c['decoder']} d={c['d']} {her}, {c['shots']} shots",
                            f"{c['us_shot']:.1f} µs/shot ({c['errors']} errors)"))
            continue
        judged = c["decoder"] in ("bposd", "belief-matching") and not c["heralds"]
        rows.append(Row(what, f"{c['us_shot']:.1f} µs/shot ({c['errors']} errors)",
                        f"{c['up_us_shot']:.1f} µs/shot ({c['up_errors']} errors)", c["ratio"],
                        "≤ 1.2×" if judged else "", _at_most(c["ratio"], 1.2) if judged
                        else None))
    return rows


def streaming_rows(r: dict) -> list[Row]:
    return [
        Row(f"streaming d={r['d']}, {r['rounds']} rounds, {r['shots']} shots: errors "
            "window/whole", str(r["errors_window"]), str(r["errors_whole"]), r["ratio"],
            "≤ 1.2×", _at_most(r["ratio"], 1.2)),
        Row(f"streaming d={r['d']}: decode per round / device round time (max backlog "
            f"{r['backlog_rounds']:.1f} rounds)", f"{r['us_per_round_mean']:.1f} µs",
            f"{r['round_time_us']:.0f} µs", r["us_per_round_mean"] / r["round_time_us"],
            "< 1×", r["keeps_up"]),
    ]


def soak_rows(r: dict) -> list[Row]:
    """The soak's own ``rows`` (dicts of ``Row`` fields) if it gives them, else its scalars."""
    if isinstance(r.get("rows"), list):
        return [Row(**row) for row in r["rows"]]
    return [Row(f"soak: {key}", _scalar(value)) for key, value in r.items()
            if isinstance(value, int | float | str | bool)]


def _scalar(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


BENCHMARKS = (
    # the soak first: its RSS figures are of this process, before the others allocate anything
    Benchmark("soak", "bench_soak", {"quick": {"windows": 200, "shots": 100}, "default": {}},
              soak_rows, optional=True, full_only=True),
    Benchmark("stirap", "bench_stirap", {"quick": {"points": 32, "process_points": 2},
                                         "default": {}}, stirap_rows),
    Benchmark("qec", "bench_qec", {"quick": {"quick": True, "with_decoders": False},
                                   "default": {}}, qec_rows),
    Benchmark("twin", "bench_twin", {"quick": {"windows": 4, "shots": 5_000}, "default": {}},
              twin_rows),
    Benchmark("estimator", "bench_estimator",
              {"quick": {"repeats": 5, "accuracy_shots": 20_000}, "default": {}},
              estimator_rows),
    Benchmark("controller", "bench_controller", {"quick": {"windows": 5, "shots": 5_000},
                                                 "default": {}}, controller_rows),
    Benchmark("parallel", "bench_parallel", {"quick": {"quick": True}, "default": {}},
              parallel_rows),
    Benchmark("erasure", "bench_erasure", {"quick": {"shots": 10_000}, "default": {}},
              erasure_rows),
    Benchmark("erasure-literature", "bench_erasure",
              {"quick": {"shots": 10_000, "per": "data-round"}, "default": {"per": "data-round"}},
              erasure_rows),
    Benchmark("streaming", "bench_streaming",
              {"quick": {"d": 5, "rounds": 30, "shots": 300}, "default": {"d": 11}},
              streaming_rows),
    Benchmark("decoders", "bench_decoders",
              {"quick": {"distances": (5,), "budget": 0.5, "shots": 500}, "default": {}},
              decoder_rows),
)
NAMES = tuple(b.name for b in BENCHMARKS)


# --- the machine ------------------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, text=True,
                             capture_output=True, timeout=10, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine() -> dict:
    """CPU model, cores, memory, Python, package versions, commit, load average, date (UTC)."""
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": affinity,
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {name: _version(name) for name in VERSIONED},
        "commit": _git_commit(),
        "load_average": list(os.getloadavg()),
    }


# --- running ----------------------------------------------------------------------------------
def run_one(bench: Benchmark, mode: str) -> Result:
    """Import the benchmark's module, measure, and turn the measurement into rows."""
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    kwargs = bench.kwargs.get(mode, bench.kwargs["default"])
    try:
        module = importlib.import_module(f"bench.{bench.module}")
    except ModuleNotFoundError as exc:
        if bench.optional and exc.name == f"bench.{bench.module}":
            return Result(bench.name, "skipped", time.perf_counter() - t0, load_before=load,
                          error=f"bench/{bench.module}.py not present")
        return _failed(bench, t0, load)
    except Exception:  # a broken module: reported in its row
        return _failed(bench, t0, load)
    try:
        raw = module.measure(**kwargs)
        rows = bench.rows(raw)
    except Exception:  # reported in its row; the others still run
        return _failed(bench, t0, load)
    if mode == "quick":
        for row in rows:
            row.met = None
    return Result(bench.name, "ok", time.perf_counter() - t0, load_before=load, raw=raw,
                  rows=rows)


def _failed(bench: Benchmark, t0: float, load: float) -> Result:
    exc_type, exc, _ = sys.exc_info()
    detail = traceback.format_exc()
    print(detail, file=sys.stderr)
    error = f"{exc_type.__name__}: {exc}" if exc_type else "unknown error"
    return Result(bench.name, "failed", time.perf_counter() - t0, load_before=load,
                  error=error)


def selected(only: list[str] | None, mode: str) -> list[Benchmark]:
    """The benchmarks to run: those named, else all (the full-only ones in ``full`` mode)."""
    if only:
        return [b for b in BENCHMARKS if b.name in only]
    return [b for b in BENCHMARKS if mode == "full" or not b.full_only]


def run(names: list[str] | None = None, mode: str = "default") -> dict:
    """Run the benchmarks and return the report.

    Args:
        names: benchmark names (``NAMES``); None: all of the mode.
        mode: ``quick``, ``default`` or ``full``.

    Returns:
        ``mode``, ``machine`` (at the start), ``load_after``, ``seconds`` (in all) and
        ``results`` (one ``Result`` per benchmark, in order).
    """
    if mode not in MODES:
        raise ValueError(f"mode = {mode!r}: must be one of {', '.join(MODES)}")
    info = machine()
    t0 = time.perf_counter()
    results = []
    for bench in selected(names, mode):
        print(f"[bench] {bench.name} ({mode}) ...", file=sys.stderr, flush=True)
        result = run_one(bench, mode)
        result.load_after = os.getloadavg()[0]
        print(f"[bench] {bench.name}: {result.status} in {result.seconds:.1f} s"
              + (f" ({result.error})" if result.error else ""), file=sys.stderr, flush=True)
        results.append(result)
    return {"mode": mode, "machine": info, "load_after": list(os.getloadavg()),
            "seconds": time.perf_counter() - t0, "results": results}


# --- formatting -------------------------------------------------------------------------------
HEADER = ("bench", "what", "ours", "reference", "ratio", "target", "met")


def _ratio(value: float | None) -> str:
    if value is None:
        return ""
    if not math.isfinite(value):
        return str(value)
    return f"{value:.0f}×" if value >= 20 else f"{value:.3g}×"


def _met(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "NO")


def table_rows(report: dict) -> list[tuple[str, ...]]:
    """The table's cells, one tuple per row (errors and skips get one row each)."""
    out = []
    for result in report["results"]:
        if result.status != "ok":
            label = "FAILED: " if result.status == "failed" else "skipped: "
            out.append((result.name, label + result.error, "", "", "", "", ""))
            continue
        for row in result.rows:
            out.append((result.name, row.what, row.ours, row.reference, _ratio(row.ratio),
                        row.target, _met(row.met)))
    return out


def machine_lines(report: dict) -> list[str]:
    m = report["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    mem = f", {m['memory_gib']:.0f} GiB RAM" if m["memory_gib"] else ""
    load = " / ".join(f"{x:.2f}" for x in m["load_average"])
    after = " / ".join(f"{x:.2f}" for x in report["load_after"])
    return [
        f"date: {m['date']}; mode: {report['mode']}; total {report['seconds']:.0f} s; "
        f"commit {m['commit']}",
        f"machine: {m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable){mem}; {m['os']}",
        f"python {m['python']}; {versions}",
        f"load average (1/5/15 min): {load} at start, {after} at end",
        "1-min load average as each began → ended: " + ", ".join(
            f"{r.name} {r.load_before:.2f}→{r.load_after or math.nan:.2f}"
            for r in report["results"]),
        *(["quick mode: sizes too small for the targets, which are not judged"]
          if report["mode"] == "quick" else []),
    ]


def format_text(report: dict) -> str:
    rows = [HEADER, *table_rows(report)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join([*machine_lines(report), "", *lines])


def format_markdown(report: dict) -> str:
    def line(cells) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    body = [line(HEADER), "|" + "|".join("---" for _ in HEADER) + "|"]
    body += [line(r) for r in table_rows(report)]
    return "\n".join([*(f"- {x}" for x in machine_lines(report)), "", *body])


def to_json(report: dict) -> dict:
    return {**report, "results": [asdict(r) for r in report["results"]]}


def from_json(data: dict) -> dict:
    """A report back from ``to_json`` (to print a saved run again, e.g. as Markdown)."""
    results = [Result(**{**r, "rows": [Row(**row) for row in r["rows"]]})
               for r in data["results"]]
    return {**data, "results": results}


# --- command line -----------------------------------------------------------------------------
def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in NAMES]
    if unknown or not names:
        bad = ", ".join(unknown) or "(none)"
        raise argparse.ArgumentTypeError(f"unknown benchmark(s) {bad}: choose from "
                                         f"{', '.join(NAMES)}")
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    sizes = ap.add_mutually_exclusive_group()
    sizes.add_argument("--quick", action="store_true",
                       help="small sizes, a smoke test (targets not judged)")
    sizes.add_argument("--full", action="store_true", help="default sizes plus the long soak")
    ap.add_argument("--only", type=_names, metavar="NAME[,NAME]",
                    help=f"run only these ({', '.join(NAMES)})")
    ap.add_argument("--json", metavar="OUT.json", help="write every raw measurement here")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--from-json", metavar="IN.json",
                    help="print a saved run (from --json) instead of running")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mode = "quick" if args.quick else "full" if args.full else "default"
    if args.from_json:
        report = from_json(json.loads(Path(args.from_json).read_text()))
    else:
        report = run(args.only, mode)
    print(format_markdown(report) if args.markdown else format_text(report))
    if args.json:
        Path(args.json).write_text(json.dumps(to_json(report), indent=2, default=str) + "\n")
    return 1 if any(r.status == "failed" for r in report["results"]) else 0
