"""Packaging and layering: each top-level package belongs to this distribution only, imports
point down the layering table of DESIGN.md, nothing imports the CLI, no module reaches into
another's private names, ``qec`` has no import circle, and ``twin/`` files stay readable."""

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


def _imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` or ``from ... import`` of the file names (lazy ones too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def _imported_roots(path: Path) -> set[str]:
    return {m.split(".")[0] for m in _imported_modules(path)}


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


def _package_files(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).glob("**/*.py"))


def test_nothing_imports_the_cli():
    """Only the console script (and the CLI's own modules) import ``twin.cli``."""
    files = [p for p in _package_files("physics", "qec", "control", "twin", "scenarios")
             if not p.is_relative_to(ROOT / "twin" / "cli")]
    assert any(p.name == "digital_twin.py" for p in files)  # the scan sees twin's modules
    for path in files:
        bad = {m for m in _imported_modules(path) if m == "twin.cli" or
               m.startswith("twin.cli.")}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def _names_defined(tree: ast.AST) -> set[str]:
    """Names a module defines or binds itself (its own privates may be used freely)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg) or isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)
    return names


def _private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = _names_defined(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [f"{node.lineno}: imports {node.module}.{a.name}" for a in node.names
                      if a.name.startswith("_") and not a.name.startswith("__")]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and \
                not node.attr.startswith("__") and node.attr not in own:
            found.append(f"{node.lineno}: uses .{node.attr}")
    return found


def test_no_private_member_is_used_from_another_module():
    """Another module's ``_private`` name is a missing public seam (STYLE.md)."""
    for path in _package_files("physics", "qec", "control", "twin", "scenarios", "bench",
                               "examples"):
        assert not _private_uses(path), f"{path.relative_to(ROOT)}: {_private_uses(path)}"


def test_private_use_check_catches_a_reach_into_another_module(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from twin.loop import digital_twin\n"
                   "from control.estimators import _CHUNK\n"
                   "def f(twin):\n    return twin._state\n")
    assert len(_private_uses(bad)) == 2


def _qec_graph() -> dict[str, set[str]]:
    graph = {}
    for path in _package_files("qec"):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        graph[name] = {m for m in _imported_modules(path) if m.split(".")[0] == "qec"}
    return graph


def test_qec_has_no_import_circle():
    """Module imports within ``qec`` form no cycle (a package counts as its ``__init__``)."""
    graph = _qec_graph()
    assert "qec.decoders.registry" in graph and "qec.decoders.base" in graph
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt == node or nxt not in graph:
                continue
            # importing a submodule runs its package's __init__ first; the package's own
            # __init__ importing its submodules is the ordinary direction
            assert state.get(nxt) != 1, f"import circle: {' -> '.join([*path, node, nxt])}"
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_each_decoder_module_imports_only_the_base():
    graph = _qec_graph()
    for name in ("qec.decoders.matching", "qec.decoders.bposd", "qec.decoders.belief_matching"):
        assert graph[name] == {"qec.decoders.base"}, (name, graph[name])


MAX_LINES = 450


def test_no_twin_file_is_over_450_lines():
    """Past ~450 lines a module holds a second concern (STYLE.md)."""
    sizes = {p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
             for p in _package_files("twin")}
    assert len(sizes) > 30
    over = {p: n for p, n in sizes.items() if n > MAX_LINES}
    assert not over, over


def test_every_subpackage_ships_in_a_wheel():
    # a plain `packages = [...]` list ships only the top-level packages: a non-editable
    # install then lacks qec.codes, twin.studies, ... (42 of 124 modules in the wheel)
    import tomllib

    from setuptools import find_packages

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set(find_packages(where=str(ROOT), include=conf["packages"]["find"]["include"]))
    top = ("physics", "qec", "control", "twin", "scenarios")
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for t in top
               for p in (ROOT / t).glob("**/__init__.py")}
    assert on_disk and on_disk <= found
