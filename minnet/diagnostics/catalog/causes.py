"""The cause graph: which finding can produce which other finding, with a one-line why.

``EXPLAINS[cause][symptom]`` is the reason a ``cause`` found in the same
report accounts for ``symptom``: the report ranks the cause first and folds
the symptom under it (``minnet.diagnostics.report.ranking``). Every catalog
code has an entry (an empty one for a pure symptom), so adding a code means
deciding what it explains. The graph has no cycle (a test checks it): the
structural, data and initialization mistakes come first, then the training
mechanics (learning rate, gradients, units), then the measurements they move
(update ratios, plateau, underfitting).

Edges follow what the doctor's own checks can see: the one-batch overfit
test zeroes its gradients and tries Adam at two rates of its own, so a
forgotten ``zero_grad`` or a bad learning rate does not explain
``cannot-overfit-batch``.
"""

_DIVERGENCE = {
    "non-finite": "steps that overshoot grow the weights until they overflow to Inf/NaN",
    "dead-relu": "a too-large step pushes ReLU pre-activations below zero for good",
    "saturated-activation": "a too-large step pushes tanh/sigmoid inputs onto their flat tails",
    "loss-plateau": "a loss that jumps across the valley never settles lower",
    "underfitting": "a loss that jumps across the valley stays high on both sets",
}

_STUCK = {
    "loss-plateau": "without a working signal the loss stops falling",
    "underfitting": "without a working signal both losses stay near chance",
}

_NO_SIGNAL = {
    **_STUCK,
    "cannot-overfit-batch": "with no usable signal even 16 samples cannot be fitted",
    "ignores-input": "with no usable signal the output does not depend on the input",
    "vanishing-gradients": "units that pass no signal forward pass no gradient back",
    "update-ratio-low": "parameters that receive no gradient barely move",
    "lr-too-low": "tiny gradients make tiny updates, which look like a too-small rate",
}

_BAD_INPUT_SCALE = {
    "saturated-activation": "large inputs make large pre-activations: tanh/sigmoid saturate",
    "dead-relu": "large inputs push many ReLU pre-activations far below zero",
    "initial-loss-off": "large inputs make large logits: the first predictions are confident",
    "lr-too-high": "gradients scale with the inputs, so a normal rate takes huge steps",
    "exploding-gradients": "first-layer gradients scale with the inputs",
    "non-finite": "huge inputs times growing weights overflow",
    "cannot-overfit-batch": "the informative variation is small next to the inputs' scale",
    "ignores-input": "the informative variation is small next to the inputs' scale",
    **_STUCK,
}

