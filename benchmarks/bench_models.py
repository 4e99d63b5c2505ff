"""Training-step throughput in float32: minnet (numba), minnet (numpy backend), PyTorch (CPU).

    python benchmarks/bench_models.py [--only mlp,mlp_bn,cnn,rnn,lstm] [--repeats 7]
                                      [--steps 10] [--threads 2]

Models (each trained with SGD momentum 0.9 and with Adam, cross-entropy loss):

- ``mlp``: Linear 784-512-256-10 with ReLU, batch 64 and batch 512;
- ``mlp_bn``: the same with BatchNorm1d, ReLU and Dropout(0.5) after each
  hidden Linear, batch 128;
- ``cnn``: 1x28x28 input, batch 64: conv3x3(1->16, pad 1)-ReLU-maxpool2-
  conv3x3(16->32, pad 1)-ReLU-maxpool2-Flatten-Linear(1568->10);
- ``rnn`` and ``lstm``: Embedding 1000x64, one recurrent layer of hidden size
  128 over sequences of 32 tokens, batch 32, last state -> Linear(128->2).

For each configuration the three implementations are timed in interleaved
rounds in one process; each round times ``--steps`` steps after a 0.2 s pause
(idle BLAS threads of one library otherwise slow the next). The table gives
the median time per step and two throughput ratios (steps/s over steps/s;
above 1.0 the numba backend is faster): numba against PyTorch and numba
against minnet's own NumPy backend. minnet's first layer is built with
``input_grad=False``: the data needs no gradient, so, like PyTorch for inputs
that do not require grad, it skips dL/dx. A configuration whose minnet layers do not
import yet reads "n/a (layer missing)"; PyTorch is optional. Absolute times on
a shared machine move by 30-40%: only the ratios of one run mean much.

Memory, measured in a separate pass after the timing (tracing slows a step):
the peak bytes one steady-state step uses beyond the parameters, the
optimizer states and the input batch, which both libraries hold before a
step. PyTorch's through its profiler's memory timeline
(``profile_memory=True``; PyTorch has no CPU allocator counters): every
category but those three, its gradients included (``zero_grad()`` sets them
to None, the step allocates them again). minnet's through ``tracemalloc``
(NumPy and numba's runtime allocate through Python's allocator, which it
traces): the peak allocated during the step above what was allocated at its
start, plus what minnet keeps from one step to the next for the step's own
work, the ``.grad`` arrays and the recurrent layers' workspaces.
"""

import argparse
import os
import statistics
import time
import tracemalloc

FAMILIES = ("mlp", "mlp_bn", "cnn", "rnn", "lstm")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(FAMILIES),
                        help=f"comma-separated model families among {', '.join(FAMILIES)}")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved rounds (median)")
    parser.add_argument("--steps", type=int, default=10, help="training steps per round")
    parser.add_argument("--threads", type=int, default=2, help="BLAS / torch threads")
    args = parser.parse_args()
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(args.only) - set(FAMILIES))
    if unknown:
        parser.error(f"--only: unknown model {unknown}; choose among {list(FAMILIES)}")
    return args


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:  # thread counts must be set before numpy loads its BLAS
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(ARGS.threads)

import numpy as np  # noqa: E402

import minnet as mn  # noqa: E402
from minnet.kernels import use_backend  # noqa: E402

VOCABULARY, EMBEDDING, HIDDEN, SEQUENCE = 1000, 64, 128, 32

# (family, label, batch): the rows of the table, each run with SGD and with Adam.
CONFIGS = [("mlp", "MLP 784-512-256-10", 64), ("mlp", "MLP 784-512-256-10", 512),
           ("mlp_bn", "MLP + BatchNorm + Dropout", 128), ("cnn", "CNN 2 conv + 2 pool", 64),
           ("rnn", "Embedding + RNN(128), seq 32", 32),
           ("lstm", "Embedding + LSTM(128), seq 32", 32)]


# --- minnet models ------------------------------------------------------------

