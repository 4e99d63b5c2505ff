"""A broken import of minnet must fail a test, never skip it: no test file skips on an
ImportError of the project's own modules (``pytest.importorskip("torch")``, the optional
oracle, and ``"mlflow"``, the optional export, stay allowed)."""

import ast
import pathlib

TESTS = pathlib.Path(__file__).resolve().parent
OPTIONAL = {"torch", "mlflow"}  # optional extras of pyproject.toml, not minnet's modules


def imported_modules(nodes):
    """The top-level package names that ``nodes`` (statements) import."""
    names = set()
    for node in (inner for outer in nodes for inner in ast.walk(outer)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    return names


def skipped_imports(source, name="<test>"):
    """``name:line what`` for each importorskip of a module not in OPTIONAL, and each
    ``except ImportError`` (or ModuleNotFoundError) that skips after importing one."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "importorskip"
                and not (node.args and isinstance(node.args[0], ast.Constant)
                         and node.args[0].value in OPTIONAL)):
            found.append(f"{name}:{node.lineno} importorskip({ast.unparse(node.args[0])})")
        if isinstance(node, ast.Try) and imported_modules(node.body) - OPTIONAL:
            for handler in node.handlers:
                caught = ast.unparse(handler.type) if handler.type is not None else ""
                body = ast.unparse(ast.Module(body=handler.body, type_ignores=[]))
                if ("ImportError" in caught or "ModuleNotFoundError" in caught) and "skip" in body:
                    found.append(f"{name}:{handler.lineno} skips on {caught}")
    return found


def test_no_test_skips_on_a_failed_import_of_minnet():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        found += skipped_imports(path.read_text(encoding="utf-8"), path.relative_to(TESTS))
    assert not found, found


def test_the_scan_finds_both_forms():
    source = '''
import pytest
torch = pytest.importorskip("torch")
conv = pytest.importorskip("minnet.layers.conv")
try:
    import minnet.doctor
except ImportError:
    pytest.skip("no doctor")
try:
    import torch
except ImportError:
    pytest.skip("torch, the optional oracle: allowed")
'''
    assert sorted(skipped_imports(source)) == ["<test>:4 importorskip('minnet.layers.conv')",
                                       "<test>:7 skips on ImportError"]
