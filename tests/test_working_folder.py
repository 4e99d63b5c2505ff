"""The learner's state files: round trip, a default when absent, atomic saves."""

import os

import pytest

from minnet.working_folder import load_state, save_state, state_path


def test_state_round_trips_and_defaults_when_absent(tmp_path):
    assert load_state("progress", lambda: {"empty": True}, tmp_path) == {"empty": True}
    save_state("progress", {"exercises": {"relu": {"passed": True}}}, tmp_path)
    assert load_state("progress", dict, tmp_path) == {"exercises": {"relu": {"passed": True}}}
    assert os.path.isfile(tmp_path / ".minnet" / "progress.json")
    assert state_path("practice", "") == os.path.join(".minnet", "practice.json")


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    save_state("practice", {"cards": {}}, tmp_path)
    with pytest.raises(TypeError):
        save_state("practice", {"cards": object()}, tmp_path)  # not JSON: fails mid-write
    assert load_state("practice", dict, tmp_path) == {"cards": {}}
    assert sorted(os.listdir(tmp_path / ".minnet")) == ["practice.json"]
