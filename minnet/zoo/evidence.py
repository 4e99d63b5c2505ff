"""Mistakes whose evidence the doctor already holds: the optimizer, the rate, the schedule.

A learning rate far above what the doctor's own range test suggests (before
anything diverges), dead ReLUs made by a too-large step, a schedule stepped
per batch instead of per epoch, and three hand-written loops whose optimizer
never updates the model. The mistake is marked ``# MISTAKE``.
"""

import functools

from minnet.layers.activations import ReLU
from minnet.losses import CrossEntropyLoss
from minnet.optim import SGD, Adam, ExponentialLR
from minnet.random import make_rng
from minnet.zoo.base import Experiment, broken, collect, mlp, spiral_split, train_loop
from minnet.zoo.mlp import _tanh_sgd

SPIRAL_SIZES = (2, 32, 32, 3)
EPOCHS, BATCH_SIZE, LR = 20, 32, 1e-2


def _spiral(seed, model, optimizer, train=None):
    X, y, X_val, y_val = spiral_split(seed)
    return Experiment(model, CrossEntropyLoss(), optimizer, X, y, X_val, y_val, train)


@broken("lr-x10-above-range", "SGD (momentum 0.9) at lr=1, ten times a good rate and tens of "
        "times what the learning-rate range test suggests; it has not diverged yet when the "
        "doctor looks.", "lr-too-high")
def lr_above_range(seed):
    # the twin is healthy-tanh-glorot (the same network at lr=0.1)
    return _tanh_sgd(seed, lr=1.0)  # MISTAKE


@broken("dead-relu-large-step", "SGD (momentum 0.9) at lr=1 on a ReLU network: the first "
        "large steps push half the units of a layer below zero for good.",
        ("dead-relu", "lr-too-high"))
def dead_relu_large_step(seed):
    model = mlp((2, 64, 64, 3), seed, activation=ReLU)
    return _spiral(seed, model, SGD(model.parameters(), lr=1.0, momentum=0.9))  # MISTAKE


@broken("lr-schedule-per-batch", "An ExponentialLR(gamma=0.9) meant for each epoch is stepped "
        "after every batch: the rate is a hundred times smaller after 44 steps and the loss "
        "freezes.", "lr-schedule-collapse")
def lr_schedule_per_batch(seed):
    model = mlp(SPIRAL_SIZES, seed)
    optimizer = Adam(model.parameters(), lr=LR)
    scheduler = ExponentialLR(optimizer, gamma=0.9)
    train = functools.partial(train_loop, epochs=EPOCHS, batch_size=BATCH_SIZE, rng=seed,
                              scheduler=scheduler,
                              scheduler_per_batch=True)  # MISTAKE: not once per epoch
    return _spiral(seed, model, optimizer, train)


# --- loops whose optimizer does not update the model ----------------------------------

def _loop(order, model, loss_fn, optimizer, X, y, seed):
    """Mini-batch training whose statements run in ``order`` (names of the four calls)."""
    rng = make_rng(seed)
    model.train()
    for _ in range(EPOCHS):
        batches = rng.permutation(len(X))
        for start in range(0, len(X), BATCH_SIZE):
            batch = batches[start:start + BATCH_SIZE]
            for statement in order:
                if statement == "zero_grad":
                    optimizer.zero_grad()
                elif statement == "forward":
                    loss_fn(model(X[batch]), y[batch])
                elif statement == "backward":
                    model.backward(loss_fn.backward())
                else:
                    optimizer.step()


@broken("optimizer-on-another-copy", "The optimizer was built on the parameters of a second "
        "instance of the model, not on the one the loop trains: step() updates weights the "
        "loop never uses.", "optimizer-not-updating")
def optimizer_on_another_copy(seed):
    model = mlp(SPIRAL_SIZES, seed)
    optimizer = Adam(mlp(SPIRAL_SIZES, seed).parameters(), lr=LR)  # MISTAKE: another model
    train = functools.partial(train_loop, epochs=EPOCHS, batch_size=BATCH_SIZE, rng=seed)
    return _spiral(seed, model, optimizer, train)


@broken("zero-grad-after-backward", "A hand-written loop calls optimizer.zero_grad() between "
        "backward() and step(): the optimizer always sees zero gradients.",
        "optimizer-not-updating")
def zero_grad_after_backward(seed):
    model = mlp(SPIRAL_SIZES, seed)
    order = ("forward", "backward", "zero_grad", "step")  # MISTAKE: zero_grad after backward
    train = functools.partial(_loop, order, seed=seed)
    return _spiral(seed, model, Adam(model.parameters(), lr=LR), train)


@broken("step-before-backward", "A hand-written loop calls optimizer.step() before the forward "
        "and backward passes, right after zero_grad(): each step sees zero gradients.",
        "optimizer-not-updating")
def step_before_backward(seed):
    model = mlp(SPIRAL_SIZES, seed)
    order = ("zero_grad", "step", "forward", "backward")  # MISTAKE: step before backward
    train = functools.partial(_loop, order, seed=seed)
    return _spiral(seed, model, Adam(model.parameters(), lr=LR), train)


EXAMPLES = collect(globals())
