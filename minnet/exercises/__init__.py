"""Coursework exercises: a stub to fill in, and a checker that names the mistake.

``minnet exercise list | start NAME | check NAME | hint NAME | solution NAME``
(see ``minnet.exercises.cli``). ``check(name, path)`` runs the staged check
(``minnet.exercises.checker``) and returns a ``Verdict``; ``load_exercises()``
reads every ``exercises/NN_name/exercise.toml``.
"""

from minnet.exercises.checker import check  # noqa: F401
from minnet.exercises.metadata import Exercise, load_exercises  # noqa: F401
from minnet.exercises.verdict import Verdict  # noqa: F401
