"""The range test's suggestion as evidence: a rate far above it is lr-too-high before any
divergence; the usual rates are not (test_lr_range.py's grid holds them to that too)."""

import pytest

from minnet.diagnostics.sanity.lr_range import (
    TOO_HIGH_OF_DIVERGENCE,
    TOO_HIGH_OVER_SUGGESTION,
    lr_range_test,
)
from minnet.zoo.mlp import _tanh_sgd


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_rate_ten_times_a_good_one_is_too_high_before_it_diverges(seed):
    experiment = _tanh_sgd(seed, lr=1.0)  # SGD, momentum 0.9: a good rate is 0.1
    findings, records = lr_range_test(experiment.model, experiment.loss_fn, experiment.X,
                                      experiment.y, experiment.optimizer, rng=seed)
    (finding,) = findings
    assert finding.code == "lr-too-high"
    evidence = finding.evidence
    assert evidence["lr"] < evidence["divergence_lr"]  # not the divergence rule
    assert evidence["over_suggested"] >= TOO_HIGH_OVER_SUGGESTION
    assert evidence["of_divergence"] >= TOO_HIGH_OF_DIVERGENCE
    assert records["lr_range"]["lr_over_suggested"] == evidence["over_suggested"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_good_rate_is_not(seed):
    experiment = _tanh_sgd(seed, lr=0.1)  # healthy-tanh-glorot
    findings, records = lr_range_test(experiment.model, experiment.loss_fn, experiment.X,
                                      experiment.y, experiment.optimizer, rng=seed)
    assert findings == []
