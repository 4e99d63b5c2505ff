"""Report.save(path, format="html"): one self-contained page, ranked, escaped, written atomically.

The page is parsed with the standard library's ``html.parser``: which findings
sit inside which, what is inside a ``<details>``, every ``src`` and ``href``.
The browser's view of it is in test_report_browser.py.
"""

import base64
import html
import os
import re
import shlex
from html.parser import HTMLParser

import pytest
from doctor_helpers import report_records

from minnet.diagnostics.catalog import CATALOG
from minnet.diagnostics.report import html as html_report
from minnet.diagnostics.report.figures import recorded_figures
from minnet.diagnostics.report.finding import Report, make_finding
from minnet.diagnostics.report.markdown import save_report
from minnet.errors import ConfigError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HOSTILE_WHERE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
VOID = {"meta", "img", "br", "hr", "input", "link"}  # elements that have no end tag


class Page(HTMLParser):
    """The parts of a page these tests check, collected in one pass.

    ``articles``: ``{id: (enclosing article id or None, severity class)}``;
    ``sources``, ``links``: every ``src`` and ``href``; ``folded``: the text
    inside ``<details>`` (outside its ``<summary>``); ``shown``: the text
    outside; ``problems``: end tags that close nothing open.
    """

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.open, self.articles, self.sources, self.links = [], {}, [], []
        self.folded, self.shown, self.problems, self.tags = [], [], [], []
        self.feed(text)
        self.close()
        self.problems += [f"<{tag}> never closed" for tag, _ in self.open]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "article":
            enclosing = [a.get("id") for t, a in self.open if t == "article"]
            self.articles[attrs["id"]] = (enclosing[-1] if enclosing else None,
                                          attrs.get("class", ""))
        self.sources += [attrs["src"]] if "src" in attrs else []
        self.links += [attrs["href"]] if "href" in attrs else []
        if tag not in VOID:
            self.open.append((tag, attrs))

    def handle_endtag(self, tag):
        if not self.open or self.open[-1][0] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1][0] if self.open else 'nothing'}")
            return
        self.open.pop()

    def handle_data(self, data):
        tags = [tag for tag, _ in self.open]
        if "style" in tags:
            return
        inside = "details" in tags and "summary" not in tags
        (self.folded if inside else self.shown).append(data)


def finding(code, where, severity=None, step=None, **evidence):
    return make_finding(code, where, evidence or {"value": 1.0}, severity=severity, step=step)


def chain_report():
    """inputs-not-scaled -> lr-too-high -> dead-relu (on two layers), a hostile hint, records."""
    return Report([finding("dead-relu", "1 (ReLU)", step=12, dead_fraction=0.7),
                   finding("dead-relu", "3 (ReLU)", step=15, dead_fraction=0.9),
                   finding("lr-too-high", "optimizer", lr=10.0),
                   finding("inputs-not-scaled", "X", max_abs=255.0),
                   finding("constant-feature", HOSTILE_WHERE, note="a < b && c > d")],
                  report_records())


@pytest.fixture(scope="module")
def chain_page():
    """``chain_report()`` and its page, drawn once for the tests that only read it."""
    report = chain_report()
    return report, html_report.report_html(report)


def test_every_finding_is_on_the_page_ranked_with_its_symptoms_nested_under_the_root(chain_page):
    report, text = chain_page
    page = Page(text)
    assert page.problems == []
    assert [f.code for f in report.findings] == ["inputs-not-scaled", "lr-too-high",
                                                 "dead-relu", "constant-feature"]
    # Root causes at the top; every symptom of a root, however deep, directly under it.
    assert page.articles == {"finding-1": (None, "finding severity-warning"),
                             "finding-2": ("finding-1", "finding severity-warning"),
                             "finding-3": ("finding-1", "finding severity-warning"),
                             "finding-4": (None, "finding severity-info")}
    shown = "".join(page.shown)
    for number, found in enumerate(report.findings, 1):
        word = {"warning": "WARNING", "info": "HINT"}[found.severity]
        assert f"{word} {number}. {found.code}: {CATALOG[found.code].title}" in shown
        assert found.explanation in shown and found.fix in shown  # the headline is in view
    assert "Explained by lr-too-high: " in shown and "Explained by inputs-not-scaled: " in shown
    assert "at 1 (ReLU), 3 (ReLU) · step 12 (first seen)" in shown
    assert "5 warnings" not in shown and "3 warnings, 1 hint" in shown
    assert "Root causes, in the order to fix them: inputs-not-scaled." in shown


def test_evidence_and_per_layer_parts_are_folded_in_details(chain_page):
    _, text = chain_page
    page = Page(text)
    folded = "".join(page.folded)
    assert "dead_fraction" in folded and "{1 (ReLU): 0.7, 3 (ReLU): 0.9}" in folded
    assert "1 (ReLU) (step 12): dead_fraction=0.7" in folded  # a part, one line
    assert "dead_fraction" not in "".join(page.shown)
    assert "<details open" not in text and "<summary>In 2 places</summary>" in text


def test_every_text_is_escaped(chain_page):
    report, text = chain_page
    assert "<script" not in text and "<img src=x" not in text and "a < b" not in text
    assert html.escape(HOSTILE_WHERE) in text and "a &lt; b &amp;&amp; c &gt; d" in text
    page = Page(text)
    assert HOSTILE_WHERE in "".join(page.shown)  # shown to the reader as the text it is
    assert page.tags.count("img") == len(list(recorded_figures(report)))


