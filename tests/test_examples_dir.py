"""examples/doctor_experiment.py: the doctor finds its bug, and the fix makes it healthy."""

import pathlib

import pytest

from minnet.cli import main

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "doctor_experiment.py"
MISSING_LINE = "            # optimizer.zero_grad()   # <- the missing line"


@pytest.mark.slow
def test_the_doctor_finds_the_missing_zero_grad(tmp_path, capsys):
    assert main(["doctor", str(EXAMPLE), "--out", str(tmp_path / "broken")]) == 1
    assert "[ERROR] grads-not-zeroed" in capsys.readouterr().out


@pytest.mark.slow
def test_the_fixed_experiment_is_healthy(tmp_path, capsys):
    source = EXAMPLE.read_text()
    assert MISSING_LINE in source
    fixed = tmp_path / "fixed.py"
    fixed.write_text(source.replace(MISSING_LINE, "            optimizer.zero_grad()"))
    assert main(["doctor", str(fixed), "--out", str(tmp_path / "fixed")]) == 0
    assert "no findings" in capsys.readouterr().out
