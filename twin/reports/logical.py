"""Report of ``quantacore logical``: logical.json, PNG plots and logical.html.

Plots draw what was measured: a point with errors at its rate with its 95 % Wilson interval; a
point with no error as an upper bound (a down-pointing marker at the interval's upper end),
never as a value on the log axis.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from twin.reports.html import html_page, html_table
from twin.reports.plots import new_figure, save_figure
from twin.studies.logical import LogicalResult
from twin.studies.logical_summary import summaries

__all__ = ["format_logical", "write_logical_report"]


def _point_text(point: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in point.items()) or "device"


def format_logical(result: LogicalResult) -> str:
    """The result as a plain-text table (one row per experiment, distance and point)."""
    head = (f"{'point':<22} {'experiment':<17} {'run':<6} {'d':>3} {'decoder':<15} {'shots':>7} "
            f"{'errors':>6} {'per operation [95% CI]':<32} {'per round':>10} {'qubits':>6} "
            f"{'remote':>6} {'local':>6} {'heralds':>8} {'time (µs)':>9}")
    lines = [head]
    for r in result.rows:
        lo, hi = r.rate.per_shot_ci
        lines.append(
            f"{_point_text(r.point):<22} {r.experiment:<17} {r.variant:<6} {r.distance:>3} "
            f"{r.decoder:<15} "
            f"{r.rate.shots:>7} {r.rate.errors:>6} "
            f"{r.rate.per_shot:<9.3g} [{lo:.2e}, {hi:.2e}]  {r.rate.per_round:>10.3g} "
            f"{r.qubits:>6} {r.remote_gates:>6} {r.local_gates:>6} {r.heralds_per_shot:>8.3g} "
            f"{r.duration_us:>9.0f}")
    lines += ["", "per operation (its runs summed: an upper bound on the logical infidelity; "
              "for a prepared state, fidelity between 1 - sum and 1 - max):",
              f"{'point':<22} {'experiment':<17} {'d':>3} {'error [95% CI]':<30} "
              f"{'fidelity range':<17} {'time (µs)':>9} {'remote':>6}"]
    for s in summaries(result.rows):
        lo, hi = s["interval"]
        f0, f1 = s["fidelity"]
        lines.append(f"{_point_text(s['point']):<22} {s['experiment']:<17} {s['distance']:>3} "
                     f"{s['per_operation']:<9.3g} [{lo:.2e}, {hi:.2e}] {f0:.4f}-{f1:.4f}   "
                     f"{s['duration_us']:>9.0f} {s['remote_gates']:>6}")
    if result.projections:
        lines += ["", f"at the target error per operation {result.target:g} (fit "
                      "eps_d = A/Lambda^((d+1)/2) over the distances run; 95% bootstrap range):",
                  f"{'point':<22} {'experiment':<17} {'Lambda':>7} {'d':>4} {'d range':<10} "
                  f"{'op time (µs)':>12} {'qubits':>7} {'remote':>7}"]
        for p in result.projections:
            lines.append(_projection_line(p))
        lines += _cheaper(result.projections)
    for d, c in sorted(result.crossovers.items()):
        if c.value is None:
            lines.append(f"crossover surgery-cnot / transversal-cnot, d={d}: none in the swept "
                         f"range of {result.sweep_key} ({100 * c.crossed:.0f}% of resamples "
                         "cross)")
        else:
            lines.append(f"crossover surgery-cnot / transversal-cnot, d={d}: {result.sweep_key}"
                         f" = {c.value:.4g}  95% bootstrap [{c.interval[0]:.4g}, "
                         f"{c.interval[1]:.4g}] ({100 * c.crossed:.0f}% of resamples cross)")
    return "\n".join(lines)


def _projection_line(p: dict) -> str:
    lo, hi = p["distance_range"]
    rng = f"{lo if lo is not None else '-'}-{hi if hi is not None else 'inf'}"
    d = "inf" if p["distance"] is None else str(p["distance"])
    cost = ("unreachable (Lambda <= 1)" if p["distance"] is None else
            f"{p['duration_us']:>12.0f} {p['qubits']:>7} {p['remote_gates']:>7}")
    return (f"{_point_text(p['point']):<22} {p['experiment']:<17} {p['lam']:>7.3g} {d:>4} "
            f"{rng:<10} {cost}")


def _cheaper(projections: Sequence[dict]) -> list[str]:
    """One line per point where both CNOTs were projected: which is faster, which smaller."""
    out = []
    points = {tuple(p["point"].items()) for p in projections}
    for pt in sorted(points):
        both = {p["experiment"]: p for p in projections if tuple(p["point"].items()) == pt
                and p["experiment"] in ("surgery-cnot", "transversal-cnot")}
        if len(both) < 2:
            continue
        s, t = both["surgery-cnot"], both["transversal-cnot"]
        if s["distance"] is None or t["distance"] is None:
            ok = "surgery-cnot" if t["distance"] is None else "transversal-cnot"
            out.append(f"{_point_text(dict(pt))}: only {ok} reaches the target")
            continue
        fast = min((s, t), key=lambda p: p["duration_us"])["experiment"]
        small = min((s, t), key=lambda p: p["qubits"])["experiment"]
        out.append(f"{_point_text(dict(pt))}: at the target, {fast} is faster "
                   f"({s['duration_us']:.0f} vs {t['duration_us']:.0f} µs, surgery vs "
                   f"transversal) and {small} uses fewer qubits ({s['qubits']} vs "
                   f"{t['qubits']})")
    return out


def _draw(ax, items: Sequence[dict], xs: Sequence[float], label: str) -> None:
    """One curve of ``summaries`` items.

    Points with errors at their rate with their intervals; an operation that saw no error as
    an upper bound (a down-pointing marker at the interval's upper end), never as a value.
    """
    hit = [(x, s) for x, s in zip(xs, items, strict=True) if s["per_operation"] > 0]
    zero = [(x, s) for x, s in zip(xs, items, strict=True) if s["per_operation"] == 0]
    color = None
    if hit:
        x, y = [p[0] for p in hit], [p[1]["per_operation"] for p in hit]
        err = [[max(0.0, p[1]["per_operation"] - p[1]["interval"][0]) for p in hit],
               [max(0.0, p[1]["interval"][1] - p[1]["per_operation"]) for p in hit]]
        bars = ax.errorbar(x, y, yerr=err, marker="o", capsize=3, label=label)
        color = bars.lines[0].get_color()
    if zero:
        ax.scatter([p[0] for p in zero], [p[1]["interval"][1] for p in zero], marker="v",
                   color=color, label=f"{label}: 0 errors (upper bound)" if not hit else None)


def write_logical_report(result: LogicalResult, out: str | Path, *,
                         command: str = "", version: str = "", seed: int = 0) -> list[Path]:
    """Write ``logical.json``, the plots and ``logical.html`` into the folder ``out``.

    Args:
        result: what ``twin.studies.logical.run_logical`` returned.
        out: the folder (created).
        command: the command line that produced it (shown on the page).
        version: the package version (shown on the page).
        seed: the sampling seed (shown on the page).

    Returns:
        The written files.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "logical.json"]
    written[0].write_text(json.dumps(result.to_json(), indent=2))
    images = []
    points = sorted({tuple(r.point.items()) for r in result.rows})
    summ = summaries(result.rows)
    fig, (ax,) = new_figure(width=6.4, row_height=3.8)
    for exp in dict.fromkeys(r.experiment for r in result.rows):
        items = sorted((s for s in summ if s["experiment"] == exp
                        and tuple(s["point"].items()) == points[0]), key=lambda s: s["distance"])
        _draw(ax, items, [s["distance"] for s in items], exp)
    ax.set_yscale("log")
    ax.set_xlabel("code distance d")
    ax.set_ylabel("logical error per operation")
    ax.set_title(f"Logical operations ({_point_text(dict(points[0]))})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    images.append(save_figure(fig, out / "logical_error.png"))
    key = result.sweep_key
    if key and len(points) >= 2:
        fig, (ax,) = new_figure(width=6.4, row_height=3.8)
        for exp in dict.fromkeys(r.experiment for r in result.rows):
            for d in sorted({r.distance for r in result.rows}):
                items = sorted((s for s in summ if s["experiment"] == exp
                                and s["distance"] == d), key=lambda s: s["point"][key])
                if items:
                    _draw(ax, items, [s["point"][key] for s in items], f"{exp} d={d}")
        for d, c in result.crossovers.items():
            if c.value is not None:
                ax.axvline(c.value, color="grey", linestyle="--", linewidth=1,
                           label=f"crossover d={d}: {c.value:.3g}")
                if c.interval[0] == c.interval[0]:
                    ax.axvspan(c.interval[0], c.interval[1], color="grey", alpha=0.15)
        ax.set_yscale("log")
        ax.set_xlabel(result.sweep_key)
        ax.set_ylabel("logical error per operation")
        ax.set_title("Surgery vs transversal along the sweep")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        images.append(save_figure(fig, out / "logical_sweep.png"))
    header = ["point", "experiment", "run", "d", "decoder", "shots", "errors", "per shot",
              "95 % interval", "per round", "qubits", "remote gates", "local gates",
              "heralds / op", "time (µs)"]
    table = [[_point_text(r.point), r.experiment, r.variant, r.distance, r.decoder, r.rate.shots,
              r.rate.errors, f"{r.rate.per_shot:.3e}",
              f"[{r.rate.per_shot_ci[0]:.2e}, {r.rate.per_shot_ci[1]:.2e}]",
              f"{r.rate.per_round:.3e}", r.qubits, r.remote_gates, r.local_gates,
              f"{r.heralds_per_shot:.3g}", f"{r.duration_us:.0f}"] for r in result.rows]
    what = html_table(["command", "version", "seed"], [[command or "(API)", version, seed]])
    ops = [[_point_text(s["point"]), s["experiment"], s["distance"], f"{s['per_operation']:.3e}",
            f"[{s['interval'][0]:.2e}, {s['interval'][1]:.2e}]",
            f"{s['fidelity'][0]:.4f} – {s['fidelity'][1]:.4f}", f"{s['duration_us']:.0f}",
            s["remote_gates"], s["qubits"]] for s in summ]
    sections = [("What was run", what),
                ("Per operation (runs summed)", html_table(
                    ["point", "experiment", "d", "error", "95 % interval", "fidelity range",
                     "time (µs)", "remote gates", "qubits"], ops)),
                ("Runs", html_table(header, table))]
    if result.projections:
        proj = [[_point_text(p["point"]), p["experiment"], f"{p['lam']:.3g}",
                 "∞" if p["distance"] is None else p["distance"],
                 f"{p['distance_range'][0]}–{p['distance_range'][1] or '∞'}",
                 "" if p["duration_us"] is None else f"{p['duration_us']:.0f}",
                 p["qubits"] or "", p["remote_gates"] if p["remote_gates"] is not None else ""]
                for p in result.projections]
        sections.append((f"At the target error per operation {result.target:g}",
                         html_table(["point", "experiment", "Λ", "distance", "95 % range",
                                     "op time (µs)", "qubits", "remote gates"], proj)
                         + "".join(f"<p>{line}</p>" for line in _cheaper(result.projections))))
    if result.crossovers:
        cross = [[d, "none in range" if c.value is None else f"{c.value:.4g}",
                  f"[{c.interval[0]:.4g}, {c.interval[1]:.4g}]", f"{100 * c.crossed:.0f} %"]
                 for d, c in sorted(result.crossovers.items())]
        sections.append((f"Surgery-CNOT vs transversal-CNOT crossover in {result.sweep_key}",
                         html_table(["d", "crossover", "95 % bootstrap", "resamples crossing"],
                                    cross)))
    page = out / "logical.html"
    page.write_text(html_page("QuantaCore logical operations", sections, images))
    return [*written, *images, page]
