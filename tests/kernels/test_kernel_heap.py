"""minnet.kernels.heap: malloc keeps freed blocks, so a repeated step stops faulting pages in."""

import os
import subprocess
import sys
import textwrap

import pytest

from minnet.kernels import heap


class FakeLibc:
    """Records mallopt calls; answers ``result`` (glibc returns 1 on success, 0 on refusal)."""

    def __init__(self, result=1):
        self.calls, self.result = [], result

    def mallopt(self, parameter, value):
        self.calls.append((parameter, value))
        return self.result


def test_both_thresholds_are_set(monkeypatch):
    monkeypatch.delenv("MINNET_KEEP_FREED_MEMORY", raising=False)
    libc = FakeLibc()
    assert heap.keep_freed_memory(libc) is True
    assert libc.calls == [(heap.M_MMAP_THRESHOLD, heap.MMAP_THRESHOLD),
                          (heap.M_TRIM_THRESHOLD, heap.TRIM_THRESHOLD)]


def test_a_refused_value_is_reported(monkeypatch):
    monkeypatch.delenv("MINNET_KEEP_FREED_MEMORY", raising=False)
    assert heap.keep_freed_memory(FakeLibc(result=0)) is False


def test_the_environment_variable_leaves_malloc_alone(monkeypatch):
    monkeypatch.setenv("MINNET_KEEP_FREED_MEMORY", "0")
    libc = FakeLibc()
    assert heap.keep_freed_memory(libc) is False
    assert libc.calls == []


def test_without_glibc_nothing_happens(monkeypatch):
    monkeypatch.delenv("MINNET_KEEP_FREED_MEMORY", raising=False)
    monkeypatch.setattr(heap, "_glibc", lambda: None)
    assert heap.keep_freed_memory() is False


# Allocate and free blocks of a few MB in the pattern of a training step: the
# second block's size changes the heap's shape each step (measured on Linux:
# about 1,800 page faults a step with glibc's defaults, none with minnet's settings).
STEP_PATTERN = textwrap.dedent("""
    import resource, numpy as np
    import minnet
    def step():
        a = np.ones(2**21, np.float32)
        b = np.ones(800_000, np.float32)
        del a
        c = np.ones(2**21 + 4096, np.float32)
        del b, c
    for _ in range(5):
        step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        step()
    print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
""")


def faults_per_step(setting):
    env = {**os.environ, "MINNET_KEEP_FREED_MEMORY": setting}
    result = subprocess.run([sys.executable, "-c", STEP_PATTERN], capture_output=True,
                            text=True, env=env, check=True)
    return float(result.stdout.strip())


@pytest.mark.skipif(heap._glibc() is None, reason="the settings are glibc's (Linux)")
def test_a_repeated_step_faults_no_pages_in_with_the_settings_and_many_without():
    assert faults_per_step("1") < 50
    assert faults_per_step("0") > 500  # the measurement fires when the settings are missing
