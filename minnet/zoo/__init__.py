"""The bug zoo: deliberately broken training setups and their healthy twins.

``EXAMPLES`` maps a name to an ``Example`` (``name``, ``description``,
``build(seed) -> Experiment``, ``expected`` finding codes, ``healthy``,
``severity``). Each broken example shows ONE mistake, for teaching::

    minnet doctor --list
    minnet doctor --example no-zero-grad

and the test suite (``tests/doctor/test_zoo.py``) holds the doctor to them:
every broken example must yield its expected codes (at warning or error,
except the two hints marked ``severity="info"``) and name its root cause
first, and no healthy example may yield any warning or error, whatever the
seed. ``docs/doctor-zoo.md`` has
the detection table.

The examples live in topic files: ``mlp`` (learning rate, init,
architecture, loss), ``data``, ``custom`` (custom layers and hand-written
loops), ``rnn``, ``story`` (one RNN setup with its mistakes found and fixed
one at a time) and ``healthy``; the ``variations_*`` files (``training``,
``model``, ``data``) repeat the classic mistakes on other architectures,
data and optimizers, and ``healthy_more`` adds healthy setups of the same
range; ``evidence`` (an optimizer that does not update, a schedule stepped
per batch, a rate far above the range test's) and ``claims`` (uint8 pixels,
one-hot targets, a setup that raises, gradients vanishing through time,
training in eval mode) back the doctor's newer rules; ``base`` holds what
they share and ``report`` runs them as ``minnet doctor --example`` does. The
zoo uses the doctor (``minnet.diagnostics``); the doctor never imports the zoo.
"""

from minnet.zoo import (
    claims,
    custom,
    data,
    evidence,
    healthy,
    healthy_more,
    mlp,
    rnn,
    story,
    variations_data,
    variations_model,
    variations_training,
)
from minnet.zoo.base import Example, Experiment  # noqa: F401

_MODULES = (mlp, data, custom, rnn, story, healthy, evidence, claims, variations_training,
            variations_model, variations_data, healthy_more)

EXAMPLES = {example.name: example for module in _MODULES for example in module.EXAMPLES}


def broken_examples():
    """The broken examples, in the order of ``EXAMPLES``."""
    return [example for example in EXAMPLES.values() if not example.healthy]


def healthy_examples():
    return [example for example in EXAMPLES.values() if example.healthy]
