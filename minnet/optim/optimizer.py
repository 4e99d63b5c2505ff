"""The Optimizer base class: parameters, per-parameter state, lr, state_dict.

A subclass names its hyperparameters, checks them, names its per-parameter
state arrays and writes ``_update(data, grad, state)``, the rule for one
parameter. The base class does the rest: it validates the parameter list,
keeps one state dict per parameter (aligned with ``self.params``, arrays in
the parameter's dtype), counts steps, and saves and restores everything as
a flat ``{str: ndarray}`` dict.
"""

import numpy as np

from minnet.core import Module, Parameter
from minnet.errors import ConfigError, ShapeError, StateDictError
from minnet.optim.statedict import check_state_dict, to_python, type_marker
from minnet.validation import check_float, check_int


def as_parameter_list(owner, params, allow_single=False):
    """Return ``params`` (a list, a generator, ``model.parameters()``) as a list.

    Raises ConfigError for a Module (pass ``model.parameters()``), a bare
    array, a non-Parameter element, a duplicate or an empty list.
    """
    hint = "pass model.parameters()"
    if isinstance(params, Module):
        raise ConfigError(
            f"{owner}: expected an iterable of Parameters, got the module "
            f"{type(params).__name__} itself; {hint}"
        )
    if isinstance(params, Parameter):
        if allow_single:
            return [params]
        raise ConfigError(
            f"{owner}: expected an iterable of Parameters, got a single Parameter; "
            f"pass a list: [param]"
        )
    if isinstance(params, (np.ndarray, dict, str)) or not hasattr(params, "__iter__"):
        raise ConfigError(
            f"{owner}: expected an iterable of Parameters, got {type(params).__name__}; "
            f"{hint} (parameter groups as dicts are not supported)"
        )
    params = list(params)
    if not params:
        raise ConfigError(
            f"{owner}: got an empty parameter list; does the model assign its Parameters "
            f"as attributes after super().__init__()? (a generator can be iterated only "
            f"once: a second use finds it empty)"
        )
    seen = set()
    for index, param in enumerate(params):
        if not isinstance(param, Parameter):
            raise ConfigError(
                f"{owner}: element {index} of params must be a Parameter, got "
                f"{type(param).__name__}; {hint}"
            )
        if id(param) in seen:
            raise ConfigError(
                f"{owner}: element {index} of params repeats an earlier Parameter "
                f"({param!r}); it would be updated twice per step"
            )
        seen.add(id(param))
    return params


