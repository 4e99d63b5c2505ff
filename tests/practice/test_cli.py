"""``minnet practice``: list, show, run (exit codes, figure) and quiz with piped answers."""

import json
import os
import pathlib
import subprocess
import sys
import types

import pytest

from minnet.cli import main
from minnet.practice import leitner
from minnet.practice.claim import Claim
from tests.practice.conftest import CARDS

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIRST = next(iter(CARDS))


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_list_json_has_one_object_per_card(capsys):
    assert main(["practice", "list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["id"] for row in rows] == list(CARDS)
    for row in rows:
        assert {"id", "sources", "topic", "question"} <= set(row)
        assert row["sources"] == list(CARDS[row["id"]].SOURCES)


@pytest.mark.parametrize("source,expected", [
    ("003", {c for c in CARDS if any(s.startswith("003:") for s in CARDS[c].SOURCES)}),
    ("003:4", set()),  # a prefix of digits is not a label: 003:4 is not 003:41
    ("000:P1", {c for c in CARDS if "000:P1" in CARDS[c].SOURCES}),
])
def test_list_filters_by_source(capsys, source, expected):
    assert main(["practice", "list", "--source", source, "--json"]) == 0
    found = {json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()}
    assert found == expected


def test_list_source_letter_suffix_matches_sub_questions(capsys):
    card = CARDS[FIRST]
    label = card.SOURCES[0]
    assert main(["practice", "list", "--source", label, "--topic", card.TOPIC, "--json"]) == 0
    assert FIRST in capsys.readouterr().out
    assert main(["practice", "list", "--topic", "no-such-topic"]) == 0
    assert "No card matches" in capsys.readouterr().out


def test_show_hides_the_answer_until_asked(capsys):
    card = CARDS[FIRST]
    assert main(["practice", "show", FIRST]) == 0
    out = capsys.readouterr().out
    assert card.PREDICT.question.split()[0] in out and "Answer:" not in out
    assert main(["practice", "show", FIRST, "--answer"]) == 0
    out = capsys.readouterr().out
    assert "Answer:" in out and card.CLAIMS[0].name in out


def test_unknown_card_is_a_usage_error(capsys):
    assert main(["practice", "show", FIRST + "x"]) == 2
    assert "did you mean" in capsys.readouterr().err


def test_run_prints_claims_and_writes_the_figure(workdir, capsys):
    assert main(["practice", "run", FIRST, "--quick", "--seed", "1", "--plot", "f.png"]) == 0
    out = capsys.readouterr().out
    for claim in CARDS[FIRST].CLAIMS:
        assert f"{claim.name}: " in out
    assert "PASS" in out and "FAIL" not in out and "fails, as it must" in out
    assert (workdir / "f.png").read_bytes()[:4] == b"\x89PNG"


def _fake_card(measured, twin):
    card = types.ModuleType("minnet.practice.cards.fake")
    card.ID, card.CLAIMS = "fake", (Claim("big", "x is above 1", "x", ">", 1.0, "x_twin"),)
    card.experiment = lambda seed, quick: {"x": measured, "x_twin": twin}
    return card


@pytest.mark.parametrize("measured,twin,status", [(2.0, 0.5, 0), (0.5, 0.1, 1), (2.0, 3.0, 1)])
def test_run_exits_non_zero_when_a_claim_fails_or_a_twin_holds(monkeypatch, capsys, measured,
                                                               twin, status):
    monkeypatch.setattr("minnet.practice.cli.load_cards",
                        lambda: {"fake": _fake_card(measured, twin)})
    assert main(["practice", "run", "fake"]) == status
    out = capsys.readouterr().out
    assert ("FAIL" in out or "HOLDS" in out) == bool(status)


def _quiz(folder, answers, n=1):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "minnet", "practice", "quiz", "-n", str(n)],
                          input=answers, capture_output=True, text=True, cwd=folder, env=env,
                          timeout=120)


def test_quiz_with_piped_answers_moves_cards_between_boxes(tmp_path):
    first, second = list(CARDS)[:2]
    letter = CARDS[first].PREDICT.letter
    done = _quiz(tmp_path, f"my answer\n{letter}\nmaybe\ny\n")
    assert done.returncode == 0, done.stderr
    assert f"[{first}]" in done.stdout and "Model answer" in done.stdout
    assert "(you said the same)" in done.stdout and "The quick run" in done.stdout
    assert "Please type y or n" in done.stdout
    assert leitner.box(leitner.load(tmp_path), first) == 2
    # The first card moved up a box, so the next quiz asks the second; "n" keeps it in box 1.
    wrong = "a" if CARDS[second].PREDICT.letter != "a" else "b"
    done = _quiz(tmp_path, f"\n{wrong}\nn\n")
    assert f"[{second}]" in done.stdout and f"(you said {wrong})" in done.stdout
    state = leitner.load(tmp_path)
    assert (leitner.box(state, first), leitner.box(state, second)) == (2, 1)
    assert state["asked"] == 2


def test_quiz_stops_cleanly_at_end_of_input(tmp_path):
    done = _quiz(tmp_path, "")
    assert done.returncode == 0, done.stderr
    assert "End of input" in done.stdout and "0 card(s) graded" in done.stdout
    assert leitner.load(tmp_path) == {"cards": {}, "asked": 0}


def test_leitner_asks_low_boxes_and_old_cards_first():
    state = {"cards": {}, "asked": 0}
    ids = ["a", "b", "c"]
    assert leitner.due(state, ids, 2) == ["a", "b"]
    leitner.grade(state, "a", right=True)
    assert leitner.due(state, ids, 3) == ["b", "c", "a"]
    leitner.grade(state, "b", right=False)  # box 1, but asked recently: after c
    assert leitner.due(state, ids, 3) == ["c", "b", "a"]
    for _ in range(10):
        leitner.grade(state, "a", right=True)
    assert leitner.box(state, "a") == leitner.BOXES
