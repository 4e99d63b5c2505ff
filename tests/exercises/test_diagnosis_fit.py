"""Stage 5's least-squares fit: two listed mistakes at once are named with both ids and
their weights; a mistake no mutant lists is never named as one and gets gradcheck's hints."""

import numpy as np
import pytest

from minnet.exercises import check
from minnet.exercises.compare import distortion
from minnet.exercises.mutants import batchnorm_backward as bn_graph
from minnet.exercises.mutants import conv2d as conv_mutants
from minnet.exercises.mutants import cross_entropy as ce_mutants
from minnet.exercises.mutants import linear as linear_mutants
from minnet.exercises.mutants import two_layer_net as net_mutants
from minnet.exercises.observe import Observation
from minnet.exercises.residuals import pair_weights
from minnet.functional import linear_backward, linear_forward


def linear_db_averaged_and_dx_uses_w_t(grad_out, cache):
    x, w = cache
    return grad_out @ w.T, grad_out.T @ x, grad_out.mean(axis=0)


def net_l2_and_biases(grad_out, cache):  # dw from one mistake, db from the other
    return net_mutants._backward(grad_out, cache, l2_factor=1.0, penalize_biases=True)


def net_no_mask_and_l2(grad_out, cache):  # both mistakes add into dw1
    return net_mutants._backward(grad_out, cache, mask=False, l2_factor=1.0)


def conv_padded_and_one_sample(grad_out, cache, input_grad=True):
    return conv_mutants._backward(grad_out, cache, crop=False, last_sample_only=True)


def bn_no_mean_and_no_variance(grad_out, cache):  # both terms missing from dx
    return bn_graph._graph(grad_out, cache, mean_term=False, variance_path=False)


def bn_no_mean_and_dgamma(grad_out, cache):
    return bn_graph._graph(grad_out, cache, mean_term=False, dgamma_xhat=False)


TWO_MISTAKES = [
    ("linear", {"linear_forward": linear_mutants.linear_forward,
                "linear_backward": linear_db_averaged_and_dx_uses_w_t},
     ["db-averaged", "dx-uses-w-transposed"]),
    ("two-layer-net", {"two_layer_net_forward": net_mutants.biases_regularized_forward,
                       "two_layer_net_backward": net_l2_and_biases},
     ["biases-regularized", "l2-gradient-not-doubled"]),
    ("two-layer-net", {"two_layer_net_forward": net_mutants.two_layer_net_forward,
                       "two_layer_net_backward": net_no_mask_and_l2},
     ["l2-gradient-not-doubled", "no-relu-mask"]),
    ("conv2d", {"conv2d_forward": conv_mutants.conv2d_forward,
                "conv2d_backward": conv_padded_and_one_sample},
     ["dw-not-batch-summed", "dx-still-padded"]),
    ("batchnorm-backward", {"batchnorm_backward": bn_no_mean_and_no_variance},
     ["no-mean-term", "no-variance-path"]),
    ("batchnorm-backward", {"batchnorm_backward": bn_no_mean_and_dgamma},
     ["dgamma-without-xhat", "no-mean-term"]),
    ("cross-entropy", {"cross_entropy_forward": ce_mutants.log_of_softmax,  # inf at |z| = 1000
                       "cross_entropy_backward": ce_mutants.no_mean},
     ["log-of-softmax", "no-mean"]),
]


@pytest.mark.parametrize("name, fns, mistakes", TWO_MISTAKES,
                         ids=[f"{n}:{'+'.join(m)}" for n, _, m in TWO_MISTAKES])
def test_two_listed_mistakes_at_once_are_both_named(name, fns, mistakes):
    with np.errstate(all="ignore"):
        verdicts = [check(name, fns=fns) for _ in range(3)]
    assert len({v.to_json() for v in verdicts}) == 1  # the fit's weights print the same
    verdict = verdicts[0]
    assert verdict.status == "fail"
    assert sorted(verdict.mistakes) == mistakes, verdict.render()
    assert "something else" not in verdict.message
    weights = verdict.message.split("weights ")[1].rstrip(")").split(" and ")
    assert [float(w) for w in weights] == [1.0, 1.0]


