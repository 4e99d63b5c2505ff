"""Two mistakes at once: a least-squares fit of the student's residual on two mutants' residuals.

For each result tensor k (the output, then each gradient) the residuals
r = result - reference of every battery case are stacked into one column
(each case scaled by its largest residual, so a |x| = 1000 case does not
drown a small one), and ``np.linalg.lstsq`` fits

    r_student  ~  w_A * r_A + w_B * r_B

over the mutants whose residual on k is not zero. The pair explains the
student when, on every tensor, the remainder is below ``FIT`` of the
student's residual and every fitted weight is within ``WEIGHT`` of 1 (a
mistake applied twice, or half of it, is another mistake). A tensor the
student got right must be right in both mutants too (an empty fit), and each
mutant must show on at least one tensor. Results that cannot be subtracted
(another shape, NaN or inf where the reference is finite, an exception) must
equal one of the two mutants' results entry for entry.
"""

import numpy as np

from minnet.exercises.compare import SAME, array_distance, observation_distance

FIT = 1e-6     # relative remainder of the fit: two float64 codings of the same maths leave ~1e-12
WEIGHT = 1e-3  # |w - 1| allowed; a factor mistake (2x, 1/N) is off by far more


def pair_weights(student, reference, first, second):
    """(w_first, w_second) when the two mutants' residuals explain the student's, else None.

    Each argument is a list of Observations of the same battery cases. The
    weight reported per mutant is its fitted weight furthest from 1.
    """
    blocks = {}  # tensor index -> [(y, X, exact)] per case
    for observed in zip(student, reference, first, second):
        rows = _case_rows(*observed)
        if rows is None:
            return None
        for k, block in enumerate(rows):
            blocks.setdefault(k, []).append(block)
    weights = ([], [])
    for block in blocks.values():
        fitted = _fit(block)
        if fitted is None:
            return None
        for found, w in zip(weights, fitted):
            found.extend(w)
    if not all(weights):
        return None
    return tuple(max(found, key=lambda w: abs(w - 1)) for found in weights)


def _results(obs):
    return [obs.out, *obs.grads]


def _case_rows(s, r, a, b):
    """Per result tensor, (y, X, exact) of one case; or None when the pair cannot explain it.

    A case where someone raised is matched whole: one block, filed under tensor 0.
    """
    if any(o.error for o in (s, r, a, b)) or len({len(o.grads) for o in (s, r, a, b)}) != 1:
        # an exception (or another count of results): the student's call is one mutant's
        shows = [observation_distance(s, m) <= SAME < observation_distance(m, r) for m in (a, b)]
        if not any(shows):
            return None if observation_distance(s, r) > SAME else []
        return [(None, None, tuple(1.0 if shown else None for shown in shows))]
    if set(s.mutated) != set(a.mutated) | set(b.mutated):
        return None
    rows = []
    for arrays in zip(*(_results(o) for o in (s, r, a, b))):
        block = _tensor_rows(*arrays)
        if block is None:
            return None
        rows.append(block)
    return rows


def _tensor_rows(s, r, a, b):
    """The scaled residuals (y, X) of one tensor of one case, and which mutant it equals exactly.

    exact is (1.0, None) when the student's tensor is mutant A's, A's differs
    from the reference and cannot be subtracted from it (another shape):
    weight 1 by construction. Entries that are not finite in some result must equal A's or
    B's entry and are left out of the fit.
    """
    arrays = (s, r, a, b)
    if not all(isinstance(x, np.ndarray) for x in arrays) or len({x.shape for x in arrays}) > 1:
        differs = [array_distance(x, r) > SAME for x in (s, a, b)]
        if not any(differs):
            return None, None, (None, None)
        shows = [differs[j + 1] and array_distance(s, m) <= SAME for j, m in enumerate((a, b))]
        return (None, None, tuple(1.0 if shown else None for shown in shows)) if any(
            shows) else None
    finite = np.isfinite(s) & np.isfinite(r) & np.isfinite(a) & np.isfinite(b)
    matched = (np.isclose(s, a, rtol=SAME, atol=0, equal_nan=True)
               | np.isclose(s, b, rtol=SAME, atol=0, equal_nan=True))
    if not np.all(matched | finite):
        return None
    with np.errstate(all="ignore"):
        # a result within SAME of the reference is right: its rounding noise is no residual
        columns = [np.zeros(int(finite.sum())) if array_distance(x, r) <= SAME
                   else (x - r)[finite] for x in (s, a, b)]
    scale = max(float(np.linalg.norm(c)) for c in columns)
    if scale == 0.0:
        return None, None, (None, None)
    y, *x = (c / scale for c in columns)
    return y, np.stack(x, axis=1), (None, None)


def _fit(block):
    """The weights of the mutants that show on this tensor ([w] per mutant), or None."""
    ys = [y for y, _, _ in block if y is not None]
    shown = ([e[0] for _, _, e in block if e[0] is not None],
             [e[1] for _, _, e in block if e[1] is not None])
    if not ys:
        return shown
    y = np.concatenate(ys)
    x = np.concatenate([x for _, x, _ in block if x is not None])
    present = [j for j in range(2) if np.any(x[:, j])]
    norm = float(np.linalg.norm(y))
    if not present:
        return shown if norm == 0.0 else None
    w, *_ = np.linalg.lstsq(x[:, present], y, rcond=None)
    remainder = float(np.linalg.norm(y - x[:, present] @ w))
    if norm == 0.0 or remainder > FIT * norm or np.any(np.abs(w - 1) > WEIGHT):
        return None
    for j, weight in zip(present, w):
        shown[j].append(float(weight))
    return shown
