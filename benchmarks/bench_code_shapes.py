"""The measurements behind the shape of some layer and kernel code (benchmarks/README.md).

    python benchmarks/bench_code_shapes.py [--repeats 7] [--calls 200]

Each row times two ways of doing one thing (the first is the one minnet
takes, or takes up to a size), in one process, and gives their ratio: the
reason the code does it the way it does. Best of ``--repeats``
rounds of ``--calls`` calls (the minimum is the least disturbed by other
jobs); absolute times on a shared machine move a lot, ratios less.
"""

import argparse
import inspect
import os
import timeit

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from minnet.arguments import _Spec  # noqa: E402
from minnet.functional.batchnorm import (  # noqa: E402
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
)
from minnet.kernels.activations import relu_flat, relu_grad_flat  # noqa: E402
from minnet.kernels.embedding import scatter_add_rows  # noqa: E402
from minnet.kernels.pooling import max_pool_2d  # noqa: E402
from minnet.kernels.softmax_ce import softmax_cross_entropy  # noqa: E402
from minnet.layers import Linear  # noqa: E402
from minnet.validation import QUIET  # noqa: E402


def best(function, calls, repeats):
    """Seconds per call: the best of ``repeats`` rounds of ``calls`` calls."""
    return min(timeit.repeat(function, number=calls, repeat=repeats)) / calls


def quiet_and_checks():
    """(label, what the code pays, None): fixed costs with no alternative to compare."""
    spec = _Spec(inspect.signature(Linear.__init__.__wrapped__))
    layer = Linear(4, 3)

    def errstate():
        with np.errstate(**QUIET):
            pass
    yield "np.errstate(**QUIET), enter and exit", errstate, None
    yield ("checked_init's check, Linear(4, 3)",
           lambda: spec.check("Linear", (layer, 4, 3), {}), None)


def pairs(rng):
    """(label, the way minnet does it, the other way)."""
    for size in (1_000, 1_000_000):
        grad = rng.standard_normal(size).astype(np.float32)
        mask = rng.standard_normal(size) > 0
        yield (f"ReLU backward, {size} values: grad * mask vs np.where(mask, grad, 0)",
               lambda grad=grad, mask=mask: grad * mask,
               lambda grad=grad, mask=mask: np.where(mask, grad, 0))
    flat = rng.standard_normal(64 * 16 * 28 * 28).astype(np.float32)  # a first conv's output
    flat_grad, flat_out = rng.standard_normal(flat.size).astype(np.float32), np.empty_like(flat)
    relu_flat.compiled(flat, flat_out)
    relu_grad_flat.compiled(flat_grad, flat, flat_out)
    yield ("ReLU forward, (64, 16, 28, 28): numba vs NumPy reference",
           lambda: relu_flat.compiled(flat, flat_out), lambda: relu_flat.reference(flat, flat_out))
    yield ("ReLU backward, (64, 16, 28, 28): numba vs NumPy reference",
           lambda: relu_grad_flat.compiled(flat_grad, flat, flat_out),
           lambda: relu_grad_flat.reference(flat_grad, flat, flat_out))
    images = flat.reshape(64, 16, 28, 28)
    pooled = np.empty((64, 16, 14, 14), np.float32)
    narrow, wide = np.empty(pooled.shape, np.int32), np.empty(pooled.shape, np.int64)
    for indices in (narrow, wide):
        max_pool_2d.compiled(images, 2, 2, 2, 2, 0, 0, pooled, indices)
    yield ("2x2 max pooling (64, 16, 28, 28): int32 indices (the 2x2 loop) vs int64 (the "
           "general loop, taken for planes of 2**31 positions or more)",
           lambda: max_pool_2d.compiled(images, 2, 2, 2, 2, 0, 0, pooled, narrow),
           lambda: max_pool_2d.compiled(images, 2, 2, 2, 2, 0, 0, pooled, wide))
    for classes in (10, 64, 512):
        logits = rng.standard_normal((64, classes)).astype(np.float32)
        target = rng.integers(0, classes, 64).astype(np.int64)
        delta = np.empty_like(logits)
        softmax_cross_entropy.compiled(logits, target, 0.0, delta)  # compile outside the timing
        yield (f"softmax cross-entropy (64, {classes}): numba vs NumPy reference",
               lambda a=(logits, target, 0.0, delta): softmax_cross_entropy.compiled(*a),
               lambda a=(logits, target, 0.0, delta): softmax_cross_entropy.reference(*a))
    table = np.zeros((1000, 64), np.float32)
    ids = rng.integers(0, 1000, 1024).astype(np.int64)
    rows = rng.standard_normal((1024, 64)).astype(np.float32)
    scatter_add_rows.compiled(table, ids, rows, -1)
    yield ("embedding scatter-add (1024 rows into 1000 x 64): numba loop vs np.add.at",
           lambda: scatter_add_rows.compiled(table, ids, rows, -1),
           lambda: scatter_add_rows.reference(table, ids, rows, -1))
    x = rng.standard_normal((64, 16, 28, 28)).astype(np.float32)
    _, cache = batchnorm_forward(x, np.ones(16, np.float32), np.zeros(16, np.float32))
    grad = rng.standard_normal(x.shape).astype(np.float32)
    batchnorm_backward_alt(grad, cache)
    yield ("batch-norm backward (64, 16, 28, 28): closed form vs node by node",
           lambda: batchnorm_backward_alt(grad, cache), lambda: batchnorm_backward(grad, cache))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print("| what: first vs second | first (us) | second (us) | second / first |")
    print("| --- | ---: | ---: | ---: |")
    for label, ours, other in [*quiet_and_checks(), *pairs(rng)]:
        mine = best(ours, args.calls, args.repeats)
        if other is None:
            print(f"| {label} | {mine * 1e6:.2f} | | |")
            continue
        theirs = best(other, max(1, args.calls // 10), args.repeats)
        print(f"| {label} | {mine * 1e6:.2f} | {theirs * 1e6:.2f} | {theirs / mine:.1f}x |")


if __name__ == "__main__":
    main()
