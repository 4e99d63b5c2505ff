"""Write legacy_checkpoints.npz with minnet before parameter groups (commit 3898271).

Run from a checkout of that commit: ``PYTHONPATH=<checkout> python make_legacy_checkpoints.py``.
For each optimizer it stores the state dict after 3 steps (keys ``<name>/optimizer.*``),
the weights then (``<name>/params.*``), two more gradients (``<name>/grads.*``) and
the weights the old code reached with them (``<name>/after.*``); for each schedule,
its state dict after 4 steps and the lrs of the 5 next steps.
"""

import numpy as np

from minnet.core import Parameter
from minnet.optim import (
    SGD,
    Adagrad,
    Adam,
    CosineAnnealingLR,
    LinearWarmup,
    ReduceLROnPlateau,
    RMSprop,
    StepLR,
)

OPTIMIZERS = {"sgd": (SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
              "adam": (Adam, dict(lr=0.01, weight_decay=0.1)),
              "rmsprop": (RMSprop, dict(lr=0.01, momentum=0.5)),
              "adagrad": (Adagrad, dict(lr=0.1))}
SCHEDULES = {"step": lambda o: StepLR(o, 2, 0.5),
             "warmup": lambda o: LinearWarmup(o, 3, after=CosineAnnealingLR(o, T_max=6)),
             "plateau": lambda o: ReduceLROnPlateau(o, factor=0.5, patience=1)}
METRICS = [1.0, 0.9, 0.95, 0.97, 0.99, 1.2, 1.3, 0.5, 0.6]


def main():
    rng = np.random.default_rng(0)
    out = {}
    for name, (cls, kwargs) in OPTIMIZERS.items():
        params = [Parameter(rng.normal(size=shape)) for shape in [(3, 2), (2,)]]
        optimizer = cls(params, **kwargs)
        for _ in range(3):
            for param in params:
                param.grad[...] = rng.normal(size=param.shape)
            optimizer.step()
        out.update({f"{name}/optimizer.{k}": v for k, v in optimizer.state_dict().items()})
        out.update({f"{name}/params.{i}": p.data.copy() for i, p in enumerate(params)})
        for step in range(2):
            for i, param in enumerate(params):
                param.grad[...] = out[f"{name}/grads.{step}.{i}"] = rng.normal(size=param.shape)
            optimizer.step()
        out.update({f"{name}/after.{i}": p.data.copy() for i, p in enumerate(params)})
    for name, build in SCHEDULES.items():
        optimizer = SGD([Parameter(np.ones(2))], lr=0.1)
        schedule = build(optimizer)
        lrs = []
        for step, metric in enumerate(METRICS):
            schedule.step(metric) if name == "plateau" else schedule.step()
            if step == 3:
                out.update({f"{name}/schedule.{k}": v for k, v in schedule.state_dict().items()})
                out.update({f"{name}/optimizer.{k}": v
                            for k, v in optimizer.state_dict().items()})
            elif step > 3:
                lrs.append(optimizer.lr)
        out[f"{name}/lrs"] = np.array(lrs)
    np.savez("legacy_checkpoints.npz", **out)


if __name__ == "__main__":
    main()
