"""The MLP's training step against the sum of its own matrix products (the BLAS ceiling).

    python benchmarks/bench_gemm_ceiling.py [--batches 64,512] [--rounds 15] [--threads 2]

For ``bench_models.py``'s MLP (784-512-256-10, float32, SGD with momentum,
first layer without dL/dx) the step's matrix products are its whole
arithmetic: three forward products, three weight gradients and two input
gradients. Timing those eight products alone, with the same shapes and
transposes minnet's Linear uses, gives the fastest step NumPy's BLAS allows;
the ratio step / products says what the rest (bias, ReLU, loss, the update,
Python) costs on top. Issue 12's goal: at most 1.1 at batch 512. Interleaved
rounds of 10 calls each, medians.
"""

import argparse
import os
import statistics
import sys
import time

SIZES = ((784, 512), (512, 256), (256, 10))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="64,512")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads")
    args = parser.parse_args()
    args.batches = [int(batch) for batch in args.batches.split(",")]
    return args


def products(batch, np):
    """A function running the step's eight products on random float32 arrays."""
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((batch, inputs)).astype(np.float32) for inputs, _ in SIZES]
    ws = [rng.standard_normal((outputs, inputs)).astype(np.float32) for inputs, outputs in SIZES]
    gs = [rng.standard_normal((batch, outputs)).astype(np.float32) for _, outputs in SIZES]

    def run():
        for layer, (x, w, g) in enumerate(zip(xs, ws, gs)):
            x @ w.T  # forward (linear_forward)
            g.T @ x  # dW (linear_backward)
            if layer > 0:
                g @ w  # dx; the first layer skips it (input_grad=False)
    return run


def main(args):
    import numpy as np

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench_models

    print(f"MLP 784-512-256-10, float32 SGD step; {args.threads} BLAS threads; medians of "
          f"{args.rounds} interleaved rounds of 10 calls\n")
    print("| batch | step (ms) | its 8 products (ms) | step / products |")
    print("| ---: | ---: | ---: | ---: |")
    for batch in args.batches:
        runs = {"step": bench_models.minnet_step_fn("mlp", batch, "SGD", "numba"),
                "products": products(batch, np)}
        times = {name: [] for name in runs}
        for function in runs.values():
            for _ in range(3):
                function()
        for _ in range(args.rounds):
            for name, function in runs.items():
                time.sleep(0.1)
                start = time.perf_counter()
                for _ in range(10):
                    function()
                times[name].append((time.perf_counter() - start) / 10)
        step, ceiling = (statistics.median(times[name]) for name in ("step", "products"))
        print(f"| {batch} | {1e3 * step:.2f} | {1e3 * ceiling:.2f} | {step / ceiling:.2f} |",
              flush=True)


if __name__ == "__main__":
    ARGS = parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)  # before numpy loads its BLAS
    main(ARGS)
