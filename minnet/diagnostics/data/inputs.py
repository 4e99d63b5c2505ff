"""Input statistics for the data checks: centring, scale and constant features.

Healthy data must pass, so the rules use robust aggregates over features
(medians: a few odd features do not speak for the data set) plus an
"egregious feature" rule that needs both an absolute and a relative excess
(one column x1000 among standardized ones). Features are every non-batch
position, except for (N, C, H, W) images, whose statistics are taken per
channel. Integer inputs are token ids when the model's first layer is an
Embedding (skipped: ids are not measurements); into a Linear or a Conv they
are raw values (uint8 pixels, 0-255) and are checked like floats.
"""

import numpy as np

from minnet.diagnostics.report.finding import make_finding

Z_OFF_CENTER = 3.0  # |mean| > 3 std: the feature is far from zero mean
MAX_ABS = 10.0  # inputs beyond +-10 are large for a network initialized for unit scale
STD_BAND = (0.1, 10.0)  # per-feature std outside this band is badly scaled
FEATURE_SPREAD = 10.0  # a feature's std > 10x the median std stands out
MAX_PIXEL = 255  # non-negative integers up to 255 look like raw 8-bit pixels


def as_numbers(array):
    """``array`` as a real ndarray (booleans become 0/1 floats), or None (strings, objects)."""
    array = np.asarray(array)
    if array.dtype.kind == "b":
        return array.astype(np.float64)
    return array if array.dtype.kind in "fiu" else None


def _feature_label(X, index, per_channel=True):
    """A feature index for messages: "channel 2" for images, else its position."""
    X = np.asarray(X)
    if X.ndim == 4 and per_channel:
        return f"channel {index}"
    if X.ndim <= 2:
        return str(index)
    return str(tuple(int(i) for i in np.unravel_index(index, X.shape[1:])))


def _checkable_inputs(X, integer_ids=True):
    """X as numbers when its centring and scale mean something, else None.

    ``integer_ids``: integer inputs are token ids (skipped); False: they are
    values (pixels) and are returned as float64.
    """
    X = as_numbers(X)
    if X is None or X.ndim == 0 or len(X) < 2 or X.size == 0:
        return None  # a single sample has no spread
    if X.dtype.kind in "iu":
        return None if integer_ids else X.astype(np.float64)
    return X


def input_scale(name, X, reference=None, integer_ids=True):
    """``inputs-not-centered`` and ``inputs-not-scaled`` (warnings) for inputs ``X``.

    With ``reference`` (the training inputs), ``X`` (validation inputs, at
    least 10 samples) is also compared with it: standardizing the training
    set but not the validation set is a classic slip. ``integer_ids`` (True
    unless the model's first layer says otherwise): integer inputs are token
    ids and are skipped; False: they are values, checked as floats.
    """
    dtype = np.asarray(X).dtype
    X = _checkable_inputs(X, integer_ids)
    if X is None:
        return []
    with np.errstate(all="ignore"):  # huge values may overflow: the rules still read inf
        mean, std = _moments(X)
        varying = std > 1e-12 * np.maximum(1.0, np.abs(mean))
        if not varying.any():
            return []
        stats = {"mean": mean, "std": std, "varying": varying,
                 "max_abs": float(np.max(np.abs(X))), "dtype": dtype}
        findings = _not_centered(name, X, stats) + _not_scaled(name, X, stats)
        if reference is not None:
            reference = _checkable_inputs(reference, integer_ids)
        if reference is not None and reference.shape[1:] == X.shape[1:] and len(X) >= 10:
            codes = {finding.code for finding in findings}
            findings += [f for f in _shifted(name, stats, *_moments(reference))
                         if f.code not in codes]
    return findings


def _moments(X):
    """Per-feature mean and std (1-D float64): per channel for (N, C, H, W), else per position."""
    axes = (0, 2, 3) if X.ndim == 4 else 0
    mean = np.mean(X, axis=axes, dtype=np.float64)
    std = np.std(X, axis=axes, dtype=np.float64)
    return np.ravel(mean), np.ravel(std)


