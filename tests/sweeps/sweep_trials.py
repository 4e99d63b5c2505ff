"""Trial functions of the sweep tests: module-level, so that worker processes import them.

Each one is deterministic in (params, seed) and logs into the current run the
way a training loop does, so the tests see metrics recorded per step too.
"""

import time

import numpy as np

from minnet.runs import current_run


def quadratic(params, seed):
    """A noisy quadratic in the learning rate: the final 'loss' and 'accuracy' of a trial."""
    rng = np.random.default_rng(seed)
    run = current_run()
    loss = 1.0
    for step in range(3):
        loss = (np.log10(params["lr"]) + 2) ** 2 + 0.1 * rng.standard_normal()
        run.log_metric("step_loss", loss, step=step)
    return {"loss": float(loss), "accuracy": float(1 / (1 + abs(loss)))}


def one_number(params, seed):
    """A trial returning a plain float: recorded as the metric "metric"."""
    return params["x"] * 10.0 + seed


def fails_for_large_lr(params, seed):
    """Raises for lr > 0.05: a failing trial among finished ones."""
    if params["lr"] > 0.05:
        raise FloatingPointError(f"loss diverged at lr={params['lr']}")
    return {"loss": params["lr"] + seed}


def sleepy(params, seed):
    """Sleeps ``params['sleep']`` seconds (long enough to kill its worker meanwhile)."""
    current_run().log_metric("started", 1.0, step=0)
    current_run().flush()
    time.sleep(params["sleep"])
    return {"value": params["i"] * 100.0 + seed}


def bad_return(params, seed):
    """Returns a string: not metrics."""
    return "done"


def dies_once(params, seed):
    """Kills its own worker process the first time it runs with ``params["x"] == 2`` (the
    file ``params["marker"]`` remembers that it did), then returns like ``one_number``."""
    import os
    import signal

    if params["x"] == 2 and not os.path.exists(params["marker"]):
        open(params["marker"], "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return {"metric": params["x"] * 10.0 + seed, "pid": float(os.getpid())}


def kills_its_process(kill):
    """A task of ``run_tasks``: kills its worker process when ``kill`` is true."""
    import os
    import signal

    if kill:
        os.kill(os.getpid(), signal.SIGKILL)
    return kill
