"""The README's controller example runs end to end."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_custom_controller_example_runs(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("example", ROOT / "examples" /
                                                  "custom_controller.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not in sys.modules: its controller cannot be pickled
    module.main(windows=4, shots=500, out=str(tmp_path / "runs"))
    out = capsys.readouterr().out
    assert "none:" in out and "mine:" in out and "report:" in out
    assert (tmp_path / "runs" / "report.html").exists()
