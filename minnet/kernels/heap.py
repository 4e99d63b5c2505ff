"""Keep freed memory in the process for the next training step (glibc's malloc settings).

A training step allocates and frees the same large arrays step after step:
im2col columns, activations, their gradients (about 30 MB a step for the
benchmark CNN). By default glibc serves a block larger than its mmap
threshold with a fresh ``mmap`` and hands freed memory at the top of the heap
back to the system once more than its trim threshold is free; its dynamic
thresholds do not settle on such a pattern. Either way the next step writes
to pages the process no longer has, and each 4 KB page costs a fault that
zero-fills it: about 3,300 faults a step, and the benchmark CNN's step took
18.8 ms instead of 10.5 ms (measured: benchmarks/README.md). Raising both
thresholds keeps the blocks for reuse.

The cost: up to ``TRIM_THRESHOLD`` bytes of freed memory stay with the
process instead of going back to the system, and arrays up to
``MMAP_THRESHOLD`` come from the heap. The settings are process-wide (they
speed up every NumPy user in the process, PyTorch included), so
``import minnet`` applies them once, only with glibc, and
``MINNET_KEEP_FREED_MEMORY=0`` leaves malloc as it was.
"""

import ctypes
import os

# mallopt's parameter numbers, from glibc's <malloc.h>
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 32 * 2**20  # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD = 256 * 2**20


def _glibc():
    """The C library as a ctypes handle when it is glibc, else None."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
        return ctypes.CDLL(None)
    except (AttributeError, OSError, ValueError):  # not Linux, or no glibc
        return None


def keep_freed_memory(libc=None):
    """Raise glibc's mmap and trim thresholds; return True when both were set.

    Parameters
    ----------
    libc : a ctypes handle with ``mallopt`` (tests pass a fake), default the process's glibc

    Returns False without changing anything when the C library is not glibc,
    when ``MINNET_KEEP_FREED_MEMORY=0``, or when glibc refuses a value.
    """
    if os.environ.get("MINNET_KEEP_FREED_MEMORY", "1").strip() == "0":
        return False
    libc = libc if libc is not None else _glibc()
    if libc is None or not hasattr(libc, "mallopt"):
        return False
    # Setting either turns glibc's dynamic thresholds off, so both are set.
    mmap_ok = libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    trim_ok = libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    return mmap_ok and trim_ok

