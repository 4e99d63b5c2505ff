"""save_report: a ranked Markdown report with evidence, explanations, fixes and PNG figures."""

import sys

import numpy as np
import pytest
from doctor_helpers import report_records

from minnet.diagnostics.catalog import CATALOG
from minnet.diagnostics.report.figures import FIGURES
from minnet.diagnostics.report.finding import Report, make_finding
from minnet.diagnostics.report.markdown import report_markdown, save_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def sample_report():
    findings = [
        make_finding("dead-relu", "1 (ReLU)", {"dead_fraction": 0.7, "threshold": 0.5},
                     summary="70% of the units of layer 1 are dead.", step=12),
        make_finding("constant-feature", "X", {"feature": 3}),
        make_finding("grads-not-zeroed", "training", {"steps": 5, "note": "a|b"}, step=2),
    ]
    return Report(findings, report_records())


def test_report_md_is_ranked_with_evidence_explanation_and_fix(tmp_path):
    path = save_report(sample_report(), tmp_path)
    assert path == str(tmp_path / "report.md")
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "**1 error**, **1 warning**, **1 hint**" in text
    order = [text.index(f"### {i}. `{code}`") for i, code in
             enumerate(["grads-not-zeroed", "dead-relu", "constant-feature"], 1)]
    assert order == sorted(order)
    dead = text[order[1]:order[2]]
    assert f"`dead-relu`: {CATALOG['dead-relu'].title}" in dead
    assert "- **Severity:** warning" in dead and "- **Where:** `1 (ReLU)`" in dead
    assert "- **Step:** 12" in dead
    assert "| dead_fraction | 0.7 |" in dead and "| threshold | 0.5 |" in dead
    assert "70% of the units of layer 1 are dead. " + CATALOG["dead-relu"].explanation in dead
    assert f"**Fix.** {CATALOG['dead-relu'].fix}" in dead
    assert CATALOG["dead-relu"].source in dead
    assert "| note | a\\|b |" in text  # a pipe cannot break the table


def test_figures_are_written_next_to_the_report_and_linked(tmp_path):
    save_report(sample_report(), tmp_path / "nested" / "out")
    directory = tmp_path / "nested" / "out"
    text = (directory / "report.md").read_text(encoding="utf-8")
    expected = ["loss.png", "activations.png", "grad_norm.png", "update_ratio.png",
                "weight_std.png"]
    for name in expected:
        assert (directory / name).read_bytes()[:8] == PNG_MAGIC
        assert f"]({name})" in text
    # No sanity records in this report: no empty figures for them.
    assert not (directory / "lr_range.png").exists() and "lr_range.png" not in text


def test_every_figure_kind_is_written_when_recorded(tmp_path):
    report = sample_report()
    report.records["lr_range"] = {"lr": [1e-4, 1e-3, 1e-2], "loss": [2.3, 2.0, 3.0]}
    report.records["overfit"] = {"step": [0, 1, 2], "loss": [2.3, 1.0, 0.1],
                                 "accuracy": [0.1, 0.5, 1.0]}
    save_report(report, tmp_path)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(n for n, *_ in FIGURES)


def test_healthy_report_without_records(tmp_path):
    save_report(Report(), tmp_path)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "No findings: the setup looks healthy." in text
    assert "No figures" in text and "## Findings" not in text
    assert list(tmp_path.glob("*.png")) == []


def test_saving_leaves_pyplot_alone(tmp_path):
    import matplotlib

    backend = matplotlib.get_backend()
    pyplot_loaded = "matplotlib.pyplot" in sys.modules
    save_report(sample_report(), tmp_path)
    assert matplotlib.get_backend() == backend
    if pyplot_loaded:
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []
    else:
        assert "matplotlib.pyplot" not in sys.modules


def test_markdown_of_unknown_code_and_numpy_evidence():
    from minnet.diagnostics.report.finding import Finding

    finding = Finding("custom-check", "info", "model", {"ratio": np.float32(0.123456),
                                                        "values": np.arange(3)},
                      "Why.", "Fix it.")
    text = report_markdown(Report([finding]))
    assert "### 1. `custom-check`" in text and "| ratio | 0.123 |" in text
    assert "| values | [0 1 2] |" in text and "*Source:*" not in text


@pytest.mark.parametrize("bad", [{"loss": {"step": [0, 1], "train": [float("nan")] * 2}},
                                 {"grad_norm": {"0 (Linear)": {"step": [0], "value": [0.0]}}}])
def test_degenerate_records_still_give_a_figure(tmp_path, bad):
    save_report(Report([], bad), tmp_path)
    assert len(list(tmp_path.glob("*.png"))) == 1
