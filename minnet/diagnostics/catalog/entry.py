"""CatalogEntry: what the catalog says about one finding code."""

from dataclasses import dataclass

# error: certainly wrong; warning: very likely wrong (never raised on a healthy
# setup); info: a hint. Reports rank findings in this order.
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class CatalogEntry:
    """One finding code, documented: every field is written once, as a keyword.

    code : stable kebab-case name, never renamed once released
    severity : the default, one of SEVERITIES; a rule may raise or lower it with evidence
    kind : "lint", "data", "sanity" or "monitor" (the check that raises it)
    title : a few words, for tables and headings
    signal : what the doctor measures
    threshold : the value at which the rule fires (or "Structural: ...")
    explanation : what is happening inside the network, for a student
    fix : a concrete change, in code
    source : where the rule comes from (a paper, a course, a book)
    """

    code: str
    severity: str
    kind: str
    title: str
    signal: str
    threshold: str
    explanation: str
    fix: str
    source: str
