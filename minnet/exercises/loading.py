"""Stage 0: import a solution file, with a time limit, and scan it for peeking.

The scan is an honesty aid, not security: it flags imports of minnet's own
implementations (``minnet.functional``, ``minnet.gradcheck``, ...) beyond the
ones an exercise provides, e.g. the forward a backward-only exercise builds on.
"""

import ast
import contextlib
import importlib.util
import os
import signal
import sys
import threading
import time

LOAD_SECONDS = 10
CHECK_SECONDS = 60  # a correct solution takes about 1 s; beyond this, an endless loop


class LoadError(Exception):
    """The file is missing, does not import, or lacks a function the exercise asks for."""


class OutOfTime(BaseException):
    """A time limit expired. A BaseException, so that no ``except Exception`` around the
    student's code (the checker's own included) can swallow it."""


@contextlib.contextmanager
def time_limit(seconds, what):
    """Raise OutOfTime after ``seconds`` (SIGALRM: main thread on POSIX only; else no limit)."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum, frame):
        raise OutOfTime(f"{what} took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    pending = signal.alarm(seconds)  # an outer alarm (pytest-timeout's) is re-armed after
    started = time.monotonic()
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        if pending:
            signal.alarm(max(1, round(pending - (time.monotonic() - started))))


def peeking(source, provided):
    """The minnet imports in ``source`` that the exercise does not provide, as text."""
    allowed = set(provided)
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names
                      if a.name.split(".")[0] == "minnet"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "minnet":
            found += [f"from {node.module} import {a.name}" for a in node.names
                      if f"{node.module}:{a.name}" not in allowed]
    return found


def load_solution(path, functions, provided=()):
    """``({name: function}, peeking imports)`` from the file at ``path``; LoadError otherwise."""
    if not os.path.isfile(path):
        raise LoadError(f"no such file: {path}")
    with open(path) as handle:
        source = handle.read()
    try:
        flagged = peeking(source, provided)
    except SyntaxError as error:
        raise LoadError(f"{path} does not parse: {error.msg} (line {error.lineno})") from error
    spec = importlib.util.spec_from_file_location("minnet_exercise_solution", path)
    module = importlib.util.module_from_spec(spec)
    directory = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, directory)  # a solution may import a helper file beside it
    try:
        with time_limit(LOAD_SECONDS, f"importing {path}"):
            spec.loader.exec_module(module)
    except OutOfTime as error:
        raise LoadError(str(error)) from None
    except Exception as error:  # the student's file: any error at import time
        raise LoadError(f"importing {path} raised {type(error).__name__}: {error}") from error
    finally:
        sys.path.remove(directory)
    missing = [name for name in functions if not callable(getattr(module, name, None))]
    if missing:
        raise LoadError(f"{path} defines no {', '.join(missing)} (the exercise asks for "
                        f"{', '.join(functions)}, with minnet's exact names)")
    return {name: getattr(module, name) for name in functions}, flagged
