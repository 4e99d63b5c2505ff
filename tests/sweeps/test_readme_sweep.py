"""The README's "Sweeps" command runs as printed and prints the summary shown there."""

import pathlib
import re
import shlex
import shutil

from minnet.cli import main
from minnet.runs import RunStore

ROOT = pathlib.Path(__file__).resolve().parents[2]


def block_after(marker, language):
    """The fenced ``language`` block that follows ``<!-- readme: marker -->`` in README.md."""
    text = (ROOT / "README.md").read_text().split(f"<!-- readme: {marker} -->", 1)[1]
    return re.match(rf"\s*```{language}\n(.*?)```", text, flags=re.S).group(1)


def test_the_readme_sweep_runs_as_printed_on_a_local_dask_cluster(tmp_path, monkeypatch,
                                                                  capsys):
    (command,) = block_after("sweep", "bash").strip().splitlines()
    program, *argv = shlex.split(command)
    assert program == "minnet" and argv[:2] == ["sweep", "examples/sweep_lr.py"]
    assert argv[argv.index("--scheduler") + 1] == "local"
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "sweep_lr.py", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MINNET_RUNS", raising=False)
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "15 trials (3 settings x 5 seeds) on Dask at local" in out
    summary = block_after("sweep summary", "console")
    assert summary in out  # same seeds, same numbers
    assert (tmp_path / "sweep.png").stat().st_size > 1000
    with RunStore(tmp_path / "minnet-runs.sqlite") as store:
        runs = store.list_runs()
        assert len(runs) == 15 and {run.status for run in runs} == {"finished"}
        trials = {(store.params(run.id)["lr"], store.params(run.id)["seed"]) for run in runs}
        assert trials == {(lr, seed) for lr in (0.001, 0.01, 0.1) for seed in range(5)}
        assert all(set(store.final_metrics(run.id)) >= {"val_loss", "val_accuracy"}
                   for run in runs)
