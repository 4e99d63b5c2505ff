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

Optimizers, in order of increasing complexity: SGD, Adagrad, RMSprop, Adam, AdamW.
"""

from minnet.optim.adagrad import Adagrad
from minnet.optim.adam import Adam, AdamW
from minnet.optim.clipping import clip_grad_norm_, clip_grad_value_
from minnet.optim.optimizer import Optimizer
from minnet.optim.plateau import ReduceLROnPlateau
from minnet.optim.rmsprop import RMSprop
from minnet.optim.schedules import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearWarmup,
    LRScheduler,
    StepLR,
)
from minnet.optim.sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW",
    "LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearWarmup",
    "ReduceLROnPlateau", "clip_grad_norm_", "clip_grad_value_",
]
