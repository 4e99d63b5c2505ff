"""``minnet exercise start NAME --notebook``: the notebook, its helpers and a real kernel run.

Two notebooks run in a kernel, once per module: relu's, written by the README's
commands and executed as written (the untouched stub: "not started"), and
sgd-step's with the reference of ``minnet/exercises/solutions/`` pasted into the
stub cell (passed, recorded in the progress beside ``minnet-exercises/``).
"""

import json
import pathlib
import shlex

import nbformat
import pytest

import tests.test_readme as readme
from minnet.cli import main
from minnet.errors import ConfigError
from minnet.exercises.metadata import load_exercises
from minnet.exercises.notebook import (
    check_here,
    exercise_notebook,
    hint_here,
    working_folder,
)
from minnet.functional import relu_backward, relu_forward
from minnet.notebooks import cell, notebook_path, write_new
from tests.notebook_kernel import execute, stdout

SOLUTIONS = pathlib.Path(__file__).resolve().parents[2] / "minnet" / "exercises" / "solutions"
RELU = pathlib.Path("minnet-exercises") / "03_relu"
SGD = pathlib.Path("minnet-exercises") / "09_sgd_step"


def progress(folder="."):
    return json.loads((pathlib.Path(folder) / ".minnet" / "progress.json").read_text())[
        "exercises"]


def cli_output(capsys, *args):
    """(exit code, stdout) of ``minnet exercise ...``."""
    capsys.readouterr()
    code = main(["exercise", *args])
    return code, capsys.readouterr().out


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- the README's commands, then relu's notebook executed as written -------------------

def readme_commands():
    """The README's notebook block: (minnet commands as argv lists, the other lines)."""
    lines = [line.split("#")[0].strip()
             for line in readme.block_after("notebooks", "bash").splitlines()]
    commands = [shlex.split(line) for line in lines if line]
    return ([argv[1:] for argv in commands if argv[0] == "minnet"],
            [argv for argv in commands if argv[0] != "minnet"])


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory):
    """The README's minnet commands run in a fresh folder; relu's notebook executed there."""
    folder = tmp_path_factory.mktemp("readme")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        minnet_commands, _ = readme_commands()
        codes = [main(argv) for argv in minnet_commands]
        executed = execute(str(RELU / "relu.ipynb"))
    return folder, codes, executed


def test_readme_notebook_commands_run_as_printed(readme_run):
    folder, codes, _ = readme_run
    minnet_commands, others = readme_commands()
    assert minnet_commands == [["exercise", "start", "relu", "--notebook"],
                               ["practice", "show", "relu-kink", "--notebook"]]
    assert codes == [0, 0]
    assert others[0] == ["pip", "install", "jupyterlab"]
    assert others[1][:2] == ["jupyter", "lab"]
    assert (folder / others[1][2]).is_file()  # the notebook the README opens is the one written
    assert (folder / "relu-kink.ipynb").is_file()


def test_stub_notebook_executed_as_written_is_not_started(readme_run, capsys):
    folder, _, executed = readme_run
    printed = stdout(executed, "check")
    assert printed.startswith("relu: not started")  # the README's sentence
    with pytest.MonkeyPatch.context() as patch:  # the verdict `minnet exercise check` prints
        patch.chdir(folder)
        code, expected = cli_output(capsys, "check", "relu")
    assert code == 2
    # the same verdict, but for where the code goes: the notebook's cell, not relu.py
    assert printed == expected.replace("in relu.py", "in the notebook's code cell")
    assert "in the notebook's code cell" in printed
    assert stdout(executed, "hint").startswith("Hint 1 of 3 for relu:")
    assert progress(folder)["relu"]["hints"] == 1  # recorded beside minnet-exercises/


# --- sgd-step with the reference pasted into the stub cell ----------------------------

@pytest.fixture(scope="module")
def solved_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("solved")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        assert main(["exercise", "start", "sgd-step", "--notebook"]) == 0
        path = SGD / "sgd-step.ipynb"
        notebook = nbformat.read(path, as_version=4)
        cell(notebook, "stub").source = (SOLUTIONS / "sgd_step.py").read_text()
        nbformat.write(notebook, path)
        executed = execute(str(path))
    return folder, executed


def test_notebook_with_the_reference_pasted_in_passes(solved_run, capsys):
    folder, executed = solved_run
    printed = stdout(executed, "check")
    assert printed.startswith("sgd-step: passed every stage")
    code, expected = cli_output(capsys, "check", "sgd-step", "--file",
                                str(SOLUTIONS / "sgd_step.py"))
    assert code == 0
    assert printed == expected
    assert progress(folder)["sgd-step"]["passed"] is True
    # after a pass the hint cell spends no hint
    assert stdout(executed, "hint").startswith("sgd-step passed: no hint needed")
    assert progress(folder)["sgd-step"]["hints"] == 0


# --- the notebook file -----------------------------------------------------------------

def test_start_notebook_writes_task_stub_check_and_hint(workdir, capsys):
    code, out = cli_output(capsys, "start", "relu", "--notebook")
    assert code == 0
    path = RELU / "relu.ipynb"
    assert f"Wrote {path}" in out and "pip install jupyterlab" in out
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    assert [(c.id, c.cell_type) for c in notebook.cells] == [
        ("task", "markdown"), ("stub", "code"), ("check", "code"), ("hint", "code")]
    exercise = load_exercises()["relu"]
    assert exercise.file("README.md").read_text().strip() in cell(notebook, "task").source
    # the stub cell holds exactly the file that the plain `start` copies
    assert cell(notebook, "stub").source.strip() == (RELU / "relu.py").read_text().strip()
    assert 'check_here("relu", globals())' in cell(notebook, "check").source
    assert 'hint_here("relu")' in cell(notebook, "hint").source
    assert progress()["relu"]["started"] is True