def minnet_model(family, rng):
    """The minnet model of a family; ImportError when one of its layers is not written yet."""
    from minnet.layers.activations import ReLU
    from minnet.layers.linear import Linear
    if family == "mlp":
        return mn.Sequential(Linear(784, 512, rng=rng, input_grad=False), ReLU(),
                             Linear(512, 256, rng=rng),
                             ReLU(), Linear(256, 10, rng=rng))
    if family == "mlp_bn":
        from minnet.layers.dropout import Dropout
        from minnet.layers.normalization import BatchNorm1d
        return mn.Sequential(Linear(784, 512, rng=rng, input_grad=False), BatchNorm1d(512), ReLU(),
                             Dropout(0.5, rng=rng), Linear(512, 256, rng=rng), BatchNorm1d(256),
                             ReLU(), Dropout(0.5, rng=rng), Linear(256, 10, rng=rng))
    if family == "cnn":
        from minnet.layers.conv import Conv2d
        from minnet.layers.pooling import MaxPool2d
        from minnet.layers.reshape import Flatten
        return mn.Sequential(Conv2d(1, 16, 3, padding=1, rng=rng, input_grad=False), ReLU(),
                             MaxPool2d(2),
                             Conv2d(16, 32, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
                             Flatten(), Linear(32 * 7 * 7, 10, rng=rng))
    from minnet.layers.embedding import Embedding
    from minnet.layers.recurrent import LSTM, RNN
    cell = RNN if family == "rnn" else LSTM
    return mn.Sequential(Embedding(VOCABULARY, EMBEDDING, rng=rng),
                         cell(EMBEDDING, HIDDEN, return_sequences=False, rng=rng),
                         Linear(HIDDEN, 2, rng=rng))


def make_data(family, batch, rng):
    """Inputs and integer labels of one batch (float32 inputs, int64 tokens and labels)."""
    if family in ("rnn", "lstm"):
        return rng.integers(0, VOCABULARY, size=(batch, SEQUENCE)), rng.integers(0, 2, batch)
    shape = (batch, 1, 28, 28) if family == "cnn" else (batch, 784)
    return rng.standard_normal(shape).astype(np.float32), rng.integers(0, 10, batch)


def minnet_step_fn(family, batch, optimizer_name, backend):
    """A zero-argument function running one minnet training step on ``backend``."""
    rng = np.random.default_rng(0)
    model = minnet_model(family, rng).to(np.float32)
    loss_fn = mn.CrossEntropyLoss()
    if optimizer_name == "SGD":
        optimizer = mn.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        optimizer = mn.optim.Adam(model.parameters(), lr=1e-3)
    x, y = make_data(family, batch, rng)

    def step():
        with use_backend(backend):
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            model.backward(loss_fn.backward())
            optimizer.step()
        return loss

    step.model = model  # for the memory pass (kept_bytes)
    return step


# --- PyTorch models -----------------------------------------------------------

def torch_model(family, torch):
    nn = torch.nn
    if family == "mlp":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                             nn.Linear(256, 10))
    if family == "mlp_bn":
        return nn.Sequential(nn.Linear(784, 512), nn.BatchNorm1d(512), nn.ReLU(),
                             nn.Dropout(0.5), nn.Linear(512, 256), nn.BatchNorm1d(256),
                             nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))
    if family == "cnn":
        return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
    cell = nn.RNN if family == "rnn" else nn.LSTM

    class LastState(nn.Module):
        """Embedding, one recurrent layer (batch first), the last time step -> Linear."""

        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCABULARY, EMBEDDING)
            self.recurrent = cell(EMBEDDING, HIDDEN, batch_first=True)
            self.head = nn.Linear(HIDDEN, 2)

        def forward(self, tokens):
            outputs, _ = self.recurrent(self.embedding(tokens))
            return self.head(outputs[:, -1])

    return LastState()


def torch_step_fn(family, batch, optimizer_name, torch):
    """A zero-argument function running one PyTorch training step."""
    torch.manual_seed(0)
    model = torch_model(family, torch)
    loss_fn = torch.nn.CrossEntropyLoss()
    if optimizer_name == "SGD":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = (torch.from_numpy(array) for array in make_data(family, batch,
                                                           np.random.default_rng(0)))

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


# --- timing -------------------------------------------------------------------

def time_per_step(step, steps):
    """Seconds per step over ``steps`` consecutive steps, after a 0.2 s pause."""
    time.sleep(0.2)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def build_steps(family, batch, optimizer_name, torch):
    """``{implementation: step function}``, or a string saying why minnet cannot run."""
    try:
        steps = {"numba": minnet_step_fn(family, batch, optimizer_name, "numba"),
                 "numpy": minnet_step_fn(family, batch, optimizer_name, "numpy")}
    except ImportError:
        return "n/a (layer missing)"
    if torch is not None:
        steps["torch"] = torch_step_fn(family, batch, optimizer_name, torch)
    return steps


def measure(steps, args):
    """Median seconds per step of each implementation, rounds interleaved."""
    for step in steps.values():  # warm up: numba compilation, first-call allocations
        for _ in range(3):
            step()
    times = {name: [] for name in steps}
    for _ in range(args.repeats):
        for name, step in steps.items():
            times[name].append(time_per_step(step, args.steps))
    return {name: statistics.median(values) for name, values in times.items()}


def _arrays(value):
    """The NumPy arrays in ``value``: an array, or dicts, lists and tuples of them."""
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item)


