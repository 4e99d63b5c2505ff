"""The README's "Runs that are remembered": its code and its commands run as printed.

The printed output is compared with what the commands print now, except what
changes from one run to the next: start times, durations and the folder.
"""

import re

from minnet.cli import main
from tests.test_readme import block_after

_VOLATILE = [
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"), "TIME"),  # started
    (re.compile(r"\b\d[\d.e+-]* s\b|\b\d+m\d\ds\b|\b\d+h\d\dm\b"), "SECONDS"),  # durations
]


def _normalized(lines):
    """Each line's words, with times and durations replaced (their widths vary too)."""
    normalized = []
    for line in lines:
        for pattern, placeholder in _VOLATILE:
            line = pattern.sub(placeholder, line)
        normalized.append(line.split())
    return normalized


def _commands(console):
    """``[(argv, printed lines)]`` of a console block of ``$ minnet ...`` commands."""
    commands = []
    for line in console.splitlines():
        if line.startswith("$ "):
            command = line[2:].split()
            assert command[0] == "minnet", line
            commands.append((command[1:], []))
        else:
            commands[-1][1].append(line)
    return commands


def test_readme_runs_section_runs_as_printed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MINNET_RUNS", raising=False)
    exec(compile(block_after("runs train", "python"), "README.md", "exec"), {"__name__": "readme"})
    commands = _commands(block_after("runs commands", "console"))
    assert [argv[:2] for argv, _ in commands] == [["runs", "list"], ["runs", "compare"],
                                                 ["runs", "plot"]]
    capsys.readouterr()
    for argv, printed in commands:
        assert main(argv) == 0, argv
        out = capsys.readouterr().out.replace(str(tmp_path), "~/project")
        assert _normalized(out.splitlines()) == _normalized(printed), argv
    assert (tmp_path / "minnet-runs-loss.png").stat().st_size > 0


def test_the_normalization_keeps_what_matters():
    assert _normalized(["1  lr-0.01  finished  2026-12-03 07:16:06   1.4 s  0.4133"]) == [
        ["1", "lr-0.01", "finished", "TIME", "SECONDS", "0.4133"]]
    assert _normalized(["loss  0.9766"]) != _normalized(["loss  0.9767"])
