"""Caches of more than three items are NamedTuples whose docstring documents every field.

A backward that unpacks ``a, b, c, d, e = cache`` breaks silently when the
forward reorders its tuple; ``cache.inv_std`` cannot. The check reads the
source of minnet.functional and minnet.layers: a tuple literal of more than
three items may not be returned as a forward's cache, assigned to a
``cache`` or pushed with ``push_cache``; every ``...Cache(NamedTuple)`` class
lists each of its fields in its docstring as ``name : what it holds``.
"""

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ("minnet/functional", "minnet/layers")
NOT_YET = ()
MAX_PLAIN_ITEMS = 3


def _is_long_tuple(node):
    return isinstance(node, ast.Tuple) and len(node.elts) > MAX_PLAIN_ITEMS


def plain_caches(source, filename="<source>"):
    """``filename:line`` of every tuple literal of more than three items used as a cache:
    returned after the output by a ``*forward*`` function, assigned to a ``*cache*``
    name, or pushed with ``push_cache``."""
    found = []
    forwards = [function for function in ast.walk(ast.parse(source))
                if isinstance(function, ast.FunctionDef) and "forward" in function.name]
    for function in forwards:  # (out, cache): the cache follows the output
        for node in ast.walk(function):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                found += [f"{filename}:{item.lineno}" for item in node.value.elts[1:]
                          if _is_long_tuple(item)]
    for node in ast.walk(ast.parse(source)):
        candidates = []
        if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and "cache" in target.id for target in node.targets):
            candidates = [node.value]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "push_cache"):
            candidates = node.args
        found += [f"{filename}:{item.lineno}" for item in candidates if _is_long_tuple(item)]
    return found


def undocumented_fields(source, filename="<source>"):
    """``filename:Class.field`` for every field of a ``*Cache`` NamedTuple its docstring omits."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.ClassDef) and node.name.endswith("Cache")):
            continue
        doc = ast.get_docstring(node) or ""
        # "name : ..." or "name, other : ..." at the start of a docstring line
        documented = {name for line in doc.splitlines() if " : " in line
                      for name in re.findall(r"\w+", line.split(" : ")[0])}
        fields = [item.target.id for item in node.body if isinstance(item, ast.AnnAssign)]
        found += [f"{filename}:{node.name}.{name}" for name in fields if name not in documented]
    return found


def package_sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name not in NOT_YET:
                yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_no_cache_is_a_plain_tuple_of_more_than_three_items():
    assert [place for name, source in package_sources()
            for place in plain_caches(source, name)] == []


def test_every_cache_field_is_documented():
    assert [place for name, source in package_sources()
            for place in undocumented_fields(source, name)] == []


def test_the_checks_fire_on_a_plain_cache_and_an_undocumented_field():
    source = '''
from typing import NamedTuple

class PairCache(NamedTuple):
    """x : the input"""

    x: object
    scale: object

def pair_forward(x):
    return x, (x, x.shape, x.dtype, 2.0)

def other_forward(x, layer):
    cache = (x, 1, 2, 3)
    layer.push_cache((x, 1, 2, 3))
    return x, (x, 1, 2)

def prepare(x):
    return x, (1, 2, 3, 4)
'''
    assert plain_caches(source) == ["<source>:11", "<source>:14", "<source>:15"]
    assert undocumented_fields(source) == ["<source>:PairCache.scale"]