def kept_bytes(model):
    """Bytes minnet keeps between steps for a step's work: ``.grad`` arrays, recurrent workspaces.

    PyTorch allocates both inside its step (its gradients after ``zero_grad()``
    sets them to None; its recurrent buffers on every call), so they count on
    its side; adding them here counts the same thing on both. Views count once,
    as the array that owns the memory.
    """
    arrays = [parameter.grad for parameter in model.parameters() if parameter.grad is not None]
    for module in model.modules():
        arrays.extend(_arrays(getattr(module, "_workspaces", None)))
    owners = {}
    for array in arrays:
        while isinstance(array.base, np.ndarray):
            array = array.base
        owners[id(array)] = array.nbytes
    return sum(owners.values())


def minnet_step_peak(step):
    """Peak bytes of one ``step()``: allocated during it (above its start) plus ``kept_bytes``."""
    tracemalloc.start()
    try:
        step()  # the first traced step: allocations that stay are then already counted
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        step()
        allocated = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    return allocated + kept_bytes(step.model)


def torch_step_peak(step, torch):
    """Peak bytes PyTorch holds during one call of ``step``, but for what a step starts with.

    From the profiler's memory timeline (a private module of PyTorch 2.x: None
    when it is missing or changed): at each point the sum of every category of
    memory except the parameters, the optimizer states and the input batch,
    which exist before the step. Subtracting the timeline's first point instead
    was unstable: the previous step's gradients sometimes appear there.
    """
    try:
        from torch.profiler import ProfilerActivity, profile
        from torch.profiler._memory_profiler import (
            _CATEGORY_TO_INDEX,
            Category,
            MemoryProfileTimeline,
        )

        with profile(activities=[ProfilerActivity.CPU], profile_memory=True,
                     record_shapes=True, with_stack=True) as profiler:
            step()
        timeline = MemoryProfileTimeline(profiler._memory_profile())
        _, sizes = timeline._coalesce_timeline(torch.device("cpu"))
        # each point is [an unused slot, then one size per category, in _CATEGORY_TO_INDEX order]
        before = {_CATEGORY_TO_INDEX[category] + 1 for category in
                  (Category.PARAMETER, Category.OPTIMIZER_STATE, Category.INPUT)}
    except (ImportError, AttributeError, TypeError, RuntimeError, KeyError):
        return None
    totals = [sum(size for index, size in enumerate(point) if index not in before)
              for point in sizes]
    return max(totals) if totals else None


def step_peaks(steps, torch):
    """``{implementation: peak bytes of one step}`` for minnet's numba backend and PyTorch."""
    peaks = {"numba": minnet_step_peak(steps["numba"])}
    if "torch" in steps:
        peak = torch_step_peak(steps["torch"], torch)
        if peak is not None:
            peaks["torch"] = peak
    return peaks


def row(label, batch, optimizer_name, medians, peaks):
    """One markdown table row; '-' where an implementation did not run."""
    def ms(name):
        return f"{1e3 * medians[name]:.2f}" if name in medians else "-"

    def ratio(values, slow, fast):
        if slow in values and fast in values and values[fast] > 0:
            return f"{values[slow] / values[fast]:.2f}x"
        return "-"

    def mb(name):
        return f"{peaks[name] / 2**20:.2f}" if name in peaks else "-"

    return (f"| {label} | {batch} | {optimizer_name} | {ms('numba')} | {ms('numpy')} | "
            f"{ms('torch')} | {ratio(medians, 'torch', 'numba')} | "
            f"{ratio(medians, 'numpy', 'numba')} | {mb('numba')} | {mb('torch')} | "
            f"{ratio(peaks, 'torch', 'numba')} |")


def main(args):
    try:
        import torch

        torch.set_num_threads(args.threads)
        torch_version = torch.__version__
    except ImportError:
        torch, torch_version = None, None
    print(f"float32 training steps; {args.threads} threads; median of {args.repeats} "
          f"interleaved rounds of {args.steps} steps")
    print(f"numpy {np.__version__}, minnet {mn.__version__}, "
          f"torch {torch_version or 'not installed'}\n")
    print("| model | batch | optimizer | numba ms/step | numpy ms/step | torch ms/step | "
          "numba/torch | numba/numpy | numba MB/step | torch MB/step | memory torch/numba |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for family, label, batch in CONFIGS:
        if family not in args.only:
            continue
        for optimizer_name in ("SGD", "Adam"):
            steps = build_steps(family, batch, optimizer_name, torch)
            if not isinstance(steps, str):
                try:
                    medians = measure(steps, args)
                    print(row(label, batch, optimizer_name, medians, step_peaks(steps, torch)),
                          flush=True)
                    continue
                except Exception as error:  # a layer still being written: say so, go on
                    steps = f"error ({type(error).__name__}: {error})"
            print(f"| {label} | {batch} | {optimizer_name} | {steps} | | | | | | | |", flush=True)


if __name__ == "__main__":
    main(ARGS)
