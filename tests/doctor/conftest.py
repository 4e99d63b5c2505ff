"""Fixtures of the doctor's tests: a private MNIST-1D cache, and one run of each zoo example.

The zoo's judgement (test_zoo.py) and ``minnet doctor --example`` (test_examples_cli.py)
read the same runs: ``zoo_run(name, seed)`` runs an example once per test session.
"""

import os

import pytest

from minnet.zoo import EXAMPLES
from minnet.zoo.report import run_example


@pytest.fixture(scope="module")
def mnist1d_cache(tmp_path_factory):
    """Generate MNIST-1D once per module, into a temporary cache (unless one is configured)."""
    if os.environ.get("MINNET_CACHE_DIR"):
        yield
        return
    os.environ["MINNET_CACHE_DIR"] = str(tmp_path_factory.mktemp("minnet-cache"))
    try:
        yield
    finally:
        del os.environ["MINNET_CACHE_DIR"]


@pytest.fixture(scope="session")
def zoo_runs():
    """The session's runs of the zoo's examples: ``{(name, seed): Run}``, filled on demand."""
    return {}


@pytest.fixture
def zoo_run(zoo_runs, mnist1d_cache):
    """``zoo_run(name, seed=0)``: ``run_example`` of that example, once per session."""

    def run(name, seed=0):
        if (name, seed) not in zoo_runs:
            zoo_runs[name, seed] = run_example(EXAMPLES[name], seed)
        return zoo_runs[name, seed]

    return run
