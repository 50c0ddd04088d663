"""README's Python examples run as a user would run them: each block as a script, in a fresh
folder (the custom-controller example, the start/step loop, the Gymnasium environment, a user
decoder through ``quantacore compare``, the physics snippet)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def _command_making(file: str) -> list[str]:
    """README's ``$ quantacore ...`` command (continuation lines joined) that writes ``file``."""
    for match in re.finditer(r"^\$ (quantacore .*?)(?<!\\)$", README, flags=re.S | re.M):
        command = match.group(1).replace("\\\n", " ")
        if f"--out {file}" in command:
            return command.split()[1:]
    raise AssertionError(f"README has no command writing {file}")


def test_readme_has_the_examples():
    text = "\n".join(BLOCKS)
    for what in ("GradientNudge", "twin.step()", "QECControlEnv", "register_decoder",
                 "extract_operations"):
        assert what in text, what


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_block_runs(index, tmp_path):
    code = BLOCKS[index]
    for file in re.findall(r'open_dataset\("([^"]+)"\)', code):  # made by a command above
        subprocess.run([sys.executable, "-m", "twin.cli", *_command_making(file), "--quiet"],
                       cwd=tmp_path, check=True, capture_output=True, timeout=300)
    script = tmp_path / f"block{index}.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, f"README block {index}:\n{code}\n{proc.stderr[-3000:]}"
