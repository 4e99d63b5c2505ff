"""Public-API fuzz cases (tests/test_fuzz_public_api.py) for minnet.optim.

- optimizers: built from parameters as a user passes them (a list, a
  generator, groups with their own options, the module itself, junk) and
  valid or corrupted hyperparameters; then steps after backwards with messy
  gradients (NaN, ±inf, huge), ``zero_grad``, ``add_param_group`` with junk,
  and a state dict saved, damaged and loaded back;
- schedules: every constructor with valid or corrupted arguments on a one- or
  two-group optimizer, stepped a few times (ReduceLROnPlateau with messy
  metrics, LambdaLR with functions returning junk), their state dicts damaged
  and loaded;
- ``clip_grad_norm_`` and ``clip_grad_value_`` on messy gradients.

Every scenario runs on a backend drawn from ``BACKENDS`` (the optimizers'
updates have numba kernels).
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minnet.core import Sequential
from minnet.kernels import BACKENDS, use_backend
from minnet.layers.linear import Linear
from minnet.optim import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LambdaLR,
    LinearWarmup,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    RMSprop,
    StepLR,
    clip_grad_norm_,
    clip_grad_value_,
)
from tests.fuzz_cases import (
    Scenario,
    attempt,
    call,
    corrupted,
    float_arrays,
    junk,
    messy_floats,
    sizes,
)

LR = st.floats(1e-4, 1.0)
DECAY = st.floats(0, 0.99)


def small_model():
    return Sequential(Linear(2, 3, rng=0), Linear(3, 1, rng=1))


def messy_gradients(data, model):
    """Write a gradient into some of the model's parameters (the others stay unreached)."""
    for param in model.parameters():
        if data.draw(st.integers(0, 3), label="reached?"):
            grad = data.draw(float_arrays(st.just(param.shape)), label="grad")
            param.add_grad(grad.astype(param.dtype))
        if not data.draw(st.integers(0, 5), label="frozen?"):
            param.requires_grad = False


def parameters_as_given(data, model):
    """``params`` as a user passes it: a list, a generator, groups, or a mistake."""
    params = list(model.parameters())
    group_options = st.fixed_dictionaries({}, optional={"lr": LR | junk(),
                                                        "weight_decay": DECAY | junk(),
                                                        "foo": junk()})
    groups = group_options.map(lambda options: [{"params": params[:2], **options},
                                                {"params": params[2:]}])
    return data.draw(st.one_of(st.just(params), st.just(params), st.just(model.parameters()),
                               groups, st.just(model), st.just([]), st.just(params + params[:1]),
                               st.just([params[0], {"params": params[1:]}]), junk()),
                     label="params")


OPTIMIZERS = [
    (SGD, dict(momentum=DECAY, nesterov=st.just(False), weight_decay=DECAY,
               dampening=DECAY)),
    (SGD, dict(momentum=st.floats(0.1, 0.99), nesterov=st.just(True))),
    (Adagrad, dict(eps=st.floats(1e-10, 1e-3), lr_decay=DECAY, weight_decay=DECAY,
                   initial_accumulator_value=st.floats(0, 1))),
    (RMSprop, dict(alpha=DECAY, eps=st.floats(1e-10, 1e-3), momentum=DECAY,
                   weight_decay=DECAY, centered=st.booleans())),
    (Adam, dict(betas=st.tuples(DECAY, DECAY), eps=st.floats(1e-10, 1e-3),
                weight_decay=DECAY, amsgrad=st.booleans())),
    (AdamW, dict(betas=st.tuples(DECAY, DECAY), eps=st.floats(1e-10, 1e-3),
                 weight_decay=DECAY, amsgrad=st.booleans())),
]


def damaged(data, state):
    """``state`` with a few entries replaced (junk, other shapes, other dtypes), removed, or
    added; sometimes not a dict at all."""
    state = dict(state)
    keys = sorted(state)
    for key in data.draw(st.lists(st.sampled_from(keys), max_size=2), label="damaged keys"):
        shape = np.shape(state[key])
        state[key] = data.draw(st.one_of(
            junk(), float_arrays(st.just(shape)), float_arrays(st.just(shape + (2,))),
            hnp.arrays(np.int64, shape, elements=st.integers(-2, 5)),
            st.just(np.asarray(state[key]).astype(object)),
            st.just(np.asarray(state[key]).astype(complex) if np.asarray(
                state[key]).dtype.kind in "fiub" else state[key])), label=key)
    if data.draw(st.booleans(), label="drop a key?") and keys:
        state.pop(data.draw(st.sampled_from(keys), label="dropped"), None)
    if data.draw(st.integers(0, 4), label="add a key?") == 0:
        key = data.draw(st.sampled_from(["foo", "state.0.step", "param_groups.9.lr", 3, None]),
                        label="added")
        state[key] = data.draw(junk(), label="added value")
    return data.draw(st.sampled_from([state, state, state, None, [1, 2], "state"]),
                     label="state dict")


