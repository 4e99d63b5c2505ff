"""minnet: a from-scratch NumPy neural-network library for learning and debugging.

``import minnet as mn``. Every layer writes its own forward and backward
pass; ``mn.gradcheck`` proves them. Importing minnet neither imports
matplotlib nor compiles any kernel.
"""

__version__ = "0.1.0"

from minnet.core import (  # noqa: F401
    CheckpointError,
    ConfigError,
    DataError,
    DTypeError,
    GradcheckError,
    MinnetError,
    Module,
    Parameter,
    Sequential,
    ShapeError,
    StateDictError,
)
from minnet.layers import Linear  # noqa: F401
from minnet.random import seed  # noqa: F401
from minnet import init  # noqa: F401
