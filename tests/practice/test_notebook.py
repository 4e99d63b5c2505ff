"""``minnet practice show ID --notebook``: the card's notebook, and one run in a real kernel."""

import base64

import nbformat
import pytest

from minnet.cli import main
from minnet.errors import ConfigError
from minnet.notebooks import cell
from minnet.practice.loading import load_cards
from minnet.practice.notebook import card_notebook, run_here
from tests.notebook_kernel import execute, stdout

CELLS = [("question", "markdown"), ("prediction", "markdown"), ("run", "code"),
         ("figure", "code"), ("answer", "markdown")]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """relu-kink's notebook, written by the command and executed once in a kernel."""
    folder = tmp_path_factory.mktemp("card")
    assert main(["practice", "show", "relu-kink", "--notebook", "--out", str(folder)]) == 0
    return execute(str(folder / "relu-kink.ipynb"))


def test_executed_notebook_prints_what_practice_run_quick_prints(executed, capsys):
    printed = stdout(executed, "run").splitlines()
    assert main(["practice", "run", "relu-kink", "--quick"]) == 0
    expected = capsys.readouterr().out.splitlines()
    # the first line ends with the run's time in seconds, which differs between runs
    assert printed[0].startswith("relu-kink  seed 0  quick  (")
    assert printed[0].split("(")[0] == expected[0].split("(")[0]
    assert printed[1:] == expected[1:]
    assert sum("PASS" in line for line in printed) == len(load_cards()["relu-kink"].CLAIMS)


def test_executed_notebook_shows_the_figure(executed):
    (output,) = cell(executed, "figure").outputs
    assert base64.b64decode(output.data["image/png"]).startswith(PNG_SIGNATURE)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []


def test_show_notebook_writes_question_prediction_run_and_answer(workdir, capsys):
    assert main(["practice", "show", "zero-init", "--notebook"]) == 0
    assert "Wrote zero-init.ipynb" in capsys.readouterr().out
    notebook = nbformat.read("zero-init.ipynb", as_version=4)
    nbformat.validate(notebook)
    assert [(c.id, c.cell_type) for c in notebook.cells] == CELLS
    card = load_cards()["zero-init"]
    assert " ".join(card.QUESTION.split()) in cell(notebook, "question").source
    prediction = cell(notebook, "prediction").source
    assert card.PREDICT.question in prediction
    assert all(choice in prediction for choice in card.PREDICT.choices)
    assert 'run_here("zero-init")' in cell(notebook, "run").source
    answer = cell(notebook, "answer")
    assert " ".join(card.ANSWER.split()) in answer.source
    assert answer.metadata["jupyter"] == {"source_hidden": True}  # read after the run
    assert all(claim.name in answer.source for claim in card.CLAIMS)
    # the answer is in the last cell only: the question and prediction give nothing away
    assert " ".join(card.ANSWER.split()) not in cell(notebook, "prediction").source


def test_show_notebook_keeps_an_existing_one(workdir, capsys):
    (workdir / "relu-kink.ipynb").write_text("my notes")
    assert main(["practice", "show", "relu-kink", "--notebook"]) == 0
    assert "already exists: your work there is kept" in capsys.readouterr().out
    assert (workdir / "relu-kink.ipynb").read_text() == "my notes"


def test_show_notebook_takes_a_path(workdir):
    assert main(["practice", "show", "relu-kink", "--notebook", "--out", "cards/k.ipynb"]) == 0
    nbformat.validate(nbformat.read(workdir / "cards" / "k.ipynb", as_version=4))


def test_show_notebook_usage_errors(workdir, capsys):
    assert main(["practice", "show", "relu-knik", "--notebook"]) == 2
    assert "did you mean relu-kink" in capsys.readouterr().err
    assert main(["practice", "show", "relu-kink", "--out", "x"]) == 2
    assert "use it with --notebook" in capsys.readouterr().err
    assert list(workdir.iterdir()) == []


def test_notebooks_are_the_same_every_time():
    card = load_cards()["relu-kink"]
    assert nbformat.writes(card_notebook(card)) == nbformat.writes(card_notebook(card))


def test_run_here_names_an_unknown_card():
    with pytest.raises(ConfigError, match="unknown card 'relu-knik'"):
        run_here("relu-knik")


@pytest.mark.parametrize("card_id", list(load_cards()))
def test_every_card_gives_a_valid_notebook(card_id):
    notebook = card_notebook(load_cards()[card_id])
    nbformat.validate(notebook)
    assert [(c.id, c.cell_type) for c in notebook.cells] == CELLS
    compile(cell(notebook, "run").source, f"{card_id} run cell", "exec")