EXPLAINS = {
    # --- lint: the model and loss as written ---------------------------------------------
    "softmax-before-loss": {
        **_NO_SIGNAL,
        "vanishing-gradients": "probabilities taken as logits flatten the loss: gradients shrink",
    },
    "relu-before-loss": {
        **_NO_SIGNAL,
        "dead-relu": "the ReLU on the logits is the dead layer",
    },
    "sigmoid-mse-classification": {
        **_NO_SIGNAL,
        "saturated-activation": "MSE through a sigmoid has no pull out of the flat tails",
    },
    "stacked-linear": {
        "cannot-overfit-batch": "a stack of linear layers is one linear map: it cannot bend",
        **_STUCK,
    },
    "dropout-before-batchnorm": {
        "overfitting": "the variance shift makes the evaluation-mode loss worse than training",
    },
    "dropout-too-high": {**_STUCK},
    "symmetric-init": {
        **_NO_SIGNAL,
        "dead-relu": "identical units are all dead or all alive together",
        "saturated-activation": "identical units saturate together",
        "initial-loss-off": "identical units make every logit move together",
    },
    "weight-scale-skew": {
        **_NO_SIGNAL,
        "initial-loss-off": "weights too large make large logits: confidently wrong at step 0",
        "saturated-activation": "weights too large make large pre-activations: tanh/sigmoid "
                                "saturate",
        "dead-relu": "a skewed scale pushes many ReLU pre-activations far below zero",
        "exploding-gradients": "each layer (or time step) multiplies the gradient by about "
                               "std x sqrt(fan_in), far above 1",
        "vanishing-gradients": "each layer multiplies the gradient by about std x sqrt(fan_in), "
                               "far below 1",
        "non-finite": "activations multiplied by a large factor at every layer overflow",
        "update-ratio-high": "tiny weights make any update large relative to them",
        "update-ratio-low": "huge weights make any update small relative to them",
        "lr-too-high": "a skewed scale makes steps of a normal rate too large for the weights",
    },
    # --- data: the arrays before training ------------------------------------------------
    "non-finite": {
        "cannot-overfit-batch": "a NaN in a batch makes the loss NaN: nothing is learned",
        "ignores-input": "a NaN in a batch makes the loss NaN whatever the input",
        **_STUCK,
    },
    "inputs-not-centered": dict(_BAD_INPUT_SCALE),
    "inputs-not-scaled": {
        **_BAD_INPUT_SCALE,
        "inputs-not-centered": "the centring rule ignores offsets below 1; scaling the inputs "
                               "up turns a harmless offset into a large one",
    },
    "constant-feature": {},
    "class-imbalance": {
        "loss-plateau": "predicting the majority class is a strong early minimum",
        "underfitting": "predicting the majority class is a strong early minimum",
    },
    "split-overlap": {},
    "labels-out-of-range": {
        "initial-loss-off": "labels the output cannot predict make the loss meaningless",
        "cannot-overfit-batch": "labels the output cannot predict cannot be fitted",
        **_STUCK,
    },
    # --- sanity routines -----------------------------------------------------------------
    "initial-loss-off": {},
    "gradcheck-failed": {
        **_NO_SIGNAL,
        "non-finite": "wrong gradients can push the weights uphill until they overflow",
        "lr-too-high": "wrong gradients make the loss climb, as a too-large rate does",
        "exploding-gradients": "a wrong backward can grow the gradient layer after layer",
        "dead-relu": "wrong gradients move biases the wrong way",
        "saturated-activation": "wrong gradients move pre-activations the wrong way",
        "update-ratio-high": "wrong gradients can be far too large",
    },
    "cannot-overfit-batch": {
        **_STUCK,
    },
    "ignores-input": {
        "cannot-overfit-batch": "a model blind to its input cannot tell samples apart",
        **_STUCK,
    },
    # --- monitor: causes during training -------------------------------------------------
    "grads-not-zeroed": {
        **_DIVERGENCE,
        "lr-too-high": "summed gradients grow every step, like a rate that keeps growing",
        "exploding-gradients": "the gradient norm grows with every step it is summed over",
        "update-ratio-high": "each update applies every past gradient again",
    },
    "lr-too-high": {
        **_DIVERGENCE,
        "exploding-gradients": "overshooting steps land where the gradients are larger",
        "update-ratio-high": "the update is the rate times the gradient: too large a rate, "
                             "too large an update",
        "vanishing-gradients": "dead or saturated units after a big step pass no gradient back",
    },
    "lr-too-low": {
        "update-ratio-low": "the update is the rate times the gradient",
        **_STUCK,
    },
    "regularization-dominates": {
        **_STUCK,
        "dead-relu": "weight decay shrinks the weights until units stop firing",
        "vanishing-gradients": "shrunken weights pass back shrunken gradients",
        "update-ratio-low": "the data's gradient is lost under the penalty's",
        "lr-too-low": "the data's gradient is lost under the penalty's: learning looks slow",
        "ignores-input": "weights decayed toward zero make the output constant",
    },
    "labels-sorted-no-shuffle": {
        "lr-too-high": "the loss jumps each time the batches switch to another label",
        **_STUCK,
    },
    "eval-in-train-mode": {
        "overfitting": "dropout and batch statistics in evaluation make validation look worse",
    },
    # --- monitor: mechanisms and their measurements --------------------------------------
    "exploding-gradients": {
        "non-finite": "gradients that keep growing overflow",
        "saturated-activation": "huge steps push tanh/sigmoid inputs onto their flat tails",
        "dead-relu": "huge steps push ReLU pre-activations below zero for good",
        "update-ratio-high": "a huge gradient makes a huge update",
        "cannot-overfit-batch": "steps dominated by exploding gradients cannot fit a batch",
        **_STUCK,
    },
    "dead-relu": {**_NO_SIGNAL},
    "saturated-activation": {
        **_NO_SIGNAL,
        "vanishing-gradients": "a saturated unit's derivative is near 0: the gradient stops",
    },
    "vanishing-gradients": {
        "cannot-overfit-batch": "the first layers get no gradient, so they never learn",
        "lr-too-low": "tiny gradients make tiny updates, which look like a too-small rate",
        "update-ratio-low": "tiny gradients make tiny updates",
        **_STUCK,
    },
    "update-ratio-high": {
        "non-finite": "updates as large as the weights can overflow them",
        "dead-relu": "updates as large as the weights can push ReLUs below zero for good",
        "saturated-activation": "updates as large as the weights push units into saturation",
        **_STUCK,
    },
    "update-ratio-low": {**_STUCK},
    "loss-plateau": {
        "underfitting": "a loss that stopped falling early leaves both losses high",
    },
    "overfitting": {},
    "underfitting": {},
    "no-lr-schedule": {},
    # --- codes of the second round: the user's setup raised, or training never took effect --
    "one-hot-targets": {
        "setup-error": "the class-index loss raises on one-hot rows",
        "cannot-overfit-batch": "the loss cannot be computed, so nothing is fitted",
        "initial-loss-off": "the loss cannot be computed on one-hot rows",
    },
    "setup-error": {
        "cannot-overfit-batch": "a stage that raises fits nothing",
    },
    "optimizer-not-updating": {
        **_STUCK,
        "update-ratio-low": "step() changes none of the model's weights: every ratio is 0",
        "lr-too-low": "weights that never change look like a rate of 0",
        "grads-not-zeroed": "the gradients step() would have used pile up unused",
    },
    "lr-schedule-collapse": {
        **_STUCK,
        "update-ratio-low": "a rate divided by 100 or more makes updates 100 times smaller",
        "lr-too-low": "the rate is too low because the schedule drove it there",
        "no-lr-schedule": "the schedule exists; it acts too fast",
    },
    "train-in-eval-mode": {
        "overfitting": "dropout off during training: nothing regularizes the fit",
    },
}


def explains(cause, symptom):
    """True when a finding ``cause`` accounts for a finding ``symptom`` (codes)."""
    return symptom in EXPLAINS.get(cause, {})


def why(cause, symptom):
    """The one-line reason ``cause`` explains ``symptom`` ("" when it does not)."""
    return EXPLAINS.get(cause, {}).get(symptom, "")