class Optimizer:
    """Base class of SGD, Adagrad, RMSprop, Adam and AdamW.

    Parameters
    ----------
    params : iterable of Parameter
        ``model.parameters()``, a list or a generator (consumed once).
    lr : float
        Learning rate, > 0. ``opt.lr`` may be set later (it is checked again);
        schedules set it too.
    **hyperparameters
        The subclass's other hyperparameters, checked by ``_check_hyperparameters``.

    Attributes
    ----------
    params : list of Parameter
    state : list of dict of str to ndarray
        ``state[i]`` belongs to ``params[i]``; arrays have its shape and dtype.
    step_count : int
        Number of ``step()`` calls so far (Adam's ``t``).
    """

    hyperparameter_names = ()

    def __init__(self, params, lr, **hyperparameters):
        name = type(self).__name__
        self.params = as_parameter_list(name, params)
        self.lr = lr
        for key, value in self._check_hyperparameters(**hyperparameters).items():
            object.__setattr__(self, key, value)
        self.step_count = 0
        names = self._state_names(self.hyperparameters())
        self.state = [{key: np.zeros_like(param.data) for key in names}
                      for param in self.params]

    def __setattr__(self, key, value):
        # A hyperparameter set after construction is checked again, together
        # with the others (nesterov needs momentum > 0).
        if key in self.hyperparameter_names and key in self.__dict__:
            value = self._check_hyperparameters(**{**self.hyperparameters(), key: value})[key]
        object.__setattr__(self, key, value)

    # --- what a subclass provides ------------------------------------------

    @classmethod
    def _check_hyperparameters(cls, **hyperparameters):
        """Return the hyperparameters checked and converted; raise ConfigError."""
        return {}

    @staticmethod
    def _state_names(hyperparameters):
        """Names of the per-parameter state arrays under these hyperparameters."""
        return ()

    def _update(self, data, grad, state):
        """Update ``data`` in place from ``grad`` and this parameter's ``state``."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    # --- lr ----------------------------------------------------------------

    @property
    def lr(self):
        """The learning rate (a float > 0; checked on every assignment)."""
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = check_float(type(self).__name__, "lr", value, low=0.0, low_open=True)

    def _set_scheduled_lr(self, value):
        """Set lr from a schedule or a checkpoint: 0 is allowed here.

        Cosine annealing legitimately ends at ``eta_min=0``; a user asking
        for ``lr=0`` by hand has made a mistake, so the property refuses it.
        """
        self._lr = check_float(type(self).__name__, "lr", value, low=0.0)

    # --- training ----------------------------------------------------------

    def hyperparameters(self):
        """The hyperparameters other than lr, as a dict (in declaration order)."""
        return {key: getattr(self, key) for key in self.hyperparameter_names}

    def step(self):
        """Update every parameter in place from its ``.grad`` (one optimization step)."""
        for index, param in enumerate(self.params):  # before anything moves
            if param.grad.shape != param.data.shape:
                raise ShapeError(
                    f"{type(self).__name__}.step: params[{index}] ({param!r}) has a grad "
                    f"of shape {param.grad.shape}, expected {param.data.shape}"
                )
        self.step_count += 1
        names = self._state_names(self.hyperparameters())
        for param, state in zip(self.params, self.state, strict=True):
            if not (param.requires_grad and param.has_grad):
                continue  # frozen, or no backward reached it: PyTorch skips a None grad
            data, grad = param.data, param.grad
            for key in names:
                # A buffer appears when momentum is switched on, and follows the
                # parameter's dtype after ``model.to(np.float32)``.
                buffer = state.get(key)
                if buffer is None:
                    state[key] = np.zeros_like(data)
                elif buffer.dtype != data.dtype:
                    state[key] = buffer.astype(data.dtype)
            self._update(data, grad, state)

    def zero_grad(self):
        """Fill every parameter's ``.grad`` with zeros in place."""
        for param in self.params:
            param.zero_grad()

    # --- saving ------------------------------------------------------------

    def state_dict(self):
        """A flat ``{str: ndarray}`` copy of everything ``step()`` depends on.

        Keys: ``type`` (class name), ``lr``, ``step``, each hyperparameter,
        and ``state.{i}.{name}`` for each parameter ``i``. Every value is a
        plain numeric or unicode array, so ``np.savez`` writes it and
        ``np.load(..., allow_pickle=False)`` reads it.
        """
        result = {"type": type_marker(self), "lr": np.array(self.lr),
                  "step": np.array(self.step_count, dtype=np.int64)}
        for key, value in self.hyperparameters().items():
            result[key] = np.array(value)
        names = self._state_names(self.hyperparameters())
        for index, (param, state) in enumerate(zip(self.params, self.state, strict=True)):
            for key in names:
                buffer = state.get(key)
                result[f"state.{index}.{key}"] = (
                    np.zeros_like(param.data) if buffer is None else buffer.copy())
        return result

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` saved, so training resumes bit-identically.

        Raises StateDictError for a dict from another optimizer type or with
        missing, unexpected or mis-shaped keys; ConfigError for invalid
        hyperparameter values. Nothing is changed unless everything checks.
        """
        name = type(self).__name__
        expected = {"type": (), "lr": (), "step": ()}
        expected.update({key: np.shape(value) for key, value in self.hyperparameters().items()})
        if not hasattr(state_dict, "items"):
            check_state_dict(self, state_dict, expected)  # raises: not a dict
        # The state arrays a dict must hold depend on its hyperparameters (SGD
        # keeps a momentum buffer only when momentum > 0): check those first.
        check_state_dict(self, {key: value for key, value in state_dict.items()
                                if not key.startswith("state.")}, expected)
        hyperparameters = self._check_hyperparameters(
            **{key: to_python(state_dict[key]) for key in self.hyperparameter_names})
        state_names = self._state_names(hyperparameters)
        for index, param in enumerate(self.params):
            for key in state_names:
                expected[f"state.{index}.{key}"] = param.shape
        check_state_dict(self, state_dict, expected)
        for key in expected:
            dtype = np.asarray(state_dict[key]).dtype
            wanted = "U" if key == "type" else ("iu" if key == "step" else "fiub")
            if dtype.kind not in wanted:
                raise StateDictError(
                    f"{name}.load_state_dict: '{key}' holds an array of dtype {dtype}, "
                    f"expected {'a string' if key == 'type' else 'a numeric'} array"
                )
        step_count = check_int(name, "step", to_python(state_dict["step"]), minimum=0)
        lr = check_float(name, "lr", to_python(state_dict["lr"]), low=0.0)
        # Everything is checked: only now change the optimizer.
        self._set_scheduled_lr(lr)
        for key, value in hyperparameters.items():
            object.__setattr__(self, key, value)  # checked together above
        self.step_count = step_count
        self.state = [
            {key: np.array(state_dict[f"state.{index}.{key}"], dtype=param.dtype, copy=True)
             for key in state_names}
            for index, param in enumerate(self.params)
        ]

    def __repr__(self):
        items = [f"lr={self.lr!r}"] + [f"{key}={value!r}"
                                       for key, value in self.hyperparameters().items()]
        return f"{type(self).__name__}({', '.join(items)})"
