"""Packaging and layering: each top-level package belongs to this distribution only, and imports
point down the layering table of DESIGN.md."""

import ast
import importlib.metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["twin", "physics", "control", "qec", "scenarios"]

FORBIDDEN = {
    "physics": {"stim", "pymatching", "sinter", "ldpc", "qec", "control", "twin"},
    "qec": {"qutip", "scqubits", "physics", "control", "twin"},
    "control": {"twin", "physics", "qutip", "scqubits"},
    "scenarios": {"physics", "qec", "control", "twin"},
}


@pytest.mark.parametrize("name", PACKAGES)
def test_top_level_package_maps_to_this_distribution_only(name):
    dists = set(importlib.metadata.packages_distributions().get(name, []))
    assert dists == {"quantacore-twin"}, f"{name} is provided by {sorted(dists)}"


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_follow_the_layering_table(package):
    files = sorted((ROOT / package).glob("**/*.py"))
    assert files, f"no modules found in {package}"
    for path in files:
        bad = _imported_roots(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_console_script_points_at_cli_main():
    eps = importlib.metadata.entry_points(group="console_scripts")
    (ep,) = [e for e in eps if e.name == "quantacore"]
    assert ep.value == "twin.cli:main"
