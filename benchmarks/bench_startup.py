"""Start-up costs: ``import minnet`` and a first training step with numba's cache warm.

    python benchmarks/bench_startup.py [--runs 5] [--models mlp,cnn,lstm]

Each number comes from a fresh Python process (start-up is what is measured).
A first process per model fills a temporary numba cache (``NUMBA_CACHE_DIR``):
its first step compiles the kernels it uses, which is reported as "cold".
Then ``--runs`` processes each time ``import minnet`` and the first float32
SGD step of the model (``bench_models.py``'s models), loading the compiled
kernels from that cache; the table gives the medians. Goals (issue 12):
import under 0.5 s, a first step with a warm cache under 1 s.

Then ``python -X importtime -c "import minnet"`` in one more fresh process
(``--top`` rows, 0 to skip): minnet's own subpackages by cumulative time
(what each costs, its imports included), and the modules of the largest
self time (the import's single costliest files, wherever they come from).
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


def import_times(cache_dir):
    """``[(self_us, cumulative_us, module)]`` from ``-X importtime`` of ``import minnet``."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import minnet"],
                            capture_output=True, text=True, env=env, check=True)
    rows = []
    for line in result.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) == 3 and fields[0].strip().isdigit():
            rows.append((int(fields[0]), int(fields[1]), fields[2].strip()))
    return rows


def print_import_times(rows, top):
    """Two short tables: minnet's direct subpackages by cumulative time; the largest self times."""
    children = sorted((row for row in rows if row[2].count(".") == 1
                       and row[2].startswith("minnet.")), key=lambda row: -row[1])[:top]
    print(f"\n`-X importtime`: minnet's subpackages, cumulative ({len(children)} largest; "
          "one imported first inside another counts in both, and the first to import "
          "NumPy or numba carries it)\n")
    print("| module | cumulative (ms) | self (ms) |\n| --- | ---: | ---: |")
    for self_us, cumulative_us, name in children:
        print(f"| {name} | {cumulative_us / 1e3:.1f} | {self_us / 1e3:.1f} |")
    print(f"\n`-X importtime`: the {top} largest self times\n")
    print("| module | self (ms) | cumulative (ms) |\n| --- | ---: | ---: |")
    for self_us, cumulative_us, name in sorted(rows, key=lambda row: -row[0])[:top]:
        print(f"| {name} | {self_us / 1e3:.1f} | {cumulative_us / 1e3:.1f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm processes per model")
    parser.add_argument("--models", default="mlp,cnn,lstm",
                        help="comma-separated, among " + ",".join(BATCH))
    parser.add_argument("--top", type=int, default=8, help="-X importtime rows (0: none)")
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
    if args.top > 0:
        with tempfile.TemporaryDirectory(prefix="minnet-numba-") as cache_dir:
            print_import_times(import_times(cache_dir), args.top)


if __name__ == "__main__":
    main()
