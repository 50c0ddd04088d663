"""``quantacore extract``: every operation's Pauli + loss channel for a device.

Prints a table (or JSON) of the channels with the physical figures behind them.
"""

from __future__ import annotations

import argparse
import json

from twin.errors import UserError

__all__ = ["add_arguments", "format_table", "run"]

EXAMPLES = """\
examples:
  quantacore extract
  quantacore extract --json > channels.json
  quantacore extract --device my_device.toml --set cavity.g=150.0
  quantacore extract --drift laser.detuning_2ph=0.05     # calibrated at nominal, then drifted

A device file holds TOML tables named after the sections of the reference device:
  [cavity]
  g = 125.66        # rad/µs (2π × 20 MHz)
  [link]
  length_km = 0.5
Units: µs and rad/µs (2π × MHz); efficiencies and probabilities in [0, 1].
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``quantacore extract``."""
    parser.epilog = EXAMPLES
    parser.add_argument("--device", metavar="FILE.toml",
                        help="device file overriding the reference device")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        dest="overrides",
                        help="override one parameter, e.g. cavity.g=150 (repeatable)")
    parser.add_argument("--drift", metavar="KEY=VALUE", action="append", default=[],
                        help="change a parameter *after* calibration, to see a drift's effect "
                             "(repeatable)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object with 'operations' and 'figures'")
    parser.add_argument("--list-parameters", action="store_true",
                        help="print every settable parameter with its value and exit")


_FIGURE_UNITS = {
    "cooperativity": "C = g²/(2κγ)",
    "emission_efficiency": "V-STIRAP photon out of the cavity",
    "emission_adiabatic_limit": "2C/(2C+1)",
    "stirap_transfer_efficiency": "one transfer |b⟩ → |a⟩ (reset)",
    "gate_1q_raman_area": "rad, π per pulse pair",
    "gate_1q_light_shift": "rad/µs, |b⟩ − |a⟩ on the plateau",
    "gate_1q_raman_detuning_error": "rad/µs, left after the calibration's offset",
    "gate_1q_relative_phase": "rad, second pair's χ",
    "link_efficiency": "fibre × coupling × detector",
    "gkp_sigma": "√ħ units",
    "photon_efficiency": "emission × out-coupling",
    "gate_2q_average_fidelity": "given a herald, (4·p_II + 1)/5",
    "gate_2q_bell_fidelity": "given a herald, CX|+0⟩ vs |Φ+⟩",
    "gate_2q_correlation": "P(both) − P(A)·P(B)",
}


def format_table(result) -> str:
    """Human-readable table of an ``Extraction``."""
    lines = [f"{'operation':<10} {'px':>10} {'py':>10} {'pz':>10} {'erasure':>10} "
             f"{'time (µs)':>10}"]
    for name, op in result.operations.items():
        c = op.channel
        erasure = c.p_loss if c.heralded else 0.0
        lines.append(f"{name:<10} {c.px:>10.3e} {c.py:>10.3e} {c.pz:>10.3e} {erasure:>10.3e} "
                     f"{op.duration:>10.3f}")
    for name, op in result.operations.items():
        if op.pair is None:
            continue
        pair = op.pair
        keep = 1.0 - pair.p_loss
        lines.append("")
        if keep <= 0:
            lines.append(f"{name} never heralds: every attempt fails (joint erasure 1)")
            continue
        lines.append(f"{name} as one two-qubit channel (after CX, control first), given no "
                     "erasure;")
        lines.append(f"  joint erasure {pair.p_loss:.3e} (one herald flags both qubits)")
        ranked = sorted(((p / keep, label) for label, p in pair.to_dict()["probs"].items()
                         if label != "II" and p > 0), reverse=True)
        cells = [f"{label} {p:.2e}" for p, label in ranked[:8]]
        lines.append("  " + "   ".join(cells))
        lines.append(f"  total {pair.p_pauli / keep:.3e}, correlation (P(both) − P(A)P(B)) "
                     f"{pair.correlation:.2e}")
    archs = [k for k in result.figures if k.startswith("gate_2q_error_")]
    if archs:
        lines.append("")
        lines.append(f"{'architecture':<22} {'gate_2q error':>14} {'erasure':>10}   (same "
                     "hardware numbers)")
        for key in archs:
            arch = key.removeprefix("gate_2q_error_")
            lines.append(f"{arch.replace('_', '-'):<22} {result.figures[key]:>14.3e} "
                         f"{result.figures['gate_2q_erasure_' + arch]:>10.3e}")
    lines.append("")
    lines.append(f"{'encoding':<10} {'px':>10} {'py':>10} {'pz':>10}   (per cycle)")
    for name, c in result.bosonic.items():
        lines.append(f"{name:<10} {c.px:>10.3e} {c.py:>10.3e} {c.pz:>10.3e}")
    lines.append("")
    lines.append("figures")
    for name, value in result.figures.items():
        note = _FIGURE_UNITS.get(name, "")
        lines.append(f"  {name:<30} {value:>12.6g}  {note}".rstrip())
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Execute ``quantacore extract``."""
    from physics.device import device_to_dict, with_overrides
    from physics.operations import calibrate, extract_operations
    from twin.device.load import load_device, parse_assignments

    device = load_device(args.device, overrides=args.overrides)
    if args.list_parameters:
        for section, values in device_to_dict(device).items():
            for key, value in values.items():
                print(f"{section}.{key} = {value!r}")
        return 0
    calibration = None
    if args.drift:
        calibration = calibrate(device)
        try:
            device = with_overrides(device, parse_assignments(args.drift, option="--drift"))
        except ValueError as exc:
            raise UserError(f"--drift: {exc}") from None
    try:
        result = extract_operations(device, calibration=calibration)
    except ValueError as exc:  # a valid-looking device the physics cannot realise
        source = args.device or "device"
        raise UserError(f"{source}: {exc}") from None
    if args.json:
        print(json.dumps(result.to_json_dict(), indent=2))
    else:
        print(format_table(result))
    return 0
