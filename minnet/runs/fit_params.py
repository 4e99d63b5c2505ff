"""What ``fit(..., run=...)`` records as a run's parameters: the setup, not the results.

``fit_params(state, settings)`` returns a flat dict whose dotted keys group
the setup (``minnet runs compare`` shows the keys that differ)::

    model            repr of the model           model.parameters  scalar count
    model.layers     the layer types, in order   optimizer         its class
    optimizer.lr, optimizer.momentum, ...        scheduler         class(es)
    scheduler.step_size, ... (scheduler.0.*, scheduler.1.* for a list)
    data.X, data.y, data.X_val, data.y_val       shapes, as lists
    epochs, batch_size, shuffle, seed (when fit's rng is an int)
    backend, version.minnet, version.numpy, version.python, git.commit
"""

import os
import platform
import subprocess
import sys

import numpy as np

GIT_TIMEOUT_SECONDS = 2.0


def fit_params(state, settings):
    """The parameters of one ``fit``.

    Parameters
    ----------
    state : the ``TrainerState`` of the fit (model, optimizer, scheduler)
    settings : dict of fit's own arguments: ``epochs``, ``batch_size``, ``shuffle``,
        ``rng`` and the arrays ``X``, ``y``, ``X_val``, ``y_val`` (None when absent)
    """
    params = {**model_params(state.model), **optimizer_params(state.optimizer),
              **scheduler_params(state.scheduler)}
    for name in ("X", "y", "X_val", "y_val"):
        if settings.get(name) is not None:
            params[f"data.{name}"] = list(np.shape(settings[name]))
    params.update(epochs=settings["epochs"], batch_size=settings["batch_size"],
                  shuffle=bool(settings["shuffle"]))
    rng = settings.get("rng")
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        params["seed"] = int(rng)
    params.update(environment_params())
    return params


def model_params(model):
    layers = [type(module).__name__ for module in model.modules() if module is not model]
    return {"model": repr(model),
            "model.parameters": int(sum(param.data.size for param in model.parameters())),
            "model.layers": layers or [type(model).__name__]}


def optimizer_params(optimizer):
    """Class and hyper-parameters; a value that differs between groups is a list per group."""
    params = {"optimizer": type(optimizer).__name__}
    groups = getattr(optimizer, "param_groups", None)
    names = ("lr",) + tuple(getattr(optimizer, "hyperparameter_names", ()))
    if not groups:
        return params
    for name in names:
        values = [group.get(name) for group in groups]
        params[f"optimizer.{name}"] = values[0] if all(v == values[0] for v in values) \
            else values
    return params


def scheduler_params(scheduler):
    """Class and settings of fit's schedule, or of each schedule of a list."""
    if scheduler is None:
        return {}
    schedules = list(scheduler) if isinstance(scheduler, (list, tuple)) else [scheduler]
    params = {}
    for index, schedule in enumerate(schedules):
        prefix = "scheduler" if len(schedules) == 1 else f"scheduler.{index}"
        params[prefix] = type(schedule).__name__
        for name in getattr(schedule, "hyperparameter_names", ()):
            params[f"{prefix}.{name}"] = getattr(schedule, name, None)
    return params


def environment_params():
    """Backend, versions and the git commit of the working folder (absent outside a repo)."""
    from minnet.kernels import get_backend

    # minnet's __init__ has run before any fit (it imports training): read its version
    # there, not by an `import minnet` that would be a cycle through minnet.training
    version = sys.modules["minnet"].__version__
    params = {"backend": get_backend(), "version.minnet": version,
              "version.numpy": np.__version__, "version.python": platform.python_version()}
    commit = git_commit(os.getcwd())
    if commit is not None:
        params["git.commit"] = commit
    return params


def git_commit(folder):
    """``git rev-parse HEAD`` in ``folder``, or None (no git, not a repo, too slow).

    Asked at every fit (a few milliseconds): a notebook may commit between two fits.
    """
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True,
                                text=True, timeout=GIT_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else None