def test_the_page_is_self_contained_with_every_figure_embedded_as_png(chain_page):
    report, text = chain_page
    page = Page(text)
    headings = [figure.heading for figure in recorded_figures(report)]
    assert len(headings) == 5 and len(page.sources) == 5
    for source, heading in zip(page.sources, headings):
        prefix = "data:image/png;base64,"
        assert source.startswith(prefix)
        assert base64.b64decode(source[len(prefix):])[:8] == PNG_MAGIC
        assert f'alt="{heading}"' in text
    assert "http" not in text and "url(" not in text and "@import" not in text
    assert not {"link", "script", "iframe", "object"} & set(page.tags)
    anchors = {f"#{article}" for article in page.articles}
    assert page.links and set(page.links) <= anchors  # only links within the page


def test_the_page_is_made_for_a_phone(chain_page):
    _, text = chain_page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    css = text[text.index("<style>"):text.index("</style>")]
    assert re.search(r"img \{[^}]*max-width: 100%", css)
    assert "overflow-wrap: anywhere" in css
    assert not re.search(r"(?<!max-)width: \d+px", css)  # no fixed width to scroll sideways


def test_a_healthy_report_says_so_and_has_no_figures():
    page = Page(html_report.report_html(Report()))
    assert page.problems == [] and page.articles == {} and page.sources == []
    shown = "".join(page.shown)
    assert "No findings: the setup looks healthy." in shown
    assert "No figures: the report holds no recorded statistics." in shown


def test_save_html_adds_the_suffix_creates_the_folder_and_replaces_the_file(tmp_path):
    report = Report(chain_report().findings, {"loss": report_records()["loss"]})
    path = report.save(tmp_path / "new" / "folder" / "page", format="html")
    assert path == str(tmp_path / "new" / "folder" / "page.html")
    assert Page(open(path, encoding="utf-8").read()).articles
    assert report.save(tmp_path / "other.htm", format="html") == str(tmp_path / "other.htm")
    Report().save(path, format="html")  # over the first: replaced, no temporary file left
    assert "No findings" in open(path, encoding="utf-8").read()
    assert sorted(os.listdir(tmp_path / "new" / "folder")) == ["page.html"]
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_a_failed_save_leaves_the_previous_page_and_no_temporary_file(tmp_path, monkeypatch):
    path = Report().save(tmp_path / "report.html", format="html")
    before = open(path, encoding="utf-8").read()

    def broken_render(display, target):
        raise RuntimeError("the figure could not be drawn")

    monkeypatch.setattr(html_report, "render", broken_render)
    with pytest.raises(RuntimeError, match="could not be drawn"):
        chain_report().save(path, format="html")
    assert open(path, encoding="utf-8").read() == before
    assert os.listdir(tmp_path) == ["report.html"]


def test_the_default_format_is_still_the_markdown_directory(tmp_path):
    report = Report(chain_report().findings, {"loss": report_records()["loss"]})  # one figure
    path = report.save(tmp_path / "md")
    assert path == str(tmp_path / "md" / "report.md")
    assert report.save(tmp_path / "md2", format="markdown") == str(tmp_path / "md2" / "report.md")
    expected = save_report(report, tmp_path / "direct")
    for folder in ("md", "md2"):
        assert sorted(os.listdir(tmp_path / folder)) == sorted(os.listdir(tmp_path / "direct"))
        assert (tmp_path / folder / "report.md").read_text() == open(expected).read()


@pytest.mark.parametrize("bad", ["pdf", "HTML", None, ""])
def test_an_unknown_format_names_the_choices(tmp_path, bad):
    with pytest.raises(ConfigError, match=r"format must be one of 'markdown', 'html', got "
                                          + re.escape(repr(bad))):
        Report().save(tmp_path / "x", format=bad)
    assert os.listdir(tmp_path) == []  # nothing written
    with pytest.raises(ValueError):  # a ConfigError is a ValueError too
        Report().save(tmp_path / "x", format=bad)


def test_the_readme_html_command_runs_as_printed(tmp_path, monkeypatch, capsys, mnist1d_cache):
    from test_readme import block_after

    from minnet.cli import main

    (command,) = block_after("doctor html", "console").splitlines()
    program, *argv = shlex.split(command.removeprefix("$ "))
    assert program == "minnet" and "--html" in argv
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 0  # lr-x100 finds warnings, no error
    out = capsys.readouterr().out
    written = tmp_path / argv[argv.index("--html") + 1]
    assert f"HTML report written to {written}" in out
    assert (tmp_path / "minnet-doctor-report" / "report.md").exists()  # as before
    page = Page(written.read_text(encoding="utf-8"))
    shown = "".join(page.shown)
    assert page.problems == [] and len(page.sources) >= 5
    assert all(code in shown for code in ("lr-too-high", "update-ratio-high", "loss-plateau"))


def test_without_html_the_doctor_writes_no_page(tmp_path, monkeypatch, capsys, mnist1d_cache):
    from minnet.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["doctor", "--example", "constant-feature"]) == 0
    assert "HTML report" not in capsys.readouterr().out
    assert os.listdir(tmp_path) == ["minnet-doctor-report"]


def test_the_page_parser_catches_a_tag_left_open_or_closed_twice():
    assert Page("<main><p>text</main>").problems == ["</main> closes p", "<main> never closed",
                                                     "<p> never closed"]
    assert Page("<details><summary>s</summary>hidden</details>").folded == ["hidden"]
