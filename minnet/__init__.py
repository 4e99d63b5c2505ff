"""minnet: a from-scratch NumPy neural-network library for learning and debugging.

``import minnet as mn``. Every layer writes its own forward and backward
pass; ``mn.gradcheck`` proves them. Importing minnet neither imports
matplotlib nor compiles any kernel; with glibc it raises malloc's thresholds
so that freed arrays are reused step after step (``minnet.kernels.heap``;
``MINNET_KEEP_FREED_MEMORY=0`` leaves malloc alone).
"""

__version__ = "0.1.0"

from minnet import data, functional, init, optim  # noqa: F401
from minnet.checkpoint import load, save  # noqa: F401
from minnet.core import (  # noqa: F401
    ArgumentError,
    CheckpointError,
    CheckpointNotFoundError,
    CheckpointWriteError,
    ConfigError,
    DataError,
    DTypeError,
    GradcheckError,
    LayerCheckError,
    MinnetError,
    Module,
    Parameter,
    PendingForwardWarning,
    Sequential,
    ShapeError,
    StateDictError,
)
from minnet.diagnostics import DoctorCallback, Finding, Report, doctor, watch  # noqa: F401
from minnet.grad_mode import enable_grad, is_grad_enabled, no_grad  # noqa: F401
from minnet.gradcheck import gradcheck, numerical_gradient, rel_error  # noqa: F401
from minnet.kernels import get_backend, set_backend  # noqa: F401
from minnet.kernels.heap import keep_freed_memory as _keep_freed_memory
from minnet.layers import (  # noqa: F401
    ELU,
    GELU,
    GRU,
    LSTM,
    RNN,
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv1d,
    Conv2d,
    Dropout,
    Dropout2d,
    Embedding,
    Flatten,
    GroupNorm,
    Identity,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool1d,
    MaxPool2d,
    ModuleDict,
    ModuleList,
    ReLU,
    Reshape,
    Residual,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
    remove_weight_norm,
    weight_norm,
)
from minnet.losses import (  # noqa: F401
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    Loss,
    MSELoss,
    NLLLoss,
    RegularizedLoss,
    SmoothL1Loss,
)
from minnet.random import seed  # noqa: F401
from minnet.runs import Run  # noqa: F401
from minnet.training import (  # noqa: F401
    Callback,
    EarlyStopping,
    History,
    ModelCheckpoint,
    evaluate,
    fit,
    predict,
)

# A training step frees and allocates the same large arrays every step: keep the freed
# memory for reuse instead of faulting it in again (see minnet.kernels.heap).
_keep_freed_memory()


def check_layer(layer, input_shape, **kwargs):
    """Run the common layer checks (see ``minnet.testing.check_layer``)."""
    from minnet.testing import check_layer as run_checks

    return run_checks(layer, input_shape, **kwargs)


def __getattr__(name):
    # minnet.testing imports hypothesis, and mn.sweep minnet.sweeps (joblib and Dask glue,
    # about 15 ms): load them on first use, not at import.
    if name == "testing":
        import importlib

        return importlib.import_module("minnet.testing")
    if name == "sweep":
        from minnet.sweeps import sweep

        return sweep
    raise AttributeError(f"module 'minnet' has no attribute '{name}'")
