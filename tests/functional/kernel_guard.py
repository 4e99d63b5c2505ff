"""Helper shared by the conv and pooling test files (imported as ``kernel_guard``)."""

import pytest

from minnet.kernels import use_backend


def assert_refused_before_any_kernel(monkeypatch, backend, module, kernels, make_valid, call,
                                     error, fragment):
    """``call(valid)`` raises ``error`` mentioning ``fragment`` on ``backend``, and no kernel
    of ``module`` runs: each named kernel is replaced by one that fails the test.

    ``make_valid()`` builds what the bad calls need that is valid (a forward cache, for
    the backward cases), before the kernels are replaced.
    """
    def refuse(*args):
        raise AssertionError("a kernel ran on arguments that should have been refused")

    with use_backend(backend):
        valid = make_valid()
        for name in kernels:
            monkeypatch.setattr(module, name, refuse)
        with pytest.raises(error) as info:
            call(valid)
    assert fragment in str(info.value)
