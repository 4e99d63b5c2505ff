"""Start-up costs: ``import minnet`` and a first training step with numba's cache warm.

    python benchmarks/bench_startup.py [--runs 5] [--models mlp,cnn,lstm]

Each number comes from a fresh Python process (start-up is what is measured).
A first process per model fills a temporary numba cache (``NUMBA_CACHE_DIR``):
its first step compiles the kernels it uses, which is reported as "cold".
Then ``--runs`` processes each time ``import minnet`` and the first float32
SGD step of the model (``bench_models.py``'s models), loading the compiled
kernels from that cache; the table gives the medians. Goals (issue 12):
import under 0.5 s, a first step with a warm cache under 1 s.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = """
import json, sys, time
start = time.perf_counter()
import minnet
imported = time.perf_counter() - start
sys.path.insert(0, {folder!r})
import bench_models
step = bench_models.minnet_step_fn({model!r}, {batch}, "SGD", "numba")
start = time.perf_counter()
step()
first = time.perf_counter() - start
start = time.perf_counter()
step()
second = time.perf_counter() - start
print(json.dumps({{"import": imported, "first": first, "second": second}}))
"""

BATCH = {"mlp": 64, "mlp_bn": 128, "cnn": 64, "rnn": 32, "lstm": 32}


def run(model, cache_dir):
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir, "OPENBLAS_NUM_THREADS": "2"}
    code = CHILD.format(folder=os.path.dirname(os.path.abspath(__file__)), model=model,
                        batch=BATCH[model])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm processes per model")
    parser.add_argument("--models", default="mlp,cnn,lstm",
                        help="comma-separated, among " + ",".join(BATCH))
    args = parser.parse_args(argv)
    models = [name.strip() for name in args.models.split(",") if name.strip()]
    unknown = sorted(set(models) - set(BATCH))
    if unknown:
        parser.error(f"--models: unknown {unknown}; choose among {list(BATCH)}")
    print(f"fresh processes; medians of {args.runs} warm runs\n")
    print("| model | import minnet (s) | first step, cold cache (s) | first step, warm cache (s) "
          "| second step (s) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for model in models:
        with tempfile.TemporaryDirectory(prefix="minnet-numba-") as cache_dir:
            cold = run(model, cache_dir)
            warm = [run(model, cache_dir) for _ in range(args.runs)]
        median = {key: statistics.median(result[key] for result in warm)
                  for key in ("import", "first", "second")}
        print(f"| {model} | {median['import']:.3f} | {cold['first']:.2f} | "
              f"{median['first']:.3f} | {median['second']:.4f} |", flush=True)


if __name__ == "__main__":
    main()
