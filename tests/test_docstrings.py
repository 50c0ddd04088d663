"""Every docstring example runs (PyMatching-style: ``doctest.testmod`` on each module).

Each package's public API shows at least one example, and every example in the code base runs
and prints what its docstring says. Modules that need an optional extra are skipped when it is
missing.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("physics", "qec", "control", "twin", "scenarios")
PUBLIC_APIS = ("physics", "qec", "qec.decoders", "qec.logical", "control", "twin.device",
               "twin.scenario", "twin.controllers", "twin.loop", "twin.runs", "twin.studies",
               "twin.reports", "twin.validation", "scenarios")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package)
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            if info.name.endswith("__main__"):
                continue
            names.append(info.name)
    return names


MODULES = _modules()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS, verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


@pytest.mark.parametrize("name", PUBLIC_APIS)
def test_each_public_api_has_an_example(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder()
    examples = sum(len(t.examples) for t in finder.find(module))
    assert examples > 0, f"{name} has no docstring example"
