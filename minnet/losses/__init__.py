"""Losses with PyTorch's names, options and semantics, and the regularization penalty kept apart.

``loss = loss_fn(pred, target)`` returns a Python float (reduction "mean",
the default, or "sum") or the ndarray of per-element losses ("none");
``loss_fn.backward()`` returns d(loss)/d(pred) with pred's shape and dtype
(with "none", pass the upstream gradient: ``loss_fn.backward(np.ones_like(loss))``).
The maths, with every shape and formula, is in ``minnet.functional.losses``.

- classification: CrossEntropyLoss (logits), NLLLoss (log-probabilities),
  BCEWithLogitsLoss (logits), BCELoss (probabilities);
- regression: MSELoss, L1Loss, SmoothL1Loss, HuberLoss;
- RegularizedLoss(loss_fn, model, l1, l2): data loss + penalty, kept apart.
"""

from minnet.losses.base import Loss  # noqa: F401
from minnet.losses.classification import (  # noqa: F401
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    NLLLoss,
)
from minnet.losses.regression import HuberLoss, L1Loss, MSELoss, SmoothL1Loss  # noqa: F401
from minnet.losses.regularized import RegularizedLoss, is_penalized  # noqa: F401
