"""Import Great Expectations without paying for scipy.stats until something uses it.

`import great_expectations` took about 5 CPU-seconds here, half of them in scipy.stats: one of
GX's built-in expectations (the KL divergence one) does `from scipy import stats` at import, and
scipy.stats builds its hundred distributions and parses their docstrings as it loads. None of our
suites uses a distribution expectation. scipy.stats is put in place as a lazy module
(importlib.util.LazyLoader) that loads for real on first attribute access, so an expectation that
does need it still works, and only pays then (docs/benchmarks.md, "Great Expectations' import").
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def defer_scipy_stats() -> None:
    """Make `scipy.stats` a module that loads on first use, unless it is already loaded."""
    if "scipy.stats" in sys.modules:
        return
    import scipy

    spec = importlib.util.find_spec("scipy.stats")
    if spec is None or spec.loader is None:  # scipy without stats: GX's own import will say so
        return
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["scipy.stats"] = module
    loader.exec_module(module)
    # `from scipy import stats` would otherwise go through scipy's module __getattr__ and
    # importlib.import_module, whose check of an entry found in sys.modules loads it at once
    scipy.stats = module


def import_great_expectations() -> ModuleType:
    defer_scipy_stats()
    import great_expectations

    return great_expectations
