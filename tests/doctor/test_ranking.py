"""A report ranked by cause: the cause graph, folding, one finding per code, root cause first."""


from minnet.diagnostics.catalog import CATALOG
from minnet.diagnostics.catalog import causes as causes_module
from minnet.diagnostics.catalog.causes import EXPLAINS
from minnet.diagnostics.report.finding import Report, make_finding
from minnet.diagnostics.report.markdown import report_markdown
from minnet.diagnostics.report.merging import MAX_SUMMARIES

# --- the cause graph -------------------------------------------------------------------


def test_every_code_of_the_graph_is_a_catalog_code_and_every_catalog_code_is_decided():
    assert set(EXPLAINS) == set(CATALOG)
    for cause, symptoms in EXPLAINS.items():
        assert set(symptoms) <= set(CATALOG), cause
        assert cause not in symptoms, cause
        for symptom, reason in symptoms.items():
            assert isinstance(reason, str) and len(reason) > 10, (cause, symptom)


def _cycle(graph):
    """A cycle of ``graph`` ({node: successors}) as a list of nodes, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for successor in graph.get(node, ()):
            if state.get(successor) == "open":
                return path + [node, successor]
            if successor not in state:
                found = visit(successor, path + [node])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in graph:
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def test_the_cause_graph_has_no_cycle():
    assert _cycle(EXPLAINS) is None


def test_the_cycle_check_can_fail():
    assert _cycle({"a": {"b": ""}, "b": {"c": ""}, "c": {"a": ""}}) is not None


def test_hints_explain_nothing_in_the_graph_that_could_fold_a_problem():
    """A code whose default severity is info may have edges, but the ranking ignores them
    unless a rule raised it; the graph keeps the pure hints empty."""
    for code in ("constant-feature", "no-lr-schedule"):
        assert EXPLAINS[code] == {}


# --- ranking and folding ---------------------------------------------------------------


def finding(code, where="x", severity=None, step=None, **evidence):
    return make_finding(code, where, evidence or {"value": 1.0}, severity=severity, step=step)


def test_a_cause_ranks_before_its_symptom_even_when_the_symptom_is_an_error():
    report = Report([finding("non-finite", "2 (Log)", step=30),
                     finding("lr-too-high", "optimizer", step=5)])
    assert [f.code for f in report.findings] == ["lr-too-high", "non-finite"]
    cause, symptom = report.findings
    assert symptom.explained_by == "lr-too-high" and cause.explains == [symptom]
    assert [f.code for f in report.root_causes()] == ["lr-too-high"]


def test_without_a_cause_errors_still_come_first():
    report = Report([finding("class-imbalance", "y"), finding("non-finite", "2 (Log)")])
    assert [f.code for f in report.findings] == ["non-finite", "class-imbalance"]
    assert all(f.explained_by is None for f in report.findings)
    assert [f.code for f in report.root_causes()] == ["non-finite", "class-imbalance"]


def test_folded_findings_stay_visible_to_existing_callers():
    report = Report([finding("dead-relu", "1 (ReLU)", step=12),
                     finding("lr-too-high", "optimizer"),
                     finding("constant-feature", "X")])
    assert report.codes == {"dead-relu", "lr-too-high", "constant-feature"}
    assert [f.code for f in report.problems()] == ["lr-too-high", "dead-relu"]
    assert [f.code for f in report.problems("info")] == ["lr-too-high", "dead-relu",
                                                         "constant-feature"]
    assert len(report.by_code("dead-relu")) == 1 and not report.healthy


def test_a_hint_explains_nothing():
    """A cause folds symptoms only as a warning or an error."""
    report = Report([finding("loss-plateau", "training"),
                     finding("lr-too-low", "optimizer", severity="info")])
    plateau = report.by_code("loss-plateau")[0]
    assert plateau.explained_by is None
    assert [f.code for f in report.findings] == ["loss-plateau", "lr-too-low"]


def test_a_symptom_hangs_under_its_nearest_cause():
    """inputs-not-scaled -> lr-too-high -> dead-relu: dead-relu is explained by lr-too-high."""
    report = Report([finding("dead-relu", "1 (ReLU)"), finding("lr-too-high", "optimizer"),
                     finding("inputs-not-scaled", "X")])
    assert [f.code for f in report.findings] == ["inputs-not-scaled", "lr-too-high",
                                                 "dead-relu"]
    by_code = {f.code: f for f in report.findings}
    assert by_code["lr-too-high"].explained_by == "inputs-not-scaled"
    assert by_code["dead-relu"].explained_by == "lr-too-high"
    assert [f.code for f in report.root_causes()] == ["inputs-not-scaled"]


def test_two_unrelated_causes_keep_severity_then_discovery_order():
    report = Report([finding("class-imbalance", "y"), finding("dead-relu", "1 (ReLU)"),
                     finding("gradcheck-failed", "0.weight"), finding("loss-plateau", "training")])
    codes = [f.code for f in report.findings]
    # gradcheck-failed (error) explains dead-relu and the plateau; class-imbalance stays a root
    assert codes[0] == "gradcheck-failed" and codes[-1] == "class-imbalance"
    assert [f.code for f in report.root_causes()] == ["gradcheck-failed", "class-imbalance"]


def test_a_cycle_in_the_graph_still_gives_a_deterministic_order(monkeypatch):
    cyclic = {**EXPLAINS, "loss-plateau": {"lr-too-low": "test"},
              "lr-too-low": {"loss-plateau": "test"}}
    monkeypatch.setattr(causes_module, "EXPLAINS", cyclic)
    found = [finding("loss-plateau", "training"), finding("lr-too-low", "optimizer")]
    first = [(f.code, f.explained_by) for f in Report(list(found)).findings]
    assert first == [(f.code, f.explained_by) for f in Report(list(found)).findings]
    assert len(first) == 2 and any(cause is None for _, cause in first)


# --- one finding per code ------------------------------------------------------------


def skew(where, ratio):
    return make_finding("weight-scale-skew", where, {"ratio": ratio, "band": "[0.5, 2]"},
                        summary=f"{where} is {ratio}x off.")


def test_per_layer_findings_merge_into_one_that_lists_the_layers():
    report = Report([skew("0.weight", 10.0), skew("2.weight", 9.5), skew("4.weight", 9.8)])
    assert len(report.findings) == 1
    merged = report.findings[0]
    assert merged.where == "0.weight, 2.weight, 4.weight"
    assert merged.evidence["ratio"] == {"0.weight": 10.0, "2.weight": 9.5, "4.weight": 9.8}
    assert merged.evidence["band"] == "[0.5, 2]" and merged.evidence["places"] == 3
    assert [part.where for part in merged.parts] == ["0.weight", "2.weight", "4.weight"]
    assert merged.explanation.startswith("0.weight is 10.0x off. 2.weight is 9.5x off.")
    assert merged.explanation.endswith(CATALOG["weight-scale-skew"].explanation)
    assert "2.weight: 9.5" in str(merged)


def test_a_merged_explanation_keeps_a_few_sentences_and_points_to_the_evidence():
    report = Report([skew(f"{i}.weight", float(i)) for i in range(MAX_SUMMARIES + 3)])
    assert "(And 3 more places: see the evidence.)" in report.findings[0].explanation


def test_merging_keeps_the_earliest_step_and_separates_severities():
    report = Report([finding("dead-relu", "1 (ReLU)", step=40),
                     finding("dead-relu", "3 (ReLU)", step=10),
                     finding("dead-relu", "5 (ReLU)", severity="info", step=5)])
    assert [(f.where, f.severity, f.step) for f in report.findings] == [
        ("1 (ReLU), 3 (ReLU)", "warning", 10), ("5 (ReLU)", "info", 5)]


def test_adding_again_or_rebuilding_a_report_changes_nothing():
    found = [skew("0.weight", 10.0), skew("2.weight", 9.5), finding("initial-loss-off", "loss")]
    report = Report(list(found))
    before = [(f.code, f.where, f.explained_by) for f in report.findings]
    report.add(found)
    report.add(report.findings)
    assert [(f.code, f.where, f.explained_by) for f in report.findings] == before
    rebuilt = Report(list(report.findings))
    assert [(f.code, f.where, f.explained_by) for f in rebuilt.findings] == before
    assert rebuilt.findings[0].parts == report.findings[0].parts


def test_the_checks_own_findings_are_left_untouched():
    found = [finding("non-finite", "2 (Log)"), finding("lr-too-high", "optimizer")]
    Report(found)
    assert all(f.explained_by is None and f.explains == [] for f in found)


# --- the printed and the Markdown report ----------------------------------------------


def test_str_prints_symptoms_indented_under_their_cause():
    report = Report([finding("non-finite", "2 (Log)", step=30),
                     finding("update-ratio-high", "0.weight", step=3),
                     finding("lr-too-high", "optimizer", step=3)])
    text = str(report)
    assert text.index("[WARNING] lr-too-high") < text.index("explains:")
    assert ("      - [WARNING] update-ratio-high at 0.weight (step 3): the update is the rate"
            in text)
    assert ("      - [ERROR] non-finite at 2 (Log) (step 30): through update-ratio-high: "
            in text)
    assert text.count("fix:") == 1  # a symptom's fix is its cause's


def test_markdown_names_the_root_causes_and_marks_the_folded_findings():
    report = Report([finding("dead-relu", "1 (ReLU)"), finding("lr-too-high", "optimizer"),
                     finding("class-imbalance", "y")])
    text = report_markdown(report)
    assert "**Root causes, in the order to fix them:** `lr-too-high`, `class-imbalance`." in text
    assert "| 2 | warning | ↳ `dead-relu` | 1 (ReLU) |  | `lr-too-high` |" in text
    assert "### 2. `dead-relu`: " in text and "(explained by `lr-too-high`)" in text
    assert f"- `dead-relu` (#2): {EXPLAINS['lr-too-high']['dead-relu']}" in text


def test_a_repeat_of_code_and_place_keeps_the_more_severe_finding():
    """The range test's hint (lr-too-high, info, at the optimizer) came first in
    sgd-lr-x100-mnist1d and hid the monitor's warning of the same code and place."""
    hint = make_finding("lr-too-high", "optimizer", {"times_suggested": 460.0}, severity="info")
    warning = make_finding("lr-too-high", "optimizer", {"smoothed_loss": 1e9}, step=3)
    report = Report().add(hint).add(warning)
    assert [(f.code, f.severity) for f in report.findings] == [("lr-too-high", "warning")]
    report.add(hint)  # a milder repeat changes nothing
    assert [f.severity for f in report.findings] == ["warning"]
