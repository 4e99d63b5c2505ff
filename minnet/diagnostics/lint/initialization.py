"""Lint of the initial weights: ``symmetric-init`` and ``weight-scale-skew``.

The scale rule compares each weight's root-mean-square (its std about zero)
with the nearest of the standard scales, He sqrt(2/fan_in), Glorot
sqrt(2/(fan_in+fan_out)), LeCun sqrt(1/fan_in), PyTorch's default
sqrt(1/(3 fan_in)) and orthogonal, plus 1/sqrt(H) and 1/sqrt(3H) for
recurrent weights. Any of them is a healthy start, so only a weight far from
all of them warns (a hand-made ``* 10`` or ``* 0.01``); the advice then
names the one that fits the activation that follows.
"""

import numpy as np

from minnet.diagnostics._shared import class_names
from minnet.diagnostics.lint.walk import AFFINE, NORMS, RECURRENT, RELU_FAMILY
from minnet.diagnostics.report.finding import make_finding
from minnet.init import fans

SCALE_BAND = (0.5, 2.0)  # std / reference std outside this band is a skew
MIN_WEIGHTS = 16  # fewer random numbers than this say nothing reliable about their scale


def weights(model):
    """Yield ``(module_name, module, param_name, array)`` for the weight matrices.

    Kept: parameters with >= 2 dims that are not biases, not normalization
    scales, not Embedding tables (any N(0, 1) table is a healthy start, and
    each row gets its own gradient), not weight-norm magnitudes ``*_g``, and
    not frozen (``requires_grad=False``: kept as given, so not an init choice).
    """
    seen = set()
    for module_name, module in model.named_modules():
        if not (NORMS | {"Embedding"}).isdisjoint(class_names(module)):
            continue
        for param_name, param in module.named_parameters(prefix=module_name, recurse=False):
            last = param_name.rsplit(".", 1)[-1]
            if (id(param) in seen or param.data.ndim < 2 or param.data.size == 0
                    or not param.requires_grad):
                continue
            if last.startswith("bias") or last.endswith("_g"):
                continue
            seen.add(id(param))
            yield module_name, module, param_name, param.data


def _identical_rows(array):
    rows = array.reshape(array.shape[0], -1)
    return bool(np.all(rows == rows[0]))


def symmetric_init(model, exempt):
    """A layer whose every weight has identical rows: its units can never differ.

    ``exempt``: layer names whose rows the loss pulls apart anyway (the output
    layer, the last layer of a residual block). A layer with several weights
    (a recurrent layer's W_ih and W_hh) is symmetric only if all of them are.
    """
    by_module = {}
    for module_name, _, param_name, array in weights(model):
        by_module.setdefault(module_name, []).append((param_name, array))
    findings = []
    for module_name, layer_weights in by_module.items():
        if module_name in exempt or any(array.shape[0] < 2 for _, array in layer_weights):
            continue
        if not all(_identical_rows(array) for _, array in layer_weights):
            continue
        for param_name, array in layer_weights:
            constant = bool(np.all(array == array.flat[0]))
            detail = (f"every value is {float(array.flat[0]):.3g}" if constant
                      else "each row is the same vector")
            findings.append(make_finding(
                "symmetric-init", param_name,
                {"rows": int(array.shape[0]), "distinct_rows": 1,
                 "std": float(np.std(array)), "value": float(array.flat[0])},
                summary=f"All {array.shape[0]} rows of {param_name} are equal ({detail})."))
    return findings


def _standard_references(shape):
    """Reference init scales (std) for a weight of ``shape`` (out, in, *kernel): name -> std."""
    fan_in, fan_out = fans(shape)
    rows, cols = shape[0], int(np.prod(shape[1:]))
    return {"He": np.sqrt(2.0 / fan_in), "Glorot": np.sqrt(2.0 / (fan_in + fan_out)),
            "LeCun": np.sqrt(1.0 / fan_in), "PyTorch default": np.sqrt(1.0 / (3.0 * fan_in)),
            "orthogonal": np.sqrt(1.0 / max(rows, cols))}


def _is_recurrent(module, param_name):
    last = param_name.rsplit(".", 1)[-1]
    return (not RECURRENT.isdisjoint(class_names(module))
            or last.startswith(("weight_hh", "weight_ih")))


def _references(module, param_name, shape):
    """The standard references, plus those of recurrent or custom layers."""
    refs = _standard_references(shape)
    if _is_recurrent(module, param_name):
        # PyTorch draws every recurrent weight from U(+-1/sqrt(H)); an orthogonal W_hh
        # has std 1/sqrt(H); Glorot per gate uses the gate's (H, in) shape.
        hidden = getattr(module, "hidden_size", None) or int(np.prod(shape[1:]))
        refs["orthogonal (recurrent)"] = np.sqrt(1.0 / hidden)
        refs["PyTorch recurrent"] = np.sqrt(1.0 / (3.0 * hidden))
        refs["Glorot per gate"] = np.sqrt(2.0 / (int(np.prod(shape[1:])) + hidden))
    elif AFFINE.isdisjoint(class_names(module)) and len(shape) == 2:
        # A custom layer may store its weight as (in, out): accept either orientation.
        refs.update({f"{key} (transposed)": value
                     for key, value in _standard_references(shape[::-1]).items()})
    return refs


