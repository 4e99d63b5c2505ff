"""The MNIST-1D paper's table, reproduced with minnet, and PyTorch beside it.

    python benchmarks/mnist1d_table.py [--models logistic,mlp,cnn,gru] [--steps 6000]
                                       [--seeds 0] [--threads 2] [--dtype float32]

Trains each model (Adam lr 1e-2, batch 100; the data from ``mn.data.mnist1d()``)
and prints its test accuracy beside the paper's and the wall time. The paper:
logistic regression 32%, MLP 68%, CNN 94%, GRU 91% (bidirectional; about 86%
for the unidirectional GRU minnet trains). Goal: within 5 points of each.

When PyTorch is installed, the same four architectures are trained with it
(``mnist1d_torch.py``: same layers and init, same optimizer, batches, steps
and per-epoch evaluation of the test set, same dtype and thread count), and
the table adds its accuracy, its wall time and the speed ratio (PyTorch's
time over minnet's: above 1.0 minnet trains faster).
"""

import argparse
import os
import statistics

MODELS = ("logistic", "mlp", "cnn", "gru")  # minnet.mnist1d_models.BUILDERS (a test checks)


def parse_args():
    """The options; parsed before NumPy is imported, so that --threads reaches its BLAS."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(MODELS),
                        help="comma-separated subset of " + ",".join(MODELS))
    parser.add_argument("--steps", type=int, default=6000, help="optimizer steps (default 6000)")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds (median reported)")
    parser.add_argument("--threads", type=int, default=2, help="BLAS / torch threads")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--no-torch", action="store_true", help="minnet only")
    args = parser.parse_args()
    args.names = [name.strip() for name in args.models.split(",") if name.strip()]
    unknown = sorted(set(args.names) - set(MODELS))
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {list(MODELS)}")
    args.seeds = [int(seed) for seed in args.seeds.split(",")]
    return args


def load_torch(threads):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return torch


def main(args):
    import numpy as np

    from minnet.data import mnist1d
    from minnet.mnist1d_models import PAPER_ACCURACY, TARGET_ACCURACY, train_mnist1d

    torch = None if args.no_torch else load_torch(args.threads)
    data = mnist1d()
    dtype = np.dtype(args.dtype)
    print(f"MNIST-1D: {len(data.X_train)} train / {len(data.X_test)} test; Adam lr 1e-2, "
          f"batch 100, {args.steps} steps; {args.dtype}; {args.threads} threads; "
          f"seeds {args.seeds}; torch {torch.__version__ if torch else 'not installed'}\n")
    header = "| model | minnet test acc. | paper | target | within 5 points | minnet time |"
    rule = "| --- | ---: | ---: | ---: | :---: | ---: |"
    if torch is not None:
        header += " torch test acc. | torch time | torch time / minnet time |"
        rule += " ---: | ---: | ---: |"
    print(header)
    print(rule)
    for name in args.names:
        results = [train_mnist1d(name, data, steps=args.steps, seed=seed, dtype=dtype)
                   for seed in args.seeds]
        accuracy = statistics.median(result.test_accuracy for result in results)
        seconds = statistics.median(result.seconds for result in results)
        target = TARGET_ACCURACY[name]
        verdict = "yes" if accuracy >= target - 0.05 else "no"
        line = (f"| {name} | {100 * accuracy:.1f}% | {100 * PAPER_ACCURACY[name]:.0f}% | "
                f"{100 * target:.0f}% | {verdict} | {seconds:.1f} s |")
        if torch is not None:
            from mnist1d_torch import train

            runs = [train(name, data, torch, steps=args.steps, seed=seed, dtype=dtype)
                    for seed in args.seeds]
            torch_accuracy = statistics.median(run[0] for run in runs)
            torch_seconds = statistics.median(run[1] for run in runs)
            line += (f" {100 * torch_accuracy:.1f}% | {torch_seconds:.1f} s | "
                     f"{torch_seconds / seconds:.2f}x |")
        print(line, flush=True)


if __name__ == "__main__":
    ARGS = parse_args()
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(ARGS.threads)  # before numpy loads its BLAS
    main(ARGS)
