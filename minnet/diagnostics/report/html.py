"""Save a doctor Report as one self-contained web page: ``save_html(report, path)``.

The page needs nothing but itself: the CSS is inline and every figure is a
base64 PNG ``data:`` URI, drawn by the same code as the Markdown report's
figures (``figures.render``). It shows a summary line, then the findings
ranked as the Markdown report ranks them: each root cause with the symptoms it
explains nested under it, each finding with its severity (a coloured badge
that also says the word), code, catalog title, where, step, explanation and
fix in view, and its evidence and per-layer parts in collapsed
``<details>``. The layout reflows down to a phone's 375 px: no fixed widths,
long names wrap, images shrink to fit. Every text passes ``html.escape``:
a layer name or an evidence value may hold ``<`` or ``&``.
"""

import base64
import html
import io
import os
import tempfile

from minnet.diagnostics.catalog import CATALOG
from minnet.diagnostics.catalog.causes import why
from minnet.diagnostics.report.figures import recorded_figures, render
from minnet.diagnostics.report.ranking import (
    SEVERITY_WORDS,
    descendants,
    severity_counts,
    value_text,
)

CATALOG_DOC = "docs/doctor-catalog.md"

# Severity is told by the badge's word as well as its colour (not everyone sees the colour).
CSS = """
:root { --error: #b00020; --warning: #8a4b00; --info: #1f5fa8; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f6f6; color: #1b1b1b;
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.3rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 0 0 .25rem; }
p, li, td, th, summary, h3 { overflow-wrap: anywhere; }
p { margin: .4rem 0; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .92em;
       background: #ececec; padding: 0 .25em; border-radius: 3px; }
.summary { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .75rem 1rem; }
.finding { background: #fff; border: 1px solid #ddd; border-left: 6px solid var(--colour);
           border-radius: 6px; padding: .75rem 1rem; margin: .75rem 0; }
.finding .finding { background: #fcfcfc; }
.severity-error { --colour: var(--error); }
.severity-warning { --colour: var(--warning); }
.severity-info { --colour: var(--info); }
.badge { display: inline-block; background: var(--colour); color: #fff; border-radius: 3px;
         font-size: .72rem; font-weight: 700; letter-spacing: .06em; padding: .1em .5em;
         vertical-align: .12em; }
.meta, .source { color: #555; font-size: .9rem; }
.explains { margin: .5rem 0 0 .25rem; padding-left: .75rem; border-left: 2px dashed #bbb; }
details { margin: .4rem 0; }
summary { cursor: pointer; color: #333; }
table { border-collapse: collapse; width: 100%; margin-top: .25rem; }
th, td { text-align: left; vertical-align: top; padding: .25rem .5rem;
         border-bottom: 1px solid #eee; }
th { width: 40%; font-weight: 600; }
figure { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .5rem;
         margin: .75rem 0; }
img { display: block; max-width: 100%; height: auto; }
figcaption { color: #555; font-size: .9rem; margin-top: .25rem; }
@media (max-width: 600px) {
  main { padding: .5rem; }
  .finding { padding: .5rem .6rem; }
  .explains { margin-left: 0; padding-left: .5rem; }
}
"""


def _e(value):
    """``value`` as HTML text: ``<``, ``>``, ``&`` and quotes escaped."""
    return html.escape(str(value))


def _summary(findings):
    if not findings:
        return '<p class="summary">No findings: the setup looks healthy.</p>'
    text = (f"<strong>{_e(', '.join(severity_counts(findings)))}</strong>, ranked by cause: "
            "each root cause comes first, the findings it explains nested under it.")
    roots = [f for f in findings if f.explained_by is None and f.severity != "info"]
    if roots:
        text += ("<br><strong>Root causes, in the order to fix them:</strong> "
                 + ", ".join(f"<code>{_e(f.code)}</code>" for f in roots) + ".")
    return f'<p class="summary">{text}</p>'


def _evidence(evidence):
    rows = "".join(f'<tr><th scope="row">{_e(name)}</th><td>{_e(value_text(value))}</td></tr>'
                   for name, value in evidence.items())
    return (f"<details><summary>Evidence ({len(evidence)} "
            f"value{'s' if len(evidence) != 1 else ''})</summary><table>{rows}</table></details>")


