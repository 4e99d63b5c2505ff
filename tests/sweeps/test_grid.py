"""The grid's expansion, the trials' keys and the command line's --grid / --seeds syntax."""

import pytest

from minnet.errors import ConfigError
from minnet.sweeps.grid import (
    expand_grid,
    parse_grid_option,
    parse_grid_options,
    parse_seeds,
    parse_value,
    trial_key,
)


def test_expansion_is_the_cartesian_product_times_the_seeds_in_a_fixed_order():
    trials = expand_grid({"lr": [0.1, 0.01], "batch_size": [32, 64, 128]}, seeds=(0, 1))
    assert len(trials) == 2 * 3 * 2
    assert trials[:3] == [({"lr": 0.1, "batch_size": 32}, 0), ({"lr": 0.1, "batch_size": 32}, 1),
                          ({"lr": 0.1, "batch_size": 64}, 0)]
    assert trials[-1] == ({"lr": 0.01, "batch_size": 128}, 1)
    assert len({trial_key(params, seed) for params, seed in trials}) == 12


def test_expansion_takes_iterators_ranges_and_a_single_seed():
    assert expand_grid({"x": iter([1, 2])}, seeds=3) == [({"x": 1}, 3), ({"x": 2}, 3)]
    assert [seed for _, seed in expand_grid({"x": [1]}, seeds=range(4))] == [0, 1, 2, 3]


def test_the_trial_key_is_stable_text_independent_of_the_dict_order():
    assert trial_key({"lr": 0.001, "batch_size": 32}, 4) == \
        trial_key({"batch_size": 32, "lr": 0.001}, 4) == \
        '{"batch_size": 32, "lr": 0.001, "seed": 4}'
    assert trial_key({"lr": 0.001}, 4) != trial_key({"lr": 0.001}, 5)


@pytest.mark.parametrize("grid, message", [
    ({}, "non-empty dict"),
    ([("lr", [1])], "non-empty dict"),
    ({"lr": 0.1}, r"must be a list of values, got 0.1; write \[0.1\]"),
    ({"lr": "0.1"}, "must be a list of values"),
    ({"lr": []}, r"grid\['lr'\] is empty"),
    ({"seed": [1, 2]}, "'seed' cannot be a grid parameter"),
    ({"lr": [0.1, 0.01, 0.1]}, r"grid\['lr'\] lists 0.1 more than once"),
    ({3: [1, 2]}, "parameter names"),
])
def test_a_bad_grid_is_named(grid, message):
    with pytest.raises(ConfigError, match=message):
        expand_grid(grid)


@pytest.mark.parametrize("seeds", [(), (-1,), (0.5,), (True,), (1, 1), "0"])
def test_bad_seeds_are_named(seeds):
    with pytest.raises(ConfigError, match="seeds must"):
        expand_grid({"x": [1]}, seeds=seeds)


def test_values_are_parsed_as_int_float_or_text():
    assert parse_value("32") == 32 and isinstance(parse_value("32"), int)
    assert parse_value("1e-3") == 0.001
    assert parse_value("0.5") == 0.5
    assert parse_value("adam") == "adam"
    assert parse_grid_option("lr=1e-4,1e-3, 1e-2") == ("lr", [1e-4, 1e-3, 1e-2])
    assert parse_grid_option("optimizer=sgd,adam") == ("optimizer", ["sgd", "adam"])
    assert parse_grid_options(["lr=0.1", "batch_size=32,64"]) == {"lr": [0.1],
                                                                   "batch_size": [32, 64]}


@pytest.mark.parametrize("text", ["lr", "lr=", "=1,2", "lr=1,,2", "lr=1,"])
def test_a_malformed_grid_option_is_named(text):
    with pytest.raises(ConfigError, match=r"expected NAME=V1,V2,\.\.\. .*got"):
        parse_grid_option(text)


def test_a_parameter_given_twice_is_an_error():
    with pytest.raises(ConfigError, match="lr is given twice"):
        parse_grid_options(["lr=0.1", "lr=0.2"])


def test_seeds_are_a_range_or_a_list():
    assert parse_seeds("0-4") == [0, 1, 2, 3, 4]
    assert parse_seeds("0,1,5") == [0, 1, 5]
    assert parse_seeds("7") == [7]


@pytest.mark.parametrize("text, message", [
    ("4-0", "the range is empty"), ("a-b", "expected a range"), ("0-1-2", "expected a range"),
    ("0,x", "expected a range"), ("1,1", "must differ"), ("", "expected a range"),
])
def test_bad_seed_syntax_is_named(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_seeds(text)