def _suggestion(module, param_name, activation):
    """``(init name, advice)`` for a weight followed by ``activation`` (a class name or None)."""
    if _is_recurrent(module, param_name):
        return "xavier_orthogonal", ("a recurrent layer starts well with Glorot input weights "
                                     "and orthogonal recurrent weights (std 1/sqrt(H))")
    if activation in RELU_FAMILY:
        formula, init = "He sqrt(2/fan_in)", "he"
    elif activation == "Tanh":
        formula, init = "Glorot sqrt(2/(fan_in+fan_out))", "xavier"
    else:
        formula, init = "LeCun sqrt(1/fan_in)", "lecun"
    return init, f"before {activation or 'no activation'}, {formula} fits"


# init name -> (minnet.init function that draws it, reference whose std it has)
_REDRAW = {"he": ("kaiming_normal", "He"), "xavier": ("xavier_normal", "Glorot"),
           "lecun": ("lecun_normal", "LeCun")}


def parameter_expression(param_name):
    """Python that reaches a parameter from ``model``: "2.1.weight" -> "model[2][1].weight"."""
    parts = param_name.split(".")
    return "model" + "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in parts)


def _fix(module, param_name, shape, init, ratio):
    """A fix for this weight in this setup: redraw it at the scale its activation needs.

    The catalog's general fix ("use He init before ReLU") would be no help to a
    ReLU layer created with He init and then scaled by hand, the usual case.
    """
    target = parameter_expression(param_name)
    factor = "* 10" if ratio > 1 else "* 0.01"
    if _is_recurrent(module, param_name):
        hidden = getattr(module, "hidden_size", None) or int(np.prod(shape[1:]))
        function = "orthogonal" if param_name.rsplit(".", 1)[-1].startswith("weight_hh") \
            else "xavier_uniform"
        return (f"Draw {param_name} again at the recurrent scale, std about "
                f"1/sqrt(H) = {1 / np.sqrt(hidden):.2g}: {target}.data[...] = "
                f"minnet.init.{function}({target}.shape); remove any hand-made factor (such "
                f"as `{factor}`, or a N(0, 1) draw), and add minnet.optim.clip_grad_norm_(...) "
                f"before optimizer.step() against the explosions that remain.")
    function, family = _REDRAW[init]
    expected = _standard_references(shape)[family]
    return (f"Draw {param_name} again at the {family} scale (std {expected:.2g}): "
            f"{target}.data[...] = minnet.init.{function}({target}.shape). If the layer was "
            f"created with init=\"{init}\", the init is right and something scaled it "
            f"afterwards: remove the hand-made factor (such as `{factor}`).")


def _band(size):
    """SCALE_BAND widened by the sampling error of the std of ``size`` random weights.

    The sample std of n Gaussian draws has a relative spread of about
    1/sqrt(2n); 5 such spreads keep a healthy small layer (16 weights) inside.
    """
    slack = np.exp(5.0 / np.sqrt(2.0 * size))
    return SCALE_BAND[0] / slack, SCALE_BAND[1] * slack


def weight_scale_skew(model, exempt, next_activation):
    """Weights whose std lies outside ``_band`` around every reference scale.

    ``exempt`` layers (output side) may start small, never large;
    ``next_activation`` maps a layer name to the activation after it (advice only).
    """
    findings = []
    for module_name, module, param_name, array in weights(model):
        last = param_name.rsplit(".", 1)[-1]
        if last.endswith("_v") or array.size < MIN_WEIGHTS or np.all(array == array.flat[0]):
            continue  # weight-norm direction (its scale is irrelevant); constants: symmetric-init
        scale = float(np.sqrt(np.mean(np.square(array, dtype=np.float64))))
        refs = _references(module, param_name, array.shape)
        reference = min(refs, key=lambda key: abs(np.log(scale / refs[key])))
        ratio = scale / refs[reference]
        low, high = _band(array.size)
        if not ((ratio < low and module_name not in exempt) or ratio > high):
            continue
        activation = next_activation.get(module_name)
        init, advice = _suggestion(module, param_name, activation)
        findings.append(make_finding(
            "weight-scale-skew", param_name,
            {"std": scale, "expected": float(refs[reference]), "ratio": ratio,
             "reference": reference, "band": f"[{low:.2g}, {high:.2g}]",
             "fan_in": int(fans(array.shape)[0]),
             "next_activation": activation or "none", "suggested_init": init},
            summary=f"{param_name} starts with std {scale:.3g}, {ratio:.3g}x the nearest "
                    f"standard scale ({reference}, {refs[reference]:.3g}); {advice}.",
            fix=_fix(module, param_name, array.shape, init, ratio)))
    return findings
