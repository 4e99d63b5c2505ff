"""The learner's state files in the working folder: ``.minnet/<name>.json``.

``minnet exercise`` keeps its progress there and ``minnet practice quiz`` its
Leitner boxes. A save writes a temporary file beside the target and renames
it over the old one, so an interrupted save never leaves half a file.
"""

import json
import os
import tempfile

FOLDER = ".minnet"


def state_path(name, folder="."):
    """``folder/.minnet/name.json``."""
    return os.path.join(folder, FOLDER, f"{name}.json")


def load_state(name, empty, folder="."):
    """The saved state ``name`` (a dict), or ``empty()`` when none was saved yet."""
    path = state_path(name, folder)
    if not os.path.isfile(path):
        return empty()
    with open(path) as handle:
        return json.load(handle)


def save_state(name, state, folder="."):
    """Write ``state`` (JSON-serializable) as ``name``, atomically."""
    path = state_path(name, folder)
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".tmp", delete=False) as handle:
        try:
            json.dump(state, handle, indent=2, sort_keys=True)
        except BaseException:
            handle.close()
            os.remove(handle.name)
            raise
    os.replace(handle.name, path)
