"""The README's code must run as printed."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_a_python_example():
    assert python_blocks()


def test_readme_python_examples_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the example writes a checkpoint
    first, *others = python_blocks()
    exec(compile(first, str(README), "exec"), {"__name__": "readme"})
    accuracy = float(capsys.readouterr().out.strip().splitlines()[-1])
    assert accuracy > 0.95  # the README says "about 0.99"
    for block in others:
        exec(compile(block, str(README), "exec"), {"__name__": "readme"})
    assert "healthy" in capsys.readouterr().out  # the doctor example is a healthy setup


def test_readme_ci_markers_precede_the_two_commands():
    text = README.read_text()
    for marker in ("<!-- ci: demo -->", "<!-- ci: test -->"):
        assert marker in text
        following = text.split(marker, 1)[1].lstrip()
        assert following.startswith("```bash\n")


def block_after(marker, language):
    """The fenced ``language`` block that follows ``<!-- readme: marker -->``."""
    text = README.read_text().split(f"<!-- readme: {marker} -->", 1)[1]
    return re.match(rf"\s*```{language}\n(.*?)```", text, flags=re.S).group(1)


def test_readme_exercise_example_runs_as_printed(tmp_path, monkeypatch, capsys):
    from minnet.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["exercise", "start", "relu"]) == 0
    (stub,) = tmp_path.glob("minnet-exercises/*_relu/relu.py")
    attempt = block_after("relu attempt", "python")
    stub.write_text(attempt)
    capsys.readouterr()
    assert main(["exercise", "check", "relu"]) == 1
    command, *printed = block_after("relu check", "console").splitlines()
    assert command == "$ minnet exercise check relu"
    assert capsys.readouterr().out.splitlines() == printed
    stub.write_text(attempt.replace("x >= 0", "x > 0"))
    assert main(["exercise", "check", "relu"]) == 0
    assert capsys.readouterr().out.startswith("relu: passed every stage")


def test_readme_practice_example_runs_as_printed(capsys):
    from minnet.cli import main

    command, header, *printed = block_after("practice run", "console").splitlines()
    assert command == "$ minnet practice run relu-kink --quick"
    assert main(["practice", "run", "relu-kink", "--quick"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(header + "  (")  # the header ends with the run's time
    assert out[1:] == printed
