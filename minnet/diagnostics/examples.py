"""The bug zoo: deliberately broken training setups and their healthy twins.

``EXAMPLES`` maps a name to an ``Example`` (``name``, ``description``,
``build(seed) -> Experiment``, ``expected`` finding codes, ``healthy``,
``severity``). Each broken example shows ONE mistake, for teaching::

    minnet doctor --list
    minnet doctor --example no-zero-grad

and the test suite (``tests/doctor/test_zoo.py``) holds the doctor to them:
every broken example must yield its expected codes (at warning or error,
except the two hints marked ``severity="info"``), and no healthy example may
yield any warning or error, whatever the seed. ``docs/doctor-zoo.md`` has
the detection table.

The examples live in topic files: ``examples_mlp`` (learning rate, init,
architecture, loss), ``examples_data``, ``examples_custom`` (custom layers and
hand-written loops), ``examples_rnn``, ``examples_story`` (the RNN case of
DIAGNOSTICS.md, step by step) and ``examples_healthy``.
"""

from minnet.diagnostics import (
    examples_custom,
    examples_data,
    examples_healthy,
    examples_mlp,
    examples_rnn,
    examples_story,
)
from minnet.diagnostics.examples_base import Example, Experiment  # noqa: F401

_MODULES = (examples_mlp, examples_data, examples_custom, examples_rnn, examples_story,
            examples_healthy)

EXAMPLES = {example.name: example for module in _MODULES for example in module.EXAMPLES}


def broken_examples():
    """The broken examples, in the order of ``EXAMPLES``."""
    return [example for example in EXAMPLES.values() if not example.healthy]


def healthy_examples():
    return [example for example in EXAMPLES.values() if example.healthy]
