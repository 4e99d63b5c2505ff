"""The MNIST-1D paper's table, reproduced with minnet.

    python benchmarks/mnist1d_table.py [--models logistic,mlp,cnn,gru] [--steps 6000] [--seeds 0]

Trains each model (Adam lr 1e-2, batch 100; the data from ``mn.data.mnist1d()``)
and prints its test accuracy beside the paper's and the wall time. The paper:
logistic regression 32%, MLP 68%, CNN 94%, GRU 91% (bidirectional; about 86%
for the unidirectional GRU minnet trains). Goal: within 5 points of each.
"""

import argparse
import statistics

from minnet.data import mnist1d
from minnet.mnist1d_models import BUILDERS, PAPER_ACCURACY, TARGET_ACCURACY, train_mnist1d


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(BUILDERS),
                        help="comma-separated subset of " + ",".join(BUILDERS))
    parser.add_argument("--steps", type=int, default=6000, help="optimizer steps (default 6000)")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds (median reported)")
    args = parser.parse_args()
    names = [name.strip() for name in args.models.split(",") if name.strip()]
    unknown = sorted(set(names) - set(BUILDERS))
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {list(BUILDERS)}")
    seeds = [int(seed) for seed in args.seeds.split(",")]

    data = mnist1d()
    print(f"MNIST-1D: {len(data.X_train)} train / {len(data.X_test)} test; Adam lr 1e-2, "
          f"batch 100, {args.steps} steps; seeds {seeds}\n")
    print("| model | minnet test acc. | paper | target | within 5 points | wall time |")
    print("| --- | ---: | ---: | ---: | :---: | ---: |")
    for name in names:
        results = [train_mnist1d(name, data, steps=args.steps, seed=seed) for seed in seeds]
        accuracy = statistics.median(result.test_accuracy for result in results)
        seconds = statistics.median(result.seconds for result in results)
        target = TARGET_ACCURACY[name]
        verdict = "yes" if accuracy >= target - 0.05 else "no"
        print(f"| {name} | {100 * accuracy:.1f}% | {100 * PAPER_ACCURACY[name]:.0f}% | "
              f"{100 * target:.0f}% | {verdict} | {seconds:.1f} s |", flush=True)


if __name__ == "__main__":
    main()
