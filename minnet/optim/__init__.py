"""Optimizers, learning-rate schedules and gradient clipping (``mn.optim``).

The update rules are PyTorch's, so the same gradients give the same weights::

    optimizer = Adam(model.parameters(), lr=1e-3)
    scheduler = CosineAnnealingLR(optimizer, T_max=epochs)
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            model.backward(loss_fn.backward())
            clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
        scheduler.step()            # once per epoch

Parameter groups, as in PyTorch: ``SGD([{"params": body.parameters()},
{"params": head.parameters(), "lr": 1e-2}], lr=1e-3, momentum=0.9)``.

Optimizers, in order of increasing complexity: SGD, Adagrad, RMSprop, Adam, AdamW.
Schedules (chainable, as PyTorch's): StepLR, MultiStepLR, ExponentialLR,
CosineAnnealingLR, LambdaLR, LinearWarmup, CosineAnnealingWarmRestarts,
OneCycleLR, ReduceLROnPlateau.
"""

from minnet.optim.adagrad import Adagrad
from minnet.optim.adam import Adam, AdamW
from minnet.optim.clipping import clip_grad_norm_, clip_grad_value_
from minnet.optim.cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from minnet.optim.lr_scheduler import LRScheduler
from minnet.optim.one_cycle import OneCycleLR
from minnet.optim.optimizer import Optimizer
from minnet.optim.param_groups import ParamGroup
from minnet.optim.plateau import ReduceLROnPlateau
from minnet.optim.rmsprop import RMSprop
from minnet.optim.schedules import ExponentialLR, LambdaLR, MultiStepLR, StepLR
from minnet.optim.sgd import SGD
from minnet.optim.warmup import LinearWarmup

__all__ = [
    "Optimizer", "ParamGroup", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW",
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
    "LambdaLR", "LinearWarmup", "CosineAnnealingWarmRestarts", "OneCycleLR",
    "ReduceLROnPlateau", "clip_grad_norm_", "clip_grad_value_",
]