def optimizer_scenario(cls, keywords, name):
    keys = tuple(keywords)

    def run(data):
        model = small_model()
        with use_backend(data.draw(st.sampled_from(BACKENDS), label="backend")):
            valid = call(st.just(None), LR, **keywords)
            arguments = valid if data.draw(st.integers(0, 2)) else corrupted(valid)
            args, kwargs = data.draw(arguments, label="arguments")
            if args:
                args = (parameters_as_given(data, model),) + args[1:]
            ok, optimizer = attempt(cls, *args, **kwargs)
            if not ok:
                return
            for _ in range(data.draw(st.integers(1, 3), label="steps")):
                messy_gradients(data, model)
                attempt(optimizer.step)
                if data.draw(st.booleans(), label="zero_grad?"):
                    attempt(optimizer.zero_grad)
            # an option set by hand: on the optimizer (every group) or in one group
            key = data.draw(st.sampled_from(("lr", "foo", "params", 3) + keys), label="key")
            value = data.draw(LR | junk(), label="value")
            if isinstance(key, str) and key != "params":
                attempt(setattr, optimizer, key, value)
            attempt(optimizer.param_groups[0].__setitem__, key, value)
            attempt(optimizer.hyperparameters)
            group = {"params": [Linear(1, 1).weight], "lr": data.draw(LR | junk())}
            attempt(optimizer.add_param_group,
                    data.draw(st.sampled_from([group, {"lr": 0.1}, []]) | junk(),
                              label="group"))
            attempt(optimizer.load_state_dict, damaged(data, optimizer.state_dict()))
            attempt(optimizer.step)
    return Scenario(name, run)


def sgd_with_groups(data, model):
    params = list(model.parameters())
    if data.draw(st.booleans(), label="two groups?"):
        params = [{"params": params[:2]}, {"params": params[2:], "lr": 0.01}]
    cls = data.draw(st.sampled_from([SGD, Adam, Adagrad]), label="optimizer")
    return cls(params, lr=0.1, momentum=0.9) if cls is SGD else cls(params, lr=0.1)


def one_or_per_group(strategy):
    return strategy | st.lists(strategy, min_size=1, max_size=3)


SCHEDULES = [
    (StepLR, call(sizes(1, 3), gamma=st.floats(0.1, 1))),
    (MultiStepLR, call(st.lists(st.integers(0, 4), max_size=3), gamma=st.floats(0.1, 1))),
    (ExponentialLR, call(st.floats(0.1, 1))),
    (CosineAnnealingLR, call(sizes(1, 4), eta_min=st.floats(0, 1e-3))),
    (LambdaLR, call(one_or_per_group(st.sampled_from([
        lambda step: 0.9 ** step, lambda step: float("nan"), lambda step: -1.0,
        lambda step: "x", lambda step: 1e300 * 10.0 ** step, lambda step: np.float32(0.5)])))),
    (LinearWarmup, call(sizes(1, 3))),
    (CosineAnnealingWarmRestarts, call(sizes(1, 3), T_mult=sizes(1, 2),
                                       eta_min=st.floats(0, 1e-3))),
    (OneCycleLR, call(one_or_per_group(st.floats(1e-3, 1.0)), total_steps=sizes(2, 6),
                      pct_start=st.floats(0.1, 0.9), anneal_strategy=st.sampled_from(
                          ["cos", "linear"]), cycle_momentum=st.booleans(),
                      three_phase=st.booleans(), div_factor=st.floats(1, 100),
                      final_div_factor=st.floats(1, 1e4))),
    (ReduceLROnPlateau, call(factor=st.floats(0.01, 0.99), patience=st.integers(0, 2),
                             mode=st.sampled_from(["min", "max"]),
                             threshold=st.floats(0, 0.1),
                             min_lr=one_or_per_group(st.floats(0, 1e-3)),
                             threshold_mode=st.sampled_from(["rel", "abs"]),
                             cooldown=st.integers(0, 2), eps=st.floats(0, 1e-6))),
]


def schedule_scenario(cls, valid):
    def run(data):
        model = small_model()
        optimizer = sgd_with_groups(data, model)
        arguments = valid if data.draw(st.integers(0, 2)) else corrupted(valid)
        args, kwargs = data.draw(arguments, label="arguments")
        if not data.draw(st.integers(0, 9), label="junk optimizer?"):
            optimizer = data.draw(junk(), label="optimizer")
        ok, schedule = attempt(cls, optimizer, *args, **kwargs)
        if not ok:
            return
        metrics = st.one_of(messy_floats(), st.integers(-2, 2), junk())
        for _ in range(data.draw(st.integers(0, 5), label="steps")):
            if cls is ReduceLROnPlateau:
                attempt(schedule.step, data.draw(metrics, label="metric"))
            else:
                attempt(schedule.step)
            assert all(group["lr"] >= 0 for group in optimizer.param_groups)
        attempt(schedule.load_state_dict, damaged(data, schedule.state_dict()))
        attempt(schedule.get_last_lr)
    return Scenario(cls.__name__, run)


def clipping_scenario(data):
    model = small_model()
    messy_gradients(data, model)
    params = data.draw(st.sampled_from([list(model.parameters()), model.parameters(),
                                        model.parameters()]) | junk(), label="params")
    if data.draw(st.booleans(), label="by norm?"):
        norm_type = data.draw(st.sampled_from([2.0, 1.0, 3, float("inf"), "inf", 0.5])
                              | junk(), label="norm_type")
        attempt(clip_grad_norm_, params, data.draw(st.floats(1e-3, 10) | junk()),
                norm_type, data.draw(st.booleans() | junk()))
    else:
        attempt(clip_grad_value_, params, data.draw(st.floats(1e-3, 10) | junk()))


SCENARIOS = ([optimizer_scenario(cls, keywords, f"{cls.__name__}-{index}")
              for index, (cls, keywords) in enumerate(OPTIMIZERS)]
             + [schedule_scenario(cls, valid) for cls, valid in SCHEDULES]
             + [Scenario("clip_grad", clipping_scenario)])
