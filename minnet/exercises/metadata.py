"""Where the exercises live and what their ``exercise.toml`` says.

An exercise folder (``exercises/NN_name/``) holds README.md, the stub the
student edits, hints.md and exercise.toml. In a source checkout the folders
sit at the repository's top level; in an installed wheel they are packaged
under ``minnet/exercises/content/`` (see pyproject.toml's force-include).
"""

import pathlib
from dataclasses import dataclass, field

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10 (pyproject requires tomli there)
    import tomli as tomllib

_PACKAGED = pathlib.Path(__file__).resolve().parent / "content"
_CHECKOUT = pathlib.Path(__file__).resolve().parents[2] / "exercises"

WORKSPACE = "minnet-exercises"  # where `minnet exercise start` copies an exercise's folder

REQUIRED_KEYS = ("name", "order", "title", "stub", "functions", "reference", "summary")


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: its id (a mutant's name) and the hint that targets it."""

    id: str
    summary: str
    hint: str


@dataclass(frozen=True)
class Exercise:
    """One exercise folder, as its exercise.toml describes it."""

    name: str                 # the CLI's kebab-case name, e.g. "cross-entropy"
    order: int                # the curriculum position (the table of docs/exercises.md)
    title: str
    summary: str
    folder: pathlib.Path
    stub: str                 # the file the student edits, e.g. "linear.py"
    functions: tuple          # the names that file must define
    reference: tuple          # "module:function" of the reference for each function
    readable: tuple = ()      # "module:function" shown by `solution` (default: reference)
    provided: tuple = ()      # "module:function" a solution may import (the no-peeking scan)
    prerequisites: tuple = ()
    edge_cases: tuple = ()
    mistakes: tuple = field(default_factory=tuple)
    budget_seconds: float = 3.0

    def file(self, name):
        return self.folder / name

    def hint_tiers(self):
        """The three tiers of hints.md, split on its '## Tier N' headings."""
        text = self.file("hints.md").read_text()
        parts = text.split("\n## Tier ")[1:]
        return [part.split("\n", 1)[1].strip() for part in parts]

    def mistake(self, mistake_id):
        return next((m for m in self.mistakes if m.id == mistake_id), None)


def exercises_root():
    """The folder holding the NN_name exercise folders (installed copy first)."""
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


def _exercise(folder):
    data = tomllib.loads((folder / "exercise.toml").read_text())
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise ValueError(f"{folder / 'exercise.toml'}: missing {', '.join(missing)}")
    mistakes = tuple(Mistake(m["id"], m["summary"], m["hint"]) for m in data.get("mistake", []))
    return Exercise(
        name=data["name"], order=data["order"], title=data["title"], summary=data["summary"],
        folder=folder, stub=data["stub"], functions=tuple(data["functions"]),
        reference=tuple(data["reference"]),
        readable=tuple(data.get("readable", data["reference"])),
        provided=tuple(data.get("provided", ())),
        prerequisites=tuple(data.get("prerequisites", ())),
        edge_cases=tuple(data.get("edge_cases", ())), mistakes=mistakes,
        budget_seconds=float(data.get("budget_seconds", 3.0)))


def load_exercises(root=None):
    """Every exercise, in curriculum order, as ``{name: Exercise}``."""
    root = pathlib.Path(root) if root is not None else exercises_root()
    found = [_exercise(folder) for folder in sorted(root.iterdir())
             if (folder / "exercise.toml").is_file()]
    return {exercise.name: exercise for exercise in sorted(found, key=lambda e: e.order)}
