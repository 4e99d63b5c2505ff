"""Jupyter notebooks for exercises and practice cards: building, placing and writing them.

The notebooks are built with the ``nbformat`` package (format 4, validated
before they are written), never as JSON by hand. Every cell gets a fixed id
(``task``, ``stub``, ``check``, ...), so the same exercise or card always gives
the same bytes, and a test or a teacher's script finds a cell by its id.
The logic of each kind lives beside its command: ``minnet.exercises.notebook``
and ``minnet.practice.notebook``.
"""

import os

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from minnet.errors import ConfigError

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def markdown(cell_id, text, hidden=False):
    """A markdown cell; ``hidden`` collapses its source in JupyterLab (an answer to reveal)."""
    cell = new_markdown_cell(text.strip() + "\n", id=cell_id)
    if hidden:
        cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


def code(cell_id, source):
    """A code cell, not executed (no outputs, no execution count)."""
    return new_code_cell(source.strip() + "\n", id=cell_id)


def build(cells):
    """A validated nbformat v4 notebook of ``cells`` for the ``python3`` kernel."""
    notebook = new_notebook(cells=list(cells),
                            metadata={"kernelspec": dict(KERNELSPEC),
                                      "language_info": {"name": "python"}})
    nbformat.validate(notebook)
    return notebook


def cell(notebook, cell_id):
    """The cell whose id is ``cell_id`` (a KeyError names the ids there are)."""
    for found in notebook.cells:
        if found.get("id") == cell_id:
            return found
    raise KeyError(f"no cell {cell_id!r} in the notebook; its cells are "
                   f"{[c.get('id') for c in notebook.cells]}")


def notebook_path(out, folder, stem):
    """Where a notebook goes: ``out`` when it names a .ipynb file, else ``out/stem.ipynb``;
    without ``out``, ``folder/stem.ipynb``."""
    if out is not None and out.endswith(".ipynb"):
        return out
    return os.path.join(out if out is not None else folder, f"{stem}.ipynb")


def write_new(notebook, path):
    """Write ``notebook`` at ``path`` unless a file is there already (the student's work is
    never overwritten). Returns True when it was written, False when it was kept."""
    if os.path.exists(path):
        if os.path.isdir(path):
            raise ConfigError(f"{path} is a folder: give a folder to put the notebook in, "
                              f"or a path ending in .ipynb")
        return False
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    nbformat.write(notebook, path)
    return True


def write_and_tell(notebook, out, folder, stem, contents):
    """The commands' ``--notebook``: write ``notebook`` where ``notebook_path`` says, unless a
    file is there, and tell the user (``contents``: what its cells hold). Returns the path."""
    path = notebook_path(out, folder, stem)
    if write_new(notebook, path):
        print(f"Wrote {path}: {contents}")
    else:
        print(f"{path} already exists: your work there is kept.")
    print(f"Open it with `jupyter lab {path}` (pip install jupyterlab: not a minnet dependency)")
    return path
