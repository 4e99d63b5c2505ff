"""The command line of minnet's generated documents (docs/exercises.md, docs/practice-cards.md).

Each generator module has a ``render()`` returning the document's text and a
default path; ``python -m <module> [PATH]`` rewrites it, and a test keeps the
file in the repository equal to ``render()``.
"""

import pathlib
import sys


def write_document(render, default_path, argv=None):
    """Write ``render()`` to ``argv[0]`` (default ``default_path``); return the exit status 0."""
    argv = sys.argv[1:] if argv is None else argv
    path = pathlib.Path(argv[0]) if argv else default_path
    path.write_text(render())
    print(f"wrote {path}")
    return 0
