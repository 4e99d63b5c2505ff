"""Hot loops, each twice: a NumPy reference and a numba version with one signature.

See ``minnet.kernels.backend`` for how the backend is chosen and why nothing
compiles at import. Each family has two files: ``<family>.py`` holds the
NumPy references and the ``Kernel`` objects that dispatch, ``<family>_numba.py``
the compiled twins. The optimizer updates are the exception: their NumPy
references are the textbook rules in ``minnet/optim/<name>.py`` (a student's
first screen), and ``optim.py`` here packs their scalars for the twins.
"""

from minnet.kernels.backend import (  # noqa: F401
    BACKENDS,
    Kernel,
    get_backend,
    numba_available,
    set_backend,
    use_backend,
)
