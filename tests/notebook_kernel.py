"""Execute a notebook in a real Jupyter kernel (nbclient + ipykernel, the dev extra).

The kernel is the ``python3`` spec that ipykernel installs into the virtual
environment; it runs with this process's environment (the numba and minnet
cache folders) and one BLAS/numba thread, in the notebook's folder, as Jupyter
would start it. A kernel start takes 1-2 s: test modules share one execution
per notebook through module-scoped fixtures.
"""

import os

import nbformat
from nbclient import NotebookClient

from minnet.notebooks import cell

ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "NUMBA_NUM_THREADS": "1", "MPLBACKEND": "Agg", "CI": "true"}
CELL_SECONDS = 120  # a check or a quick run takes a few seconds; beyond this, a hang


def execute(path):
    """Run every cell of the notebook at ``path`` in its folder; return the executed notebook
    (nbformat node). A cell that raises fails the call (nbclient's CellExecutionError)."""
    notebook = nbformat.read(path, as_version=4)
    folder = os.path.dirname(os.path.abspath(path))
    client = NotebookClient(notebook, timeout=CELL_SECONDS, kernel_name="python3",
                            resources={"metadata": {"path": folder}})
    client.execute(env={**os.environ, **ONE_THREAD})
    return notebook


def stdout(notebook, cell_id):
    """Everything cell ``cell_id`` printed to stdout."""
    return "".join(output.get("text", "") for output in cell(notebook, cell_id).outputs
                   if output.output_type == "stream" and output.name == "stdout")
