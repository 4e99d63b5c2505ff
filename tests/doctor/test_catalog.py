"""The doctor's catalog: every code fully documented, and docs/doctor-catalog.md up to date."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from minnet.diagnostics.catalog import BEFORE_TRAINING, CATALOG, SEVERITIES, TRAINING
from minnet.diagnostics.catalog.doc import catalog_markdown
from minnet.diagnostics.report.finding import make_finding

DOC = Path(__file__).resolve().parents[2] / "docs" / "doctor-catalog.md"
CODES = [entry.code for entry in BEFORE_TRAINING + TRAINING]
FIELDS = ("signal", "threshold", "explanation", "fix", "source")


def sentences(text):
    # A sentence ends with ". " or at the end; "e.g." and decimals do not end one.
    text = text.replace("e.g.", "eg").replace("i.e.", "ie")
    return [part for part in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip()) if part]


def test_every_code_has_exactly_one_record():
    assert len(CODES) == len(set(CODES))
    assert list(CATALOG) == CODES
    assert {entry.kind for entry in BEFORE_TRAINING} == {"lint", "data", "sanity"}
    assert {entry.kind for entry in TRAINING} == {"monitor"}


@pytest.mark.parametrize("code", CODES)
def test_every_code_has_full_text(code):
    entry = CATALOG[code]
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code)
    assert entry.severity in SEVERITIES
    assert entry.kind in ("lint", "data", "sanity", "monitor")
    for field in FIELDS:
        text = getattr(entry, field)
        assert isinstance(text, str) and len(text) >= 20, (code, field, text)
        assert "TBD" not in text and "TODO" not in text, (code, field)
    assert 2 <= len(sentences(entry.explanation)) <= 4, (code, entry.explanation)
    # A threshold is a number the rule uses, or says the rule is structural.
    assert re.search(r"\d", entry.threshold) or entry.threshold.startswith("Structural")
    # A fix is code-level: it names a call, an argument or an expression.
    assert re.search(r"[A-Za-z_]\w*\(|=", entry.fix), (code, entry.fix)


def test_sentence_counter_counts():
    assert len(sentences("One thing. Two things, e.g. three. Four at 0.5 x ln C.")) == 3


def test_make_finding_uses_the_written_text():
    finding = make_finding("grads-not-zeroed", "training", {"steps": 3}, summary="Seen 3 times.")
    assert finding.explanation.startswith("Seen 3 times. backward() adds to .grad")
    assert "optimizer.zero_grad()" in finding.fix


def test_markdown_has_one_section_per_code():
    text = catalog_markdown()
    for code in CODES:
        assert text.count(f"### `{code}`") == 1
        assert f"[`{code}`](#{code})" in text
    assert "TBD" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_markdown_follows_the_catalog():
    entry = CATALOG["dead-relu"]
    changed = dict(CATALOG)
    changed["dead-relu"] = type(entry)(**{**entry.__dict__, "threshold": "More than 77% dead."})
    text = catalog_markdown(changed)
    assert "More than 77% dead." in text and text != catalog_markdown()


def test_committed_doc_is_up_to_date():
    assert DOC.exists(), "run: python -m minnet.diagnostics.catalog.doc > docs/doctor-catalog.md"
    assert DOC.read_text(encoding="utf-8") == catalog_markdown(), (
        "docs/doctor-catalog.md is stale; regenerate it with "
        "python -m minnet.diagnostics.catalog.doc > docs/doctor-catalog.md")


def test_module_main_prints_the_doc():
    result = subprocess.run([sys.executable, "-m", "minnet.diagnostics.catalog.doc"],
                            capture_output=True, text=True, check=True)
    assert result.stdout == catalog_markdown()
