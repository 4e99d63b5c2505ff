"""What keeping freed memory buys (``minnet.kernels.heap``): a training step with and without.

    python benchmarks/bench_heap.py [--model cnn] [--rounds 5] [--steps 20]

Runs the benchmark model's float32 SGD step (``bench_models.py``'s CNN by
default, batch 64) in fresh processes, alternately with minnet's malloc
settings (the default) and with ``MINNET_KEEP_FREED_MEMORY=0`` (glibc's own
dynamic thresholds), and prints the median time and page faults per step.
The setting must be made before minnet is imported, hence one process each.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, {folder!r})
import bench_models
step = bench_models.minnet_step_fn({model!r}, {batch}, "SGD", "numba")
for _ in range(3):
    step()
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
start = time.perf_counter()
for _ in range({steps}):
    step()
seconds = (time.perf_counter() - start) / {steps}
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / {steps}
print(json.dumps({{"ms": 1e3 * seconds, "faults": faults}}))
"""


def run(setting, args):
    env = {**os.environ, "MINNET_KEEP_FREED_MEMORY": setting,
           "OPENBLAS_NUM_THREADS": str(args.threads)}
    code = CHILD.format(folder=os.path.dirname(os.path.abspath(__file__)), model=args.model,
                        batch=args.batch, steps=args.steps)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="cnn", choices=["mlp", "mlp_bn", "cnn", "rnn", "lstm"])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5, help="processes per setting")
    parser.add_argument("--steps", type=int, default=20, help="timed steps per process")
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads")
    args = parser.parse_args(argv)
    results = {"kept (default)": [], "MINNET_KEEP_FREED_MEMORY=0": []}
    for _ in range(args.rounds):
        for label, setting in zip(results, ("1", "0")):
            results[label].append(run(setting, args))
    print(f"{args.model}, batch {args.batch}, float32 SGD step; median of {args.rounds} "
          f"processes of {args.steps} steps\n")
    print("| malloc | ms / step | page faults / step |")
    print("| --- | ---: | ---: |")
    for label, runs in results.items():
        print(f"| {label} | {statistics.median(r['ms'] for r in runs):.2f} | "
              f"{statistics.median(r['faults'] for r in runs):.0f} |")


if __name__ == "__main__":
    main()
