"""The diagnosis beyond one exact mutant: two mistakes at once, a mistake plus something else,
and no false naming of an unlisted mistake."""

import numpy as np

from minnet.exercises import check
from minnet.exercises.mutants import batchnorm_backward_alt as bn_mutants
from minnet.exercises.mutants import linear as linear_mutants


def test_two_mistakes_in_different_results_are_both_named():
    def linear_backward(grad_out, cache, input_grad=True):
        x, w = cache
        return grad_out @ w, x.T @ grad_out, grad_out.mean(axis=0)  # dw transposed, db averaged

    verdict = check("linear", fns={"linear_forward": linear_mutants.linear_forward,
                                   "linear_backward": linear_backward})
    assert verdict.status == "fail"
    assert sorted(verdict.mistakes) == ["db-averaged", "dw-transposed"]
    assert verdict.as_dict()["mistakes"] == verdict.mistakes


def test_two_mistakes_in_one_result_are_named_by_their_residuals():
    def both_terms_missing(grad_out, cache):  # dx = gamma / sqrt(var + eps) * dout
        x = cache.x
        dout = grad_out.reshape(x.shape)
        xhat = (x - cache.mean[:, None]) * cache.inv_std[:, None]
        dx = (cache.gamma * cache.inv_std)[:, None] * dout
        return dx.reshape(cache.shape), (dout * xhat).sum(axis=(0, 2)), dout.sum(axis=(0, 2))

    verdict = check("batchnorm-backward-alt", fns={"batchnorm_backward_alt": both_terms_missing})
    assert verdict.mistakes == ["no-dbeta-term", "no-xhat-dgamma-term"]
    assert bn_mutants.MUTANTS  # the two mutants exist, each missing one of those terms


def test_a_mistake_plus_another_difference_is_named_as_partial():
    def dropout_forward(x, p=0.5, training=True, rng=None):  # p as keep, and NaN at p = 0
        if not training:
            return x, None
        mask = (np.random.default_rng(rng).random(x.shape) < p) / p
        return x * mask, mask

    def dropout_backward(grad_out, cache):
        return grad_out if cache is None else grad_out * cache

    with np.errstate(all="ignore"):
        verdict = check("dropout", fns={"dropout_forward": dropout_forward,
                                        "dropout_backward": dropout_backward})
    assert verdict.mistake == "p-as-keep"
    assert "something else" in verdict.message


def test_an_unlisted_mistake_is_not_named():
    def linear_backward(grad_out, cache, input_grad=True):
        x, w = cache
        return 2 * grad_out @ w, grad_out.T @ x, grad_out.sum(axis=0)  # a doubled dx

    verdict = check("linear", fns={"linear_forward": linear_mutants.linear_forward,
                                   "linear_backward": linear_backward})
    assert verdict.status == "fail" and verdict.mistake is None and verdict.mistakes == []
    assert "2 * numeric" in verdict.tests[-1]["message"]  # gradcheck's own hint instead
