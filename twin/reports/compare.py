"""The report of a code comparison: ``compare.json``, PNG plots and one HTML page."""

from __future__ import annotations

import json
from pathlib import Path

from twin.reports.html import html_page, html_table
from twin.reports.plots import Curve, plot_curves
from twin.studies.compare import CompareResult

__all__ = ["write_compare_report"]


def _fmt(x: float | None, spec: str = ".3g") -> str:
    return "-" if x is None else format(x, spec)


def write_compare_report(result: CompareResult, out: str | Path) -> list[Path]:
    """Write ``compare.json``, the PNG plots and ``compare.html`` into the folder ``out``.

    Args:
        result: what ``twin.studies.compare.run_compare`` returned.
        out: the folder (created).

    Returns:
        The written files.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(result.to_json(), indent=2))
    curves = []
    for s in result.summaries:
        ds = sorted(s.ler_by_distance)
        lows = {d: 0.0 for d in ds}
        highs = {d: 0.0 for d in ds}
        for r in result.rows:
            if r.code == s.code and r.decoder == s.decoder:
                lows[r.distance] += r.rate.per_round_ci[0]
                highs[r.distance] += r.rate.per_round_ci[1]
        curves.append(Curve(f"{s.code} / {s.decoder}", ds, [s.ler_by_distance[d] for d in ds],
                            [lows[d] for d in ds], [highs[d] for d in ds]))
    fits = []
    for s in result.summaries:
        if s.lam and s.lam > 1 and s.ler_by_distance:
            d0 = min(s.ler_by_distance)
            d1 = max(max(s.ler_by_distance), s.projected_distance or 0)
            xs = list(range(d0, d1 + 1, 2))
            fits.append((f"{s.code} / {s.decoder} fit Λ={s.lam:.2g}", xs,
                         [s.prefactor / s.lam ** ((d + 1) / 2) for d in xs]))
    images = [plot_curves(curves, out / "compare_ler.png", title="Logical error per round",
                          xlabel="code distance d", ylabel="ε per round (Z + X memories)",
                          target=result.summaries[0].target if result.summaries else None,
                          fits=fits, integer_x=True)]
    if result.threshold_rows:
        tcurves: dict[tuple[str, str, int], dict[float, list[float]]] = {}
        for scale, r in result.threshold_rows:
            acc = tcurves.setdefault((r.code, r.decoder, r.distance), {}).setdefault(
                scale, [0.0, 0.0, 0.0])
            acc[0] += r.rate.per_round
            acc[1] += r.rate.per_round_ci[0]
            acc[2] += r.rate.per_round_ci[1]
        tc = []
        for (code, dec, d), pts in sorted(tcurves.items()):
            xs = sorted(pts)
            tc.append(Curve(f"{code} / {dec} d={d}", xs, [pts[x][0] for x in xs],
                            [pts[x][1] for x in xs], [pts[x][2] for x in xs]))
        images.append(plot_curves(tc, out / "compare_threshold.png", logx=True,
                                  title="Threshold sweep (device noise × scale)",
                                  xlabel="noise scale", ylabel="ε per round"))
    rows = [[r.code, r.distance, r.decoder, r.basis, r.rate.shots, r.rate.errors,
             f"{r.rate.per_round:.3e}",
             f"[{r.rate.per_round_ci[0]:.2e}, {r.rate.per_round_ci[1]:.2e}]",
             r.logical_qubits, f"{r.per_logical:.3e}", r.qubits, r.modes,
             r.remote_gates_per_round]
            for r in result.rows]
    summ = [[s.code, s.decoder, s.logical_qubits, _fmt(s.lam), _fmt(s.projected_distance, "d"),
             _fmt(s.projected_qubits_per_logical, ".4g"),
             _fmt(s.projected_modes_per_logical, ".4g"),
             _fmt(s.projected_remote_gates_per_logical, ".4g"),
             _fmt(s.threshold_scale)] for s in result.summaries]
    page = html_page("QuantaCore code comparison", [
        ("Summary (per logical qubit)", html_table(
            ["code", "decoder", "k", "Λ", "d for target", "qubits / k", "modes / k",
             "remote gates / round / k", "threshold (× noise)"], summ)),
        ("Results", html_table(["code", "d", "decoder", "basis", "shots", "errors",
                                "ε/round (block)", "95% CI", "k", "ε/round/k", "qubits",
                                "modes", "remote gates / round"], rows)),
        ("Normalisation", "<p>ε per round = (1 − (1 − 2·P_shot)^(1/rounds))/2, 95 % Wilson "
                          "intervals; the summary sums the Z and X memories. A block of k "
                          "logical qubits (the BB codes) fails when any of them does; per "
                          "logical qubit ε/k = 1 − (1 − ε)^(1/k), and the target is per "
                          "logical qubit.</p>"),
    ], images)
    html_path = out / "compare.html"
    html_path.write_text(page, encoding="utf-8")
    return [out / "compare.json", *images, html_path]
