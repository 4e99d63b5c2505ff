"""A sweep's grid: the trials it expands to, their keys, and the command line's syntax.

``expand_grid({"lr": [1e-3, 1e-2], "batch_size": [32, 64]}, seeds=(0, 1))``
gives the Cartesian product of the values times the seeds: 2 x 2 x 2 = 8
``(params, seed)`` pairs, in a fixed order (the grid's keys in the order
given, the last one varying fastest, seeds innermost).

``trial_key(params, seed)`` is the text that names a trial in the store (the
``trial`` column): the same parameters and seed give the same key in every
process, so a trial re-run after its worker died replaces its own row.
"""

import itertools
from collections.abc import Mapping

from minnet.errors import ConfigError
from minnet.runs.store import to_json


def check_grid(grid):
    """The grid as ``{name: list of values}``; ConfigError naming what is wrong."""
    if not isinstance(grid, Mapping) or not grid:
        raise ConfigError(f"sweep: grid must be a non-empty dict {{param: [values...]}}, "
                          f"got {grid!r}")
    for name, values in grid.items():
        if not isinstance(name, str) or not name:
            raise ConfigError(f"sweep: grid keys must be parameter names (str), got {name!r}")
        if name == "seed":
            raise ConfigError("sweep: 'seed' cannot be a grid parameter; give the seeds as "
                              "seeds=(0, 1, ...) (--seeds on the command line)")
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise ConfigError(f"sweep: grid[{name!r}] must be a list of values, got "
                              f"{values!r}; write [{values!r}] for a single value")
    lists = {name: list(values) for name, values in grid.items()}
    for name, values in lists.items():
        if not values:
            raise ConfigError(f"sweep: grid[{name!r}] is empty; give at least one value")
        keys = [to_json(value) for value in values]
        twice = next((v for v, k in zip(values, keys) if keys.count(k) > 1), None)
        if twice is not None:  # two trials with one key: the store would keep only one
            raise ConfigError(f"sweep: grid[{name!r}] lists {twice!r} more than once; give "
                              f"each value once (more seeds repeat a setting)")
    return lists


def _check_seeds(seeds):
    seeds = list(seeds) if hasattr(seeds, "__iter__") else [seeds]
    bad = [s for s in seeds if isinstance(s, bool) or not isinstance(s, int) or s < 0]
    if not seeds or bad:
        raise ConfigError(f"sweep: seeds must be non-negative ints, e.g. (0, 1, 2), "
                          f"got {seeds!r}")
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"sweep: seeds must differ from each other, got {seeds!r}")
    return seeds


def expand_grid(grid, seeds=(0,)):
    """Every ``(params, seed)`` of the grid: a list of ``(dict, int)``.

    Parameters
    ----------
    grid : dict of str -> list, each parameter's values
    seeds : iterable of non-negative int (or one int)
    """
    grid = check_grid(grid)
    seeds = _check_seeds(seeds)
    names = list(grid)
    settings = itertools.product(*(grid[name] for name in names))
    return [(dict(zip(names, values)), seed) for values in settings for seed in seeds]


def trial_key(params, seed):
    """The stable text key of one trial: its parameters and seed as sorted JSON."""
    return to_json({**params, "seed": seed})


# --- the command line: --grid lr=1e-4,1e-3 --seeds 0-4 ---------------------------------

def parse_value(text):
    """``"32"`` -> 32, ``"1e-3"`` -> 0.001, anything else stays text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_grid_option(text):
    """One ``--grid NAME=V1,V2,...`` option as ``(name, [values])``; ConfigError when malformed."""
    name, equals, values = text.partition("=")
    name = name.strip()
    items = [item.strip() for item in values.split(",")]
    if not equals or not name or not all(items):
        raise ConfigError(f"--grid: expected NAME=V1,V2,... (e.g. lr=1e-4,1e-3,1e-2), "
                          f"got {text!r}")
    return name, [parse_value(item) for item in items]


def parse_grid_options(options):
    """Several ``--grid`` options as one grid dict; a parameter given twice is an error."""
    grid = {}
    for text in options:
        name, values = parse_grid_option(text)
        if name in grid:
            raise ConfigError(f"--grid: {name} is given twice; list all its values in one "
                              f"--grid {name}=V1,V2,...")
        grid[name] = values
    return grid


def parse_seeds(text):
    """``"0-4"`` -> [0, 1, 2, 3, 4]; ``"0,1,5"`` -> [0, 1, 5]; ConfigError otherwise."""
    usage = f"--seeds: expected a range such as 0-4 or a list such as 0,1,2, got {text!r}"
    try:
        bounds = [int(part) for part in text.split("-")] if "-" in text else None
        seeds = [int(part) for part in text.split(",")] if bounds is None else None
    except ValueError as error:
        raise ConfigError(usage) from error
    if bounds is not None:
        if len(bounds) != 2:
            raise ConfigError(usage)
        if bounds[0] > bounds[1]:
            raise ConfigError(f"{usage} (the range is empty: {bounds[0]} > {bounds[1]})")
        seeds = list(range(bounds[0], bounds[1] + 1))
    return _check_seeds(seeds)
