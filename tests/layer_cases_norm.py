"""Common-check cases for Dropout, BatchNorm1d/2d, LayerNorm and weight normalization."""

import numpy as np

from minnet.layers.dropout import Dropout
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from minnet.layers.weight_norm import weight_norm


def with_running_stats(layer, seed):
    """Load random running statistics, so that evaluation differs from a fresh layer's."""
    rng = np.random.default_rng(seed)
    state = layer.state_dict()
    state["running_mean"] = rng.standard_normal(layer.num_features)
    state["running_var"] = rng.uniform(0.5, 2.0, layer.num_features)
    state["num_batches_tracked"] = np.array(3, dtype=np.int64)
    if layer.affine:
        state["weight"] = rng.uniform(0.5, 1.5, layer.num_features)
        state["bias"] = rng.standard_normal(layer.num_features)
    layer.load_state_dict(state)
    return layer


CASES = [
    (lambda seed: Dropout(0.5, rng=seed), (4, 5)),
    (lambda seed: Dropout(0.2, rng=seed), (2, 3, 4)),
    (lambda seed: Dropout(0.0, rng=seed), (3, 4)),
    (lambda seed: with_running_stats(BatchNorm1d(3), seed), (5, 3)),
    (lambda seed: with_running_stats(BatchNorm1d(3, momentum=0.3), seed), (4, 3, 6)),
    (lambda seed: with_running_stats(BatchNorm1d(3, affine=False, momentum=None), seed), (5, 3)),
    (lambda seed: BatchNorm1d(4, track_running_stats=False), (3, 4, 2)),
    (lambda seed: with_running_stats(BatchNorm2d(2), seed), (3, 2, 4, 5)),
    (lambda seed: with_running_stats(BatchNorm2d(2, eps=1e-3), seed).eval(), (1, 2, 3, 3)),
    (lambda seed: LayerNorm(4), (3, 4)),
    (lambda seed: LayerNorm((2, 3), eps=1e-3), (4, 2, 3)),
    (lambda seed: LayerNorm(4, elementwise_affine=False), (2, 5, 4)),
    (lambda seed: weight_norm(Linear(3, 4, rng=seed)), (5, 3)),
    (lambda seed: weight_norm(Linear(3, 4, bias=False, rng=seed), dim=1), (5, 3)),
    (lambda seed: weight_norm(Linear(3, 4, rng=seed), dim=0), (1, 3)),
]

EXEMPT = {
    "check_bad_ndim": (
        {"Dropout(p=0.5)", "Dropout(p=0.2)", "Dropout(p=0.0)"},
        "Dropout is elementwise: it accepts input of any rank by design",
    ),
}
