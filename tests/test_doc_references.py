"""Comments and docs cite only what exists: Markdown files in the repository, minnet's modules.

A docstring that sends the reader to a design note nobody can open, or to a
module that was renamed, teaches less than no pointer at all. Two checks
over the files git tracks: every ``*.md`` file a text names is in the
repository, and every dotted ``minnet.a.b`` name in the package, the docs,
the examples and the benchmarks imports or resolves to an attribute.
"""

import importlib
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
TEXT_SUFFIXES = (".py", ".md", ".toml")
MARKDOWN_NAME = re.compile(r"[\w./-]*\w\.md\b")
DOTTED_NAME = re.compile(r"\bminnet(?:\.[A-Za-z_]\w*)+")
# Files the program writes, named in the docs that describe them (never in the repository).
WRITTEN_BY_MINNET = {"report.md": "the doctor's report (minnet.diagnostics.report.markdown)"}
# Files whose rewrite another part of issue 8 owns; remove an entry once its file is fixed.
NOT_YET = {}
THIS_FILE = "tests/test_doc_references.py"  # names missing files on purpose, in its fake


def tracked_files(root):
    """The text files git tracks under ``root`` (every file when it is not a checkout)."""
    listing = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True)
    names = (listing.stdout.split() if listing.returncode == 0 else
             [str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()])
    return [name for name in names if name.endswith(TEXT_SUFFIXES)]


def missing_markdown(root, files):
    """``file:line: name`` for every ``*.md`` named in ``files`` that is not in ``root``."""
    present = {name for name in files if name.endswith(".md")}
    basenames = {pathlib.PurePosixPath(name).name for name in present}  # a path built in code
    problems = []
    for name in files:
        if name in NOT_YET or name == THIS_FILE:
            continue
        text = (root / name).read_text(encoding="utf-8")
        for match in MARKDOWN_NAME.finditer(text):
            cited = match.group(0).lstrip("./")
            beside = (pathlib.PurePosixPath(name).parent / cited).as_posix()
            if (cited in present or beside in present or cited in basenames
                    or pathlib.PurePosixPath(cited).name in WRITTEN_BY_MINNET):
                continue
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{name}:{line}: {match.group(0)}")
    return problems


def resolves(dotted):
    """True when ``dotted`` is an importable module, or an attribute chain on one."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:]:
            if not hasattr(target, part):
                return False
            target = getattr(target, part)
        return True
    return False


def unresolved_names(root, files):
    """``file:line: name`` for every dotted minnet name outside tests/ that does not resolve."""
    problems = []
    for name in files:
        if name.startswith("tests/") or name in NOT_YET:
            continue  # tests name missing modules on purpose, to see them refused
        text = (root / name).read_text(encoding="utf-8")
        for match in DOTTED_NAME.finditer(text):
            if not resolves(match.group(0)):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{name}:{line}: {match.group(0)}")
    return problems


def test_every_cited_markdown_file_is_in_the_repository():
    assert missing_markdown(ROOT, tracked_files(ROOT)) == []


def test_every_dotted_minnet_name_resolves():
    assert unresolved_names(ROOT, tracked_files(ROOT)) == []


@pytest.fixture
def fake_repository(tmp_path):
    """A tree with one good and one stale pointer of each kind (not a git checkout)."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n")
    (tmp_path / "module.py").write_text(
        '"""See docs/guide.md and DESIGN.md; the report goes to out/report.md.\n\n'
        'Built on minnet.functional.conv, once minnet.diagnostics.catalog_doc.\n"""\n')
    return tmp_path


def test_the_checks_fire_on_stale_pointers(fake_repository):
    files = tracked_files(fake_repository)
    assert sorted(files) == ["docs/guide.md", "module.py"]
    assert missing_markdown(fake_repository, files) == ["module.py:1: DESIGN.md"]
    assert unresolved_names(fake_repository, files) == [
        "module.py:3: minnet.diagnostics.catalog_doc"]
