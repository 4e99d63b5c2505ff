"""The cost of the doctor: watch() overhead on a training run, and doctor()'s time per setup.

    python benchmarks/bench_doctor.py [--repeats 7] [--steps 1000] [--threads 1]

Overhead: two MLPs (float64, batch 64, Adam), an MNIST-1D-sized 40-128-128-10
and an MNIST-sized 784-256-128-10, train ``--steps`` steps on random data,
unwatched and inside ``watch()`` with default sampling, in interleaved
rounds; the table gives the median time per step of each and the overhead
(goal: at most 10%). A round that is watched builds a fresh watcher and asks
for its report at the end, so attaching, detaching and the rules are counted
too. The cost of watching is mostly fixed per step (Python bookkeeping, and
every 10th step per-layer statistics), so it weighs most on the smallest
models.

doctor(): the median wall time of ``doctor()`` (all checks, and the monitored
run alone) on small setups (spiral and xor MLPs). Absolute times on a shared
machine move by 30-40%; the overhead ratio, measured in one run, means more.
"""

import argparse
import os
import statistics
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="interleaved rounds (median)")
    parser.add_argument("--steps", type=int, default=1000, help="training steps per round")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:  # thread counts must be set before numpy loads its BLAS
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(ARGS.threads)

import numpy as np  # noqa: E402

import minnet as mn  # noqa: E402
from minnet.diagnostics.doctor import doctor  # noqa: E402
from minnet.diagnostics.watch import watch  # noqa: E402


def training_setup(seed=0, sizes=(40, 128, 128, 10), batch=64):
    rng = np.random.default_rng(seed)
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [mn.Linear(fan_in, fan_out, rng=rng), mn.ReLU()]
    model = mn.Sequential(*layers[:-1])
    optimizer = mn.optim.Adam(model.parameters(), lr=1e-3)
    X = rng.standard_normal((batch * 16, sizes[0]))
    y = rng.integers(0, sizes[-1], size=len(X))
    batches = [(X[i:i + batch], y[i:i + batch]) for i in range(0, len(X), batch)]
    return model, mn.CrossEntropyLoss(), optimizer, batches


def train(model, loss_fn, optimizer, batches, steps):
    for step in range(steps):
        X_batch, y_batch = batches[step % len(batches)]
        optimizer.zero_grad()
        loss_fn(model(X_batch), y_batch)
        model.backward(loss_fn.backward())
        optimizer.step()


def time_round(setup, steps, watched):
    """Seconds per step of one round (a fresh watcher and its report when watched)."""
    time.sleep(0.05)
    start = time.perf_counter()
    if watched:
        with watch(setup[0], setup[2], setup[1]) as watcher:
            train(*setup, steps)
        watcher.report()
    else:
        train(*setup, steps)
    return (time.perf_counter() - start) / steps


MODELS = ((40, 128, 128, 10), (784, 256, 128, 10))


def overhead(repeats, steps, sizes):
    """(unwatched, watched) median seconds per step for an MLP of layer widths ``sizes``."""
    setup = training_setup(sizes=sizes)
    train(*setup, 5)  # warm up
    times = {False: [], True: []}
    for _ in range(repeats):
        for watched in (False, True):
            times[watched].append(time_round(setup, steps, watched))
    return statistics.median(times[False]), statistics.median(times[True])


def doctor_setups():
    spiral_X, spiral_y = mn.data.spiral(100, 3, rng=0)
    spiral_val = mn.data.spiral(50, 3, rng=1)
    xor_X, xor_y = mn.data.xor(400, rng=0)

    def mlp(classes):
        return mn.Sequential(mn.Linear(2, 64, rng=0), mn.ReLU(), mn.Linear(64, 64, rng=1),
                             mn.ReLU(), mn.Linear(64, classes, rng=2))

    yield "spiral MLP, X_val", lambda: (mlp(3), spiral_X, spiral_y, spiral_val)
    yield "xor MLP", lambda: (mlp(2), xor_X, xor_y, (None, None))


def doctor_times(repeats):
    rows = []
    for name, make in doctor_setups():
        timings = {"all checks": [], "monitor only": []}
        for _ in range(repeats):
            for label, checks in (("all checks", ("lint", "data", "sanity", "monitor")),
                                  ("monitor only", ("monitor",))):
                model, X, y, (X_val, y_val) = make()
                start = time.perf_counter()
                doctor(model, mn.CrossEntropyLoss(), X, y, X_val=X_val, y_val=y_val, rng=0,
                       checks=checks)
                timings[label].append(time.perf_counter() - start)
        rows.append((name, {label: statistics.median(values)
                            for label, values in timings.items()}))
    return rows


def main(args):
    print(f"numpy {np.__version__}, minnet {mn.__version__}; {args.threads} BLAS thread(s); "
          f"median of {args.repeats} interleaved rounds\n")
    print(f"watch() overhead, batch 64, Adam, float64, {args.steps} steps per round:")
    print("| MLP | unwatched ms/step | watched ms/step | overhead |")
    print("| --- | ---: | ---: | ---: |")
    for sizes in MODELS:
        plain, watched = overhead(args.repeats, args.steps, sizes)
        print(f"| {'-'.join(map(str, sizes))} | {1e3 * plain:.3f} | {1e3 * watched:.3f} | "
              f"{100 * (watched / plain - 1):+.1f}% |")
    print()
    model, X, y, _ = next(doctor_setups())[1]()
    doctor(model, mn.CrossEntropyLoss(), X, y, rng=0)  # warm up: imports, kernel compilation
    print("doctor() wall time per setup (median):")
    print("| setup | all checks s | monitored run only s |")
    print("| --- | ---: | ---: |")
    for name, medians in doctor_times(args.repeats):
        print(f"| {name} | {medians['all checks']:.2f} | {medians['monitor only']:.2f} |")


if __name__ == "__main__":
    main(ARGS)