def _obs(*arrays):
    return Observation(out=arrays[0], grads=tuple(arrays[1:]))


def _battery(rng, cases=3):
    return [(rng.standard_normal((3, 4)), rng.standard_normal((4, 2))) for _ in range(cases)]


def test_the_fit_reports_weights_near_one_and_refuses_other_weights():
    rng = np.random.default_rng(0)
    reference = _battery(rng)
    a_res, b_res = _battery(rng), _battery(rng)
    ref = [_obs(*r) for r in reference]
    first = [_obs(r[0] + a[0], r[1]) for r, a in zip(reference, a_res)]   # A: wrong output
    second = [_obs(r[0] + b[0], r[1] + b[1]) for r, b in zip(reference, b_res)]  # B: both

    def student(wa, wb, noise=0.0):
        return [_obs(r[0] + wa * a[0] + wb * b[0] + noise, r[1] + wb * b[1])
                for r, a, b in zip(reference, a_res, b_res)]

    weights = pair_weights(student(1.0, 1.0), ref, first, second)
    assert weights is not None and np.allclose(weights, 1.0, atol=1e-12)
    assert pair_weights(student(2.0, 1.0), ref, first, second) is None   # A applied twice
    assert pair_weights(student(1.0, 0.5), ref, first, second) is None   # half of B
    assert pair_weights(student(1.0, 1.0, noise=1e-3), ref, first, second) is None  # and more
    assert pair_weights(student(1.0, 0.0), ref, first, second) is None   # B's dx missing
    assert pair_weights(first, ref, first, second) is None  # one mistake is not two


def linear_dx_tripled(grad_out, cache):
    x, w = cache
    return 3 * grad_out @ w, grad_out.T @ x, grad_out.sum(axis=0)


def net_dw1_tripled(grad_out, cache):
    dw1, db1, dw2, db2 = net_mutants._backward(grad_out, cache)
    return 3 * dw1, db1, dw2, db2


def bn_dx_tripled(grad_out, cache):
    dx, dgamma, dbeta = bn_graph._graph(grad_out, cache)
    return 3 * dx, dgamma, dbeta


UNLISTED = [
    ("linear", {"linear_forward": linear_mutants.linear_forward,
                "linear_backward": linear_dx_tripled}),
    ("two-layer-net", {"two_layer_net_forward": net_mutants.two_layer_net_forward,
                       "two_layer_net_backward": net_dw1_tripled}),
    ("batchnorm-backward", {"batchnorm_backward": bn_dx_tripled}),
]


@pytest.mark.parametrize("name, fns", UNLISTED, ids=[n for n, _ in UNLISTED])
def test_a_factor_no_mutant_lists_is_not_named_and_gets_the_factor_hint(name, fns):
    verdict = check(name, fns=fns)
    assert verdict.status == "fail" and verdict.mistake is None and verdict.mistakes == []
    assert "3 * numeric" in verdict.tests[-1]["message"]  # gradcheck's own hint in the stage
    assert verdict.hint.startswith("yours = 3 * expected everywhere")
    assert "yours differs at index" in verdict.hint  # and the worst entry


def test_a_wrong_forward_no_mutant_lists_gets_the_sign_hint_and_worst_index():
    def negated_forward(x, w, b=None):
        out, cache = linear_forward(x, w, b)
        return -out, cache

    verdict = check("linear", fns={"linear_forward": negated_forward,
                                   "linear_backward": linear_backward})
    assert verdict.mistake is None and verdict.tests[-1]["name"] == "forward"
    assert verdict.hint.startswith("yours = -expected: a sign error; yours differs at index (")
    assert verdict.hint.endswith("run `minnet exercise hint linear` for a hint")


def test_distortion_names_sign_factor_transpose_zeros_and_nothing_else():
    expected = np.arange(1.0, 7.0).reshape(2, 3)
    assert "sign" in distortion(-expected, expected)
    assert "0.5 * expected" in distortion(expected / 2, expected)
    assert "transposed" in distortion(expected.T, expected)
    assert "all zeros" in distortion(np.zeros_like(expected), expected)
    assert "NaN" in distortion(expected * np.nan, expected)
    assert distortion(expected + np.eye(2, 3), expected) is None