def _parts(parts):
    """The per-layer findings one merged finding was made of, one line each."""
    items = "".join(
        f"<li><code>{_e(part.where)}</code>"
        + ("" if part.step is None else f" (step {_e(part.step)})")
        + f": {_e(part.evidence_text())}</li>" for part in parts)
    return f"<details><summary>In {len(parts)} places</summary><ul>{items}</ul></details>"


def _finding(finding, numbers, cause=None):
    """One finding as an ``<article>``; a root cause's holds the findings it explains.

    ``numbers`` maps id(finding) to its place in the ranking (the anchor ``finding-N``);
    ``cause`` is the finding that explains this one (None for a root cause). The
    symptoms of a root cause are listed flat under it, depth first, each naming the
    finding that explains it: a chain of five stays readable at a phone's width.
    """
    number = numbers[id(finding)]
    entry = CATALOG.get(finding.code)
    title = f": {_e(entry.title)}" if entry is not None else ""
    where = f"at <code>{_e(finding.where)}</code>"
    step = "" if finding.step is None else f" · step {_e(finding.step)} (first seen)"
    lines = [f'<article class="finding severity-{_e(finding.severity)}" id="finding-{number}">',
             f'<h3><span class="badge">{_e(SEVERITY_WORDS[finding.severity].upper())}</span> '
             f"{number}. <code>{_e(finding.code)}</code>{title}</h3>",
             f'<p class="meta">{where}{step}</p>']
    if cause is not None:
        link = f'<a href="#finding-{numbers[id(cause)]}"><code>{_e(cause.code)}</code></a>'
        lines.append(f"<p>Explained by {link}: {_e(why(cause.code, finding.code))}</p>")
    lines += [f"<p><strong>What is happening.</strong> {_e(finding.explanation)}</p>",
              f"<p><strong>Fix.</strong> {_e(finding.fix)}</p>"]
    if finding.evidence:
        lines.append(_evidence(finding.evidence))
    if finding.parts:
        lines.append(_parts(finding.parts))
    if entry is not None:
        lines.append(f'<p class="source">Source: {_e(entry.source)}. Catalog: '
                     f"<code>{_e(finding.code)}</code> in {CATALOG_DOC}.</p>")
    symptoms = [] if cause is not None else list(descendants(finding))
    if symptoms:
        lines.append('<div class="explains"><p>Explains (fix this first; these may then '
                     "go away):</p>")
        lines += [_finding(symptom, numbers, parent) for parent, symptom in symptoms]
        lines.append("</div>")
    lines.append("</article>")
    return "\n".join(lines)


def _figure(figure):
    buffer = io.BytesIO()
    render(figure.display, buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f"<figure><h3>{_e(figure.heading)}</h3>"
            f'<img src="data:image/png;base64,{data}" alt="{_e(figure.heading)}">'
            f"<figcaption>{_e(figure.caption)}.</figcaption></figure>")


def report_html(report):
    """The whole page of ``report`` as a string (figures drawn and embedded)."""
    findings = list(report.findings)
    numbers = {id(f): i for i, f in enumerate(findings, 1)}
    roots = [f for f in findings if f.explained_by is None]
    figures = [_figure(figure) for figure in recorded_figures(report)]
    body = ["<h1>minnet doctor report</h1>", _summary(findings)]
    if findings:
        body += ["<h2>Findings</h2>"] + [_finding(root, numbers) for root in roots]
    body.append("<h2>Figures</h2>")
    body += figures or ["<p>No figures: the report holds no recorded statistics.</p>"]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>minnet doctor report</title>", f"<style>{CSS}</style>", "</head>",
        "<body><main>", *body, "</main></body>", "</html>", ""])


def save_html(report, path):
    """Write ``report`` as one HTML file at ``path``; return the path written.

    ``.html`` is added when ``path`` has no suffix; its folder is created. The
    page is written to a temporary file beside it, then renamed over ``path``:
    a reader (a browser reloading) never sees half a page.
    """
    path = os.fspath(path)
    if not os.path.splitext(path)[1]:
        path += ".html"
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    text = report_html(report)  # drawn before the temporary file exists: a failure leaves none
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=directory, suffix=".tmp",
                                     delete=False) as handle:
        try:
            handle.write(text)
        except BaseException:  # a full disk: leave no temporary file behind
            handle.close()
            os.remove(handle.name)
            raise
    os.chmod(handle.name, 0o644)  # NamedTemporaryFile makes it private (0600); a page is not
    os.replace(handle.name, path)
    return path
