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
