"""A user's Python file (``minnet doctor FILE.py``, ``minnet sweep FILE.py``) imported as a module.

The file need not be on sys.path nor be a package's: it is imported by path,
its folder on sys.path meanwhile (so it can import helper files beside it),
and registered in ``sys.modules`` (dataclasses and pickling look its classes
up there).
"""

import importlib.util
import os
import sys
import traceback

from minnet.errors import ConfigError


class UserFileError(Exception):
    """Executing the user's file raised ``error`` (a syntax error, a failed import, ...)."""

    def __init__(self, path, error):
        super().__init__(f"importing {path} raised {type(error).__name__}: {error}")
        self.path, self.error = path, error


def import_user_file(path, prefix):
    """The module of the file ``path``, named ``prefix`` + its stem.

    Raises ConfigError when ``path`` is not a Python file, and UserFileError
    (holding the user's exception) when executing it raises.
    """
    if not os.path.isfile(path):
        raise ConfigError(f"no such file: {path}")
    stem = os.path.splitext(os.path.basename(path))[0]
    name = prefix + "".join(c if c.isalnum() else "_" for c in stem)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        raise ConfigError(f"cannot import {path}: expected a Python file (FILE.py)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    directory = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, directory)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the user's file: any error at import time
        raise UserFileError(path, error) from error
    finally:
        sys.path.remove(directory)
    return module


def print_user_traceback(error, skip=()):
    """Print ``error``'s traceback to stderr from the user's own frames on: the frames of
    this file, of the files in ``skip`` and of importlib say nothing to the user."""
    ours = {os.path.abspath(__file__)} | {os.path.abspath(path) for path in skip}
    tb = error.__traceback__
    while tb is not None and (os.path.abspath(tb.tb_frame.f_code.co_filename) in ours
                              or tb.tb_frame.f_code.co_filename.startswith("<frozen")):
        tb = tb.tb_next
    traceback.print_exception(type(error), error, tb, file=sys.stderr)
