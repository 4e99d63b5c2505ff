"""The convolution and pooling kernels: numba twin against its NumPy reference, float32.

    python benchmarks/bench_cnn_kernels.py [--repeats 7] [--calls 20]

Shapes are those of the benchmark CNN (batch 64, 1x28x28: conv3x3 1->16
pad 1, maxpool 2, conv3x3 16->32 pad 1, maxpool 2) and of the MNIST-1D CNN
(batch 100, length 40: Conv1d 1->25 and 25->25, kernel 5 then 3, stride 2,
padding 1). Each pair is timed in interleaved rounds of ``--calls`` calls in
one process (one numba thread: the kernels are serial; BLAS plays no part);
the table gives median times and the speedup (reference time / numba time).
Absolute times on a shared machine move by 30-40%: only ratios mean much.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from minnet.kernels import im2col, pooling  # noqa: E402

DTYPE = np.float32


def conv_case(label, dims, batch, channels, size, kernel, stride, pad, filters):
    """(label, [(kernel object, args)]) for the im2col family on one convolution shape."""
    rng = np.random.default_rng(0)
    if dims == 1:
        out_len = (size + 2 * pad - kernel) // stride + 1
        x = rng.standard_normal((batch, channels, size)).astype(DTYPE)
        cols = np.empty((channels * kernel, batch * out_len), DTYPE)
        window = (kernel, stride, pad)
        return label, [
            (im2col.im2col_1d, (x, *window, cols)),
            (im2col.col2im_1d, (rng.standard_normal(cols.shape).astype(DTYPE), *window,
                                np.empty_like(x))),
            *layout_calls(rng, batch, filters, 1, out_len, out_len)]
    height = width = size
    out_h = out_w = (size + 2 * pad - kernel) // stride + 1
    pitch = im2col.row_pitch(width + 2 * pad, out_w, stride)
    x = rng.standard_normal((batch, channels, height, width)).astype(DTYPE)
    cols = np.empty((channels * kernel * kernel, batch * out_h * pitch), DTYPE)
    window = (kernel, kernel, stride, stride, pad, pad, pitch)
    return label, [
        (im2col.im2col_2d, (x, *window, cols)),
        (im2col.col2im_2d, (rng.standard_normal(cols.shape).astype(DTYPE), *window,
                            np.empty_like(x))),
        *layout_calls(rng, batch, filters, out_h, out_w, pitch)]


def layout_calls(rng, batch, filters, out_h, out_w, pitch):
    columns = rng.standard_normal((filters, batch * out_h * pitch)).astype(DTYPE)
    images = rng.standard_normal((batch, filters, out_h, out_w)).astype(DTYPE)
    bias = rng.standard_normal(filters).astype(DTYPE)
    return [(im2col.columns_to_batch, (columns, bias, pitch, np.empty_like(images))),
            (im2col.batch_to_columns, (images, pitch, np.empty_like(columns)))]


def pool_case(label, batch, channels, size, kernel, stride, pad):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, channels, size, size)).astype(DTYPE)
    out_size = (size + 2 * pad - kernel) // stride + 1
    out = np.empty((batch, channels, out_size, out_size), DTYPE)
    argmax = np.empty(out.shape, np.int64)
    window = (kernel, kernel, stride, stride, pad, pad)
    pooling.max_pool_2d(x, *window, out, argmax)  # a valid argmax for the backward
    grad_out = rng.standard_normal(out.shape).astype(DTYPE)
    return label, [
        (pooling.max_pool_2d, (x, *window, out, argmax.copy())),
        (pooling.max_pool_2d_backward, (grad_out, argmax, np.empty_like(x))),
        (pooling.avg_pool_2d, (x, *window, np.empty_like(out))),
        (pooling.avg_pool_2d_backward, (grad_out, *window, np.empty_like(x)))]


CASES = [
    conv_case("conv1 64x1x28x28 k3 p1", 2, 64, 1, 28, 3, 1, 1, 16),
    conv_case("conv2 64x16x14x14 k3 p1", 2, 64, 16, 14, 3, 1, 1, 32),
    conv_case("conv1d 100x1x40 k5 s2 p1", 1, 100, 1, 40, 5, 2, 1, 25),
    conv_case("conv1d 100x25x19 k3 s2 p1", 1, 100, 25, 19, 3, 2, 1, 25),
    pool_case("pool1 64x16x28x28 k2", 64, 16, 28, 2, 2, 0),
    pool_case("pool2 64x32x14x14 k2", 64, 32, 14, 2, 2, 0),
    pool_case("pool 64x16x28x28 k3 s2 p1", 64, 16, 28, 3, 2, 1),
]


def seconds_per_call(function, args, calls):
    start = time.perf_counter()
    for _ in range(calls):
        function(*args)
    return (time.perf_counter() - start) / calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="interleaved rounds (median)")
    parser.add_argument("--calls", type=int, default=20, help="calls per round")
    args = parser.parse_args()
    print(f"float32, median of {args.repeats} interleaved rounds of {args.calls} calls\n")
    print("| shape | kernel | NumPy reference ms | numba ms | speedup |")
    print("| --- | --- | ---: | ---: | ---: |")
    for label, calls in CASES:
        for kernel, kernel_args in calls:
            kernel.compiled(*kernel_args)  # compile (or load from the cache) first
            times = {"reference": [], "numba": []}
            for _ in range(args.repeats):
                times["reference"].append(seconds_per_call(kernel.reference, kernel_args,
                                                           args.calls))
                times["numba"].append(seconds_per_call(kernel.compiled, kernel_args, args.calls))
            reference, compiled = (statistics.median(times[name]) for name in times)
            print(f"| {label} | {kernel.__name__} | {1e3 * reference:.3f} | "
                  f"{1e3 * compiled:.3f} | {reference / compiled:.1f}x |")


if __name__ == "__main__":
    main()
