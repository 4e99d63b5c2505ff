"""Test configuration: deterministic hypothesis profiles, no plots on screen, the benchmark
scripts started in the background at the end of collection."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# Hypothesis loads its built-in "ci" profile (derandomized, no database) when CI is
# set. Locally: no deadline, because the first call that compiles a numba kernel
# takes far longer than hypothesis' 200 ms default.
settings.register_profile("dev", deadline=None, max_examples=50)
settings.register_profile("ci", deadline=None, max_examples=30, derandomize=True,
                          database=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def rng():
    """A fresh, fixed-seed generator for each test."""
    return np.random.default_rng(1234)


def pytest_collection_modifyitems(config, items):
    """Mark PyTorch oracle tests so that they skip cleanly without torch."""
    try:
        import torch  # noqa: F401
    except ImportError:
        skip = pytest.mark.skip(reason="PyTorch is not installed (optional test oracle)")
        for item in items:
            if "torch" in item.keywords:
                item.add_marker(skip)


def pytest_collection_finish(session):
    """Start the selected tests' background work: modules that define
    ``start_in_background(item)`` (the benchmark scripts) get their subprocesses going now."""
    if session.config.option.collectonly:
        return
    for item in session.items:
        start = getattr(getattr(item, "module", None), "start_in_background", None)
        if start is not None:
            start(item)


def pytest_sessionfinish(session):
    """Stop the background work whose tests never ran (an interrupted or failed session)."""
    stopped = set()
    for item in getattr(session, "items", []):  # none when collection failed
        stop = getattr(getattr(item, "module", None), "stop_background", None)
        if stop is not None and stop not in stopped:
            stopped.add(stop)
            stop()