def _not_centered(name, X, stats):
    mean, std, varying = stats["mean"], stats["std"], stats["varying"]
    z = np.where(varying, np.abs(mean) / np.where(varying, std, 1.0), 0.0)
    median_z = float(np.median(z[varying]))
    median_mean = float(np.median(np.abs(mean[varying])))
    # Most features off-centre by far (an offset such as +100), or one egregious feature;
    # the |mean| > 1 guard keeps data in [0, 1] (images, one-hot codes) silent.
    most = median_z > Z_OFF_CENTER and median_mean > 1.0
    egregious = varying & (np.abs(mean) > MAX_ABS) & (z > Z_OFF_CENTER)
    if not (most or egregious.any()):
        return []
    worst = int(np.argmax(z))
    return [make_finding(
        "inputs-not-centered", name,
        {"median_abs_mean_over_std": median_z, "median_abs_mean": median_mean,
         "fraction_off_center": float(np.mean(z[varying] > Z_OFF_CENTER)),
         "worst_feature": _feature_label(X, worst), "worst_mean": float(mean[worst]),
         "worst_std": float(std[worst]), "threshold": Z_OFF_CENTER},
        summary=f"{name}: feature {_feature_label(X, worst)} has mean {mean[worst]:.3g} and "
                f"std {std[worst]:.3g}; the median feature sits {median_z:.3g} std from 0.")]


def _not_scaled(name, X, stats):
    std = stats["std"][stats["varying"]]
    median_std, max_abs = float(np.median(std)), stats["max_abs"]
    too_large = max_abs > MAX_ABS and median_std > STD_BAND[1]
    # Too small only far below the band: low-contrast data in [0, 1] is common and trains.
    too_small = max_abs < 1.0 and median_std < STD_BAND[0] / 10
    egregious = (stats["std"] > STD_BAND[1]) & (stats["std"] > FEATURE_SPREAD * median_std)
    if not (too_large or too_small or egregious.any()):
        return []
    worst = int(np.argmax(stats["std"]))
    kind = "too small" if too_small else "too large"
    evidence = {"median_std": median_std, "max_std": float(stats["std"][worst]),
                "max_abs": max_abs, "worst_feature": _feature_label(X, worst),
                "features_out_of_scale": int(egregious.sum()),
                "std_band": f"[{STD_BAND[0]}, {STD_BAND[1]}]", "dtype": str(stats["dtype"])}
    summary = (f"{name}: feature scale {kind}: median std {median_std:.3g}, largest "
               f"std {stats['std'][worst]:.3g} (feature {_feature_label(X, worst)}), "
               f"max |x| {max_abs:.3g}.")
    if _raw_pixels(X, stats["dtype"]):
        evidence["hint"] = "raw 8-bit pixels: divide by 255"
        summary += (f" These are {stats['dtype']} values in [0, {MAX_PIXEL}] fed to a "
                    f"Linear/Conv layer: raw pixels; divide by 255.0.")
    return [make_finding("inputs-not-scaled", name, evidence, summary=summary)]


def _raw_pixels(X, dtype):
    """Integer inputs in [0, 255] that span more than [0, 1]: raw 8-bit pixel values."""
    return (np.dtype(dtype).kind in "iu" and float(np.min(X)) >= 0
            and 1 < float(np.max(X)) <= MAX_PIXEL)


def _shifted(name, stats, ref_mean, ref_std):
    """Validation features far outside the training distribution (scaled differently)."""
    ok = stats["varying"] & (ref_std > 0)
    if not ok.any():
        return []
    shift = float(np.median(np.abs(stats["mean"][ok] - ref_mean[ok]) / ref_std[ok]))
    spread = float(np.median(stats["std"][ok] / ref_std[ok]))
    if shift > Z_OFF_CENTER:
        return [make_finding(
            "inputs-not-centered", name,
            {"median_shift_in_train_std": shift, "threshold": Z_OFF_CENTER},
            summary=f"{name}'s features sit a median {shift:.3g} training std away from "
                    f"the training means: was the same standardization applied to both?")]
    if not 1 / 3 < spread < 3:
        return [make_finding(
            "inputs-not-scaled", name, {"median_std_ratio_to_train": spread},
            summary=f"{name}'s features have a median {spread:.3g}x the training std: "
                    f"was the same standardization applied to both?")]
    return []


def constant_features(name, X, integer_ids=True):
    """``constant-feature`` (info): positions that never change (image borders often do not)."""
    X = _checkable_inputs(X, integer_ids)
    if X is None:
        return []
    values = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    constant = np.flatnonzero(np.all(values == values[0], axis=0))
    if not len(constant):
        return []
    first = _feature_label(X, int(constant[0]), per_channel=False)
    return [make_finding(
        "constant-feature", name,
        {"count": int(len(constant)), "fraction": len(constant) / values.shape[1],
         "first_feature": first, "value": float(values[0, constant[0]])},
        summary=f"{name}: {len(constant)} of {values.shape[1]} feature(s) never change "
                f"(first: {first}).")]
