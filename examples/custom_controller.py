"""Testing your own controller in the loop: a minimal example.

Run: ``python examples/custom_controller.py`` (about 10 s). It runs the ``laser-drift``
scenario with a hand-written controller that nudges the Raman frequency knob against the rise
of the detection fraction (a crude gradient search), next to the ``none`` baseline, and prints
both summaries. Open ``runs/custom-example/report.html`` to compare them.
"""

from __future__ import annotations

from control import Action, SetKnobs, SyndromeWindow
from twin import DigitalTwin, load_scenario


class GradientNudge:
    """Moves one knob by a fixed step, reversing when the detection fraction got worse."""

    name = "gradient-nudge"

    def __init__(self, knob: str = "laser.frequency_offset", step: float = 0.01) -> None:
        self.knob, self.step = knob, step
        self.last: float | None = None
        self.direction = -1.0
        self.value = 0.0

    def observe(self, window: SyndromeWindow) -> None:
        """Sees detection and herald statistics and its own knobs; never the drift."""
        detection = window.detection_fraction
        if self.last is not None and detection > self.last:
            self.direction = -self.direction
        self.last = detection
        self.value = float(window.knobs[self.knob]) + self.direction * self.step

    def act(self) -> list[Action]:
        """Applied from the next window on."""
        return [SetKnobs({self.knob: self.value})]


def main(windows: int = 20, shots: int = 3000, out: str = "runs/custom-example") -> None:
    """Run the baseline and the example controller side by side, then write the report."""
    scenario = load_scenario("laser-drift").replace(windows=windows, shots=shots)
    for name, controller in (("none", None), ("mine", GradientNudge())):
        twin = DigitalTwin(scenario, out=out, controller=controller)  # out/<controller>-seed<s>
        summary = twin.run()
        print(f"{name:>5}: mean logical error per round {summary.mean_ler_per_round:.2e} "
              f"(95% CI {summary.ler_ci[0]:.1e}..{summary.ler_ci[1]:.1e}) in {twin.folder.path}")
    from twin.reports.runs import write_report

    print("report:", write_report(out))


if __name__ == "__main__":
    main()
