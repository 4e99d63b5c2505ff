"""One float32 training step of Embedding(1000, 64) -> RNN/LSTM/GRU(128) -> last state ->
Linear(128, 2), sequence 32, batch 32: minnet (numba and numpy backends) against PyTorch.

    python bench_rnn.py [--repeats 7] [--steps 10] [--threads 2]

Interleaved rounds in one process, a pause before each; median ms per step and the
throughput ratio against PyTorch (1.0 = parity).
"""

import argparse
import os
import statistics
import time

parser = argparse.ArgumentParser()
parser.add_argument("--repeats", type=int, default=7)
parser.add_argument("--steps", type=int, default=10)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--cells", default="RNN,LSTM,GRU")
ARGS = parser.parse_args()
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(ARGS.threads)

import numpy as np  # noqa: E402

from minnet.core import Sequential  # noqa: E402
from minnet.kernels import use_backend  # noqa: E402
from minnet.layers.embedding import Embedding  # noqa: E402
from minnet.layers.linear import Linear  # noqa: E402
from minnet.layers import recurrent  # noqa: E402
from minnet.losses import CrossEntropyLoss  # noqa: E402
import minnet.optim as optim  # noqa: E402

VOCAB, EMBED, HIDDEN, STEPS, BATCH, CLASSES = 1000, 64, 128, 32, 32, 2


def minnet_step_fn(cell, optimizer_name, backend, rng):
    model = Sequential(Embedding(VOCAB, EMBED, rng=0), getattr(recurrent, cell)(EMBED, HIDDEN, rng=1),
                       Linear(HIDDEN, CLASSES, rng=2)).to(np.float32)
    loss_fn = CrossEntropyLoss()
    optimizer = (optim.SGD(model.parameters(), lr=0.01) if optimizer_name == "SGD"
                 else optim.Adam(model.parameters(), lr=1e-3))
    x = rng.integers(0, VOCAB, size=(BATCH, STEPS))
    y = rng.integers(0, CLASSES, size=BATCH)

    def step():
        with use_backend(backend):
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            model.backward(loss_fn.backward())
            optimizer.step()
        return loss

    return step


def torch_step_fn(cell, optimizer_name, rng):
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    embedding = torch.nn.Embedding(VOCAB, EMBED)
    rnn = getattr(torch.nn, cell)(EMBED, HIDDEN, batch_first=True)
    head = torch.nn.Linear(HIDDEN, CLASSES)
    params = [*embedding.parameters(), *rnn.parameters(), *head.parameters()]
    optimizer = (torch.optim.SGD(params, lr=0.01) if optimizer_name == "SGD"
                 else torch.optim.Adam(params, lr=1e-3))
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.from_numpy(rng.integers(0, VOCAB, size=(BATCH, STEPS)))
    y = torch.from_numpy(rng.integers(0, CLASSES, size=BATCH))

    def step():
        optimizer.zero_grad()
        out, _ = rnn(embedding(x))
        loss = loss_fn(head(out[:, -1]), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def time_per_step(step, steps):
    time.sleep(0.2)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def main():
    try:
        import torch
        torch.set_num_threads(ARGS.threads)
    except ImportError:
        torch = None
    print(f"float32 training step, {ARGS.threads} threads, median of {ARGS.repeats} "
          f"interleaved rounds of {ARGS.steps} steps\n")
    print("| model | optimizer | minnet numba ms | minnet numpy ms | torch ms | numba/torch "
          "throughput | numpy/torch throughput |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for cell in ARGS.cells.split(","):
        for optimizer_name in ("SGD", "Adam"):
            rng = np.random.default_rng(0)
            steps = {"numba": minnet_step_fn(cell, optimizer_name, "numba", rng),
                     "numpy": minnet_step_fn(cell, optimizer_name, "numpy", rng),
                     "torch": torch_step_fn(cell, optimizer_name, rng)}
            steps = {k: v for k, v in steps.items() if v is not None}
            for step in steps.values():
                for _ in range(3):
                    step()
            times = {k: [] for k in steps}
            for _ in range(ARGS.repeats):
                for name, step in steps.items():
                    times[name].append(time_per_step(step, ARGS.steps))
            med = {k: 1e3 * statistics.median(v) for k, v in times.items()}
            torch_ms = med.get("torch")
            ratio = (lambda k: f"{torch_ms / med[k]:.2f}") if torch_ms else (lambda k: "-")
            print(f"| Embedding-{cell}-Linear | {optimizer_name} | {med['numba']:.2f} | "
                  f"{med['numpy']:.2f} | {torch_ms or float('nan'):.2f} | {ratio('numba')} | "
                  f"{ratio('numpy')} |", flush=True)


main()
