"""Convolution and pooling layers for the common layer checks (test_common_layer_checks.py).

Small shapes, so that every check (gradcheck included) runs in milliseconds;
odd sizes, strides and paddings, so that edges and the junk columns of the
wide im2col layout are exercised; each option of PyTorch's (dilation, groups,
"same"/"valid" padding, ceil_mode, count_include_pad, divisor_override,
adaptive sizes that do not divide the input) in at least one case.
"""

from minnet.layers.conv import Conv1d, Conv2d
from minnet.layers.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)

CASES = [
    (lambda seed: Conv2d(2, 3, 3, rng=seed), (2, 2, 5, 6)),
    (lambda seed: Conv2d(1, 2, (2, 3), stride=(2, 1), padding=(1, 0), rng=seed), (2, 1, 5, 5)),
    (lambda seed: Conv2d(3, 2, 2, stride=2, padding=1, bias=False, rng=seed), (1, 3, 4, 5)),
    (lambda seed: Conv2d(2, 2, 3, padding=1, init="pytorch", rng=seed), (2, 2, 4, 4)),
    (lambda seed: Conv2d(4, 6, (2, 3), padding="same", dilation=(2, 1), groups=2, rng=seed),
     (2, 4, 5, 4)),
    (lambda seed: Conv2d(3, 3, 2, 2, (1, 2), 2, 3, init="pytorch", rng=seed), (1, 3, 5, 6)),
    (lambda seed: Conv1d(2, 3, 3, rng=seed), (2, 2, 7)),
    (lambda seed: Conv1d(1, 2, 4, stride=2, padding=2, bias=False, rng=seed), (3, 1, 9)),
    (lambda seed: Conv1d(3, 2, 1, init="pytorch", rng=seed), (2, 3, 4)),
    (lambda seed: Conv1d(4, 2, 4, padding="same", dilation=3, groups=2, rng=seed), (2, 4, 8)),
    (lambda seed: Conv1d(2, 4, 3, 2, "valid", 2, 2, False, rng=seed), (2, 2, 9)),
    (lambda seed: MaxPool2d(2), (2, 3, 4, 5)),
    (lambda seed: MaxPool2d((3, 2), stride=1, padding=(1, 0)), (2, 2, 4, 4)),
    (lambda seed: MaxPool2d(2, ceil_mode=True), (2, 2, 5, 3)),
    (lambda seed: MaxPool2d((2, 3), 2, 1, (2, 1), ceil_mode=True), (1, 2, 6, 5)),
    (lambda seed: MaxPool1d(3, stride=2, padding=1), (2, 3, 7)),
    (lambda seed: MaxPool1d(2, 2, 1, 3, ceil_mode=True), (2, 2, 8)),
    (lambda seed: AvgPool2d(2), (2, 2, 5, 4)),
    (lambda seed: AvgPool2d(3, stride=2, padding=1), (2, 2, 5, 6)),
    (lambda seed: AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (2, 2, 6, 5)),
    (lambda seed: AvgPool2d((2, 3), padding=(1, 0), divisor_override=4), (1, 2, 5, 7)),
    (lambda seed: AvgPool1d(2), (2, 3, 7)),
    (lambda seed: AvgPool1d(3, 2, 1, True, False), (2, 2, 8)),
    (lambda seed: AdaptiveAvgPool1d(3), (2, 3, 7)),
    (lambda seed: AdaptiveAvgPool2d((2, None)), (2, 2, 5, 3)),
    (lambda seed: AdaptiveAvgPool2d(4), (1, 2, 3, 6)),
]
