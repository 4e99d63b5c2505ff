"""No import cycle anywhere in minnet/: the import graph, read from the source, is acyclic.

Every import statement counts, at any depth: an import inside a function
only postpones a cycle to the first call, and a cycle is a design knot
whenever it runs. The edges are the ones Python's import system follows:

- ``import a.b.c`` and ``from a.b.c import name`` import ``a.b.c``, and
  first run the ``__init__`` of each package above it that is not also
  above the importer (a package above the importer is already running);
- ``from a.b import c`` also imports the submodule ``a.b.c`` when there is
  one, and reads ``c`` from the package ``a.b``: that is an edge to ``a.b``
  even from a module inside ``a.b`` (a package's own modules must not read
  names from it while its ``__init__`` may still be running); only a
  package's ``__init__`` may import its own submodules that way.
"""

import ast
import textwrap
from pathlib import Path

MINNET = Path(__file__).resolve().parents[1] / "minnet"


def _modules(package_dir):
    """``{dotted name: (path, is_package)}`` for every .py file below ``package_dir``."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules[".".join(parts)] = (path, is_package)
    return modules


def _packages_above(name):
    parts = name.split(".")
    return {".".join(parts[:end]) for end in range(1, len(parts))}


def import_graph(package_dir):
    """``{module: set of the modules it imports}``, within the package at ``package_dir``."""
    modules = _modules(package_dir)
    graph = {name: set() for name in modules}

    def known(name):  # the module itself, or the nearest package above it that exists
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    for name, (path, is_package) in modules.items():
        here = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from . import x, from ..a import b
                    parts = here.split(".")[:len(here.split(".")) - node.level + 1]
                    base = ".".join(parts + ([node.module] if node.module else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names
                                    if f"{base}.{alias.name}" in modules]
            for target in filter(None, map(known, targets)):
                if target != name:
                    graph[name].add(target)
                for package in _packages_above(target) - _packages_above(name) - {name}:
                    graph[name].add(package)
    return graph


def cycles(graph):
    """One cycle (a list of modules, the first repeated at the end) per strongly
    connected group of modules; empty when the graph is acyclic."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_a_cycle_in(graph, group) for group in groups]


def _a_cycle_in(graph, group):
    """A path from the group's first module back to it, through the group (breadth first)."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for other in sorted(graph[node] & group):
                if other == start:
                    return paths[node] + [start]
                if other not in paths:
                    paths[other] = paths[node] + [other]
                    following.append(other)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # a group always has one


def write_package(root, files):
    """Write ``{relative path: source}`` below ``root``; return the package directory."""
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root / next(iter(files)).split("/")[0]


# --- minnet ---------------------------------------------------------------------------

def test_minnet_has_no_import_cycle():
    found = cycles(import_graph(MINNET))
    assert not found, "import cycles in minnet/:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_doctor_does_not_import_its_zoo():
    # The zoo's examples use the doctor; they are not part of it.
    graph = import_graph(MINNET)
    zoo_imports = {name: sorted(other for other in imported if other.startswith("minnet.zoo"))
                   for name, imported in graph.items() if name.startswith("minnet.diagnostics")}
    assert len(zoo_imports) > 30 and graph["minnet.zoo.report"] >= {"minnet.diagnostics.doctor"}
    assert not {name: zoo for name, zoo in zoo_imports.items() if zoo}


def test_the_graph_sees_the_imports_minnet_is_built_on():
    graph = import_graph(MINNET)
    assert "minnet.diagnostics" in graph["minnet"]  # minnet/__init__ re-exports the doctor
    assert "minnet.diagnostics.sanity.gradcheck" in graph["minnet.diagnostics.sanity"]
    assert "minnet.data" in graph["minnet.diagnostics.doctor"]  # runs minnet/data/__init__
    assert "minnet.training" in graph["minnet.diagnostics.doctor"]  # an import in a function


def test_the_doctor_imports_plainly():
    # No module-level __getattr__, no importlib, no swallowed ImportError: a broken
    # module of the doctor must fail the import, not silently drop a check.
    workarounds = []
    for path in sorted((MINNET / "diagnostics").rglob("*.py")) + sorted(
            (MINNET / "zoo").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(name.split(".")[0] == "importlib" for name in names):
                workarounds.append(f"{path.name}:{node.lineno} imports importlib")
            if isinstance(node, ast.ExceptHandler) and "ImportError" in ast.dump(node.type or
                                                                                 ast.Pass()):
                workarounds.append(f"{path.name}:{node.lineno} catches ImportError")
        workarounds += [f"{path.name}:{node.lineno} defines a module __getattr__"
                        for node in tree.body
                        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__"]
    assert not workarounds, workarounds


# --- the test fires ---------------------------------------------------------------------

def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    package = write_package(tmp_path, {
        "knot/__init__.py": "",
        "knot/a.py": "from knot.b import helper\n",
        "knot/b.py": """\
            def helper():
                from knot.a import other  # postponed, still a cycle
                return other
            """,
    })
    assert cycles(import_graph(package)) == [["knot.a", "knot.b", "knot.a"]]


def test_reading_a_name_from_the_own_package_is_a_cycle_through_its_init(tmp_path):
    package = write_package(tmp_path, {
        "knot/__init__.py": "from knot.report import Report\nVERSION = 1\n",
        "knot/report.py": "from knot import VERSION\n",
    })
    assert cycles(import_graph(package)) == [["knot", "knot.report", "knot"]]


def test_a_package_above_the_target_runs_its_init_first(tmp_path):
    package = write_package(tmp_path, {
        "knot/__init__.py": "",
        "knot/x.py": "from knot.sub.z import Z\n",
        "knot/sub/__init__.py": "from knot.x import X\n",
        "knot/sub/z.py": "Z = 1\n",
    })
    assert cycles(import_graph(package)) == [["knot.sub", "knot.x", "knot.sub"]]


def test_relative_imports_count_too(tmp_path):
    package = write_package(tmp_path, {
        "knot/__init__.py": "",
        "knot/a.py": "from . import b\n",
        "knot/b.py": "from .a import f\n",
    })
    assert cycles(import_graph(package)) == [["knot.a", "knot.b", "knot.a"]]


def test_a_package_that_imports_its_own_modules_is_not_a_cycle(tmp_path):
    # __init__ re-exports its modules; they import each other by full path: no knot.
    package = write_package(tmp_path, {
        "knot/__init__.py": "from knot import rules\nfrom knot.doctor import doctor\n",
        "knot/doctor.py": "from knot.rules import run\nimport knot.rules.common as common\n",
        "knot/rules/__init__.py": "from knot.rules.common import run\n",
        "knot/rules/common.py": "import os\n\ndef run():\n    return os.sep\n",
    })
    graph = import_graph(package)
    assert cycles(graph) == []
    assert graph["knot.doctor"] == {"knot.rules", "knot.rules.common"}
    assert graph["knot"] == {"knot.rules", "knot.doctor"}
