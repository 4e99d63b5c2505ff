"""One float32 training step of an MLP 784-512-256-10: minnet against PyTorch (CPU).

    python benchmarks/bench_mlp.py [--repeats 7] [--steps 20] [--threads 2]

For each configuration (batch 64 and 512, SGD and Adam) the two libraries are
timed in interleaved rounds in one process; each round times ``--steps`` steps
after a short pause (idle BLAS threads of one library otherwise slow the
other). The table gives the median time per step and the throughput ratio
(minnet steps/s divided by PyTorch steps/s; 1.0 is parity). PyTorch is
optional: without it only minnet's times are printed. Absolute times on a
shared machine move by 30-40%; only the ratio measured in one run means much.
"""

import argparse
import os
import statistics
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="interleaved rounds (median)")
    parser.add_argument("--steps", type=int, default=20, help="training steps per round")
    parser.add_argument("--threads", type=int, default=2, help="BLAS / torch threads")
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:  # thread counts must be set before numpy loads its BLAS
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(ARGS.threads)

import numpy as np  # noqa: E402

import minnet as mn  # noqa: E402

SIZES = (784, 512, 256, 10)
CONFIGS = [(batch, optimizer) for batch in (64, 512) for optimizer in ("SGD", "Adam")]


def minnet_step_fn(batch, optimizer_name, rng):
    """Return a zero-argument function running one minnet training step."""
    layers = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        # The data needs no gradient: the first layer skips dL/dx, as PyTorch does.
        layers += [mn.Linear(fan_in, fan_out, rng=rng, input_grad=bool(layers)), mn.ReLU()]
    model = mn.Sequential(*layers[:-1]).to(np.float32)
    loss_fn = mn.CrossEntropyLoss()
    if optimizer_name == "SGD":
        optimizer = mn.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        optimizer = mn.optim.Adam(model.parameters(), lr=1e-3)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], size=batch)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        model.backward(loss_fn.backward())
        optimizer.step()
        return loss

    return step


def torch_step_fn(batch, optimizer_name, rng):
    """Return a zero-argument function running one PyTorch training step, or None."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    layers = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    loss_fn = torch.nn.CrossEntropyLoss()
    if optimizer_name == "SGD":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.from_numpy(rng.standard_normal((batch, SIZES[0])).astype(np.float32))
    y = torch.from_numpy(rng.integers(0, SIZES[-1], size=batch))

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def time_per_step(step, steps):
    """Seconds per step over ``steps`` consecutive steps, after a pause."""
    time.sleep(0.2)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def main(args):
    try:
        import torch

        torch.set_num_threads(args.threads)
        torch_version = torch.__version__
    except ImportError:
        torch_version = None
    print(f"MLP 784-512-256-10, float32, one training step; {args.threads} threads; "
          f"median of {args.repeats} interleaved rounds of {args.steps} steps")
    print(f"numpy {np.__version__}, minnet {mn.__version__}, "
          f"torch {torch_version or 'not installed'}\n")
    print("| batch | optimizer | minnet ms/step | torch ms/step | throughput ratio |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for batch, optimizer_name in CONFIGS:
        rng = np.random.default_rng(0)
        steps = {"minnet": minnet_step_fn(batch, optimizer_name, rng),
                 "torch": torch_step_fn(batch, optimizer_name, rng)}
        steps = {name: fn for name, fn in steps.items() if fn is not None}
        for fn in steps.values():  # warm up: first-call allocations, lazy init
            for _ in range(3):
                fn()
        times = {name: [] for name in steps}
        for _ in range(args.repeats):
            for name, fn in steps.items():
                times[name].append(time_per_step(fn, args.steps))
        medians = {name: statistics.median(values) for name, values in times.items()}
        minnet_ms = 1e3 * medians["minnet"]
        if "torch" in medians:
            torch_ms = 1e3 * medians["torch"]
            ratio = medians["torch"] / medians["minnet"]
            print(f"| {batch} | {optimizer_name} | {minnet_ms:.2f} | {torch_ms:.2f} | "
                  f"{ratio:.2f}x |")
        else:
            print(f"| {batch} | {optimizer_name} | {minnet_ms:.2f} | - | - |")


if __name__ == "__main__":
    main(ARGS)
