"""Layers: thin modules that own Parameters, call a functional pair and keep its cache."""

from minnet.layers.activations import (  # noqa: F401
    ELU,
    GELU,
    Activation,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from minnet.layers.containers import Identity, ModuleDict, ModuleList  # noqa: F401
from minnet.layers.conv import Conv1d, Conv2d  # noqa: F401
from minnet.layers.dropout import Dropout, Dropout2d  # noqa: F401
from minnet.layers.embedding import Embedding  # noqa: F401
from minnet.layers.groupnorm import GroupNorm  # noqa: F401
from minnet.layers.linear import Linear  # noqa: F401
from minnet.layers.normalization import BatchNorm1d, BatchNorm2d, LayerNorm  # noqa: F401
from minnet.layers.pooling import (  # noqa: F401
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from minnet.layers.recurrent import GRU, LSTM, RNN  # noqa: F401
from minnet.layers.reshape import Flatten, Reshape  # noqa: F401
from minnet.layers.residual import Residual  # noqa: F401
from minnet.layers.weight_norm import WeightNorm, remove_weight_norm, weight_norm  # noqa: F401