def test_notebook_bytes_are_the_same_every_time():
    exercise = load_exercises()["softmax"]
    assert nbformat.writes(exercise_notebook(exercise)) == nbformat.writes(
        exercise_notebook(exercise))


def test_an_existing_notebook_is_kept(workdir, capsys):
    assert main(["exercise", "start", "relu", "--notebook"]) == 0
    path = RELU / "relu.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell(notebook, "stub").source = "# my work"
    nbformat.write(notebook, path)
    code, out = cli_output(capsys, "start", "relu", "--notebook")
    assert code == 0 and "already exists: your work there is kept" in out
    assert cell(nbformat.read(path, as_version=4), "stub").source == "# my work"


def test_out_takes_a_folder_or_a_notebook_path(workdir):
    assert main(["exercise", "start", "relu", "--notebook", "--out", "notebooks"]) == 0
    assert (workdir / "notebooks" / "relu.ipynb").is_file()
    assert main(["exercise", "start", "linear", "--notebook", "--out", "mine/lin.ipynb"]) == 0
    assert (workdir / "mine" / "lin.ipynb").is_file()
    assert notebook_path(None, "a", "relu") == str(pathlib.Path("a") / "relu.ipynb")


def test_out_without_notebook_is_a_usage_error(workdir, capsys):
    assert main(["exercise", "start", "relu", "--out", "x"]) == 2
    assert "use it with --notebook" in capsys.readouterr().err


def test_write_new_refuses_a_folder(tmp_path):
    with pytest.raises(ConfigError, match="is a folder"):
        write_new(exercise_notebook(load_exercises()["relu"]), str(tmp_path))


# --- check_here and hint_here, in this process ----------------------------------------

def namespace_of(source):
    namespace = {"__name__": "__main__"}
    exec(compile(source, "<notebook cell>", "exec"), namespace)
    return namespace


def test_check_here_prints_what_the_cli_prints(workdir, capsys):
    source = (SOLUTIONS / "sgd_step.py").read_text()
    verdict = check_here("sgd-step", namespace_of(source))
    printed = capsys.readouterr().out
    assert verdict.status == "pass"
    code, expected = cli_output(capsys, "check", "sgd-step", "--file",
                                str(SOLUTIONS / "sgd_step.py"))
    assert printed == expected and code == verdict.exit_code == 0


def test_check_here_fails_a_wrong_answer_and_names_the_mistake(workdir, capsys):
    wrong = (SOLUTIONS / "sgd_step.py").read_text().replace(
        "direction = g + momentum * v if nesterov else v", "direction = v")
    verdict = check_here("sgd-step", namespace_of(wrong))
    assert verdict.status == "fail" and verdict.exit_code == 1
    assert verdict.mistake == "nesterov-as-momentum"
    assert "nesterov-as-momentum" in capsys.readouterr().out
    assert not (workdir / ".minnet").exists()  # a failure records no pass


def test_check_here_without_the_functions_says_which_are_missing(capsys):
    verdict = check_here("relu", {"relu_forward": lambda x: (x, x)})
    assert verdict.status == "error" and verdict.exit_code == 2
    assert "defines no relu_backward" in verdict.message
    assert "run the cell with your code first" in capsys.readouterr().out


def test_check_here_flags_minnets_own_functions(capsys):
    verdict = check_here("relu", {"relu_forward": relu_forward, "relu_backward": relu_backward})
    assert verdict.status == "fail"
    assert "imports minnet's own implementation" in verdict.message
    assert "relu_forward is minnet.functional" in verdict.message


def test_check_here_flags_an_import_inside_a_function(capsys):
    def relu_forward(x):
        from minnet.functional import relu_forward as reference
        return reference(x)

    def relu_backward(grad_out, cache):
        return grad_out * (cache > 0)

    verdict = check_here("relu", {"relu_forward": relu_forward, "relu_backward": relu_backward})
    assert verdict.status == "fail"
    assert "from minnet.functional import relu_forward" in verdict.message


def test_check_here_names_an_unknown_exercise():
    with pytest.raises(ConfigError, match="unknown exercise 'rleu': expected one of"):
        check_here("rleu", {})


def test_working_folder_is_beside_the_workspace(tmp_path):
    inside = tmp_path / "minnet-exercises" / "03_relu"
    assert working_folder(inside) == str(tmp_path)
    assert working_folder(tmp_path / "elsewhere") == str(tmp_path / "elsewhere")


def test_hint_here_gives_the_next_tier_until_a_pass(workdir, capsys):
    hint_here("relu")
    hint_here("relu")
    assert capsys.readouterr().out.count("Hint ") == 2
    assert progress()["relu"]["hints"] == 2
    check_here("relu", namespace_of(readme.block_after("relu attempt", "python")
                                    .replace("x >= 0", "x > 0")))
    capsys.readouterr()
    hint_here("relu")
    assert "no hint needed" in capsys.readouterr().out
    assert progress()["relu"] == {"started": True, "passed": True, "revealed": False,
                                  "hints": 2}


@pytest.mark.parametrize("name", list(load_exercises()))
def test_every_exercise_gives_a_valid_notebook_whose_stub_parses(name):
    notebook = exercise_notebook(load_exercises()[name])
    nbformat.validate(notebook)
    compile(cell(notebook, "stub").source, f"{name} stub cell", "exec")
    compile(cell(notebook, "check").source, f"{name} check cell", "exec")
