"""The doctor's HTML report in a real browser: Debian's Chromium, headless, driven by Selenium.

At a desktop width and at a phone's (375 px): the page renders, every finding
code is visible text, every figure loaded, nothing scrolls sideways, the
evidence stays folded until its summary is clicked. A full-page screenshot of
each width is written into the test's tmp_path and, when ``MINNET_SCREENSHOTS``
names a folder, copied there for a person to look at (``.ci/run`` sets it).

Skipped, with the reason, only when Chromium, its driver or the selenium package
is absent (``.ci/run`` installs Chromium; selenium is in the ``dev`` extra).
"""

import importlib.util
import os
import pathlib
import shutil

import pytest

from minnet.diagnostics.report.figures import recorded_figures
from minnet.diagnostics.report.finding import Report, make_finding

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip("Chromium or chromedriver is not installed (Debian: apt-get install chromium "
                "chromium-driver; .ci/run installs them)", allow_module_level=True)
# Looked up, not imported under a skip: a broken import must still fail (test_no_skipped_imports).
if importlib.util.find_spec("selenium") is None:
    pytest.skip("the selenium package is not installed (pip install -e '.[dev]')",
                allow_module_level=True)
from selenium import webdriver  # noqa: E402  (after the skips)
from selenium.webdriver.common.by import By  # noqa: E402

# Headless on a machine without a network or a display, running as root.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
DESKTOP, PHONE = 1280, 375
HOSTILE_WHERE = "<img src=x onerror=alert(1)> & <b>layer</b>"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def show(driver, path, width, height=900):
    """Load the file at ``path`` in a ``width`` x ``height`` viewport (a phone's when narrow)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.get(path.resolve().as_uri())


def page_problems(driver):
    """What is wrong with the page shown: images not loaded, sideways scrolling."""
    problems = []
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth]);")
    problems += [f"figure {alt!r} did not load" for alt, complete, width in images
                 if not complete or width == 0]
    # clientWidth, not innerWidth: a phone zooms out to show wide content, and innerWidth
    # grows with it; clientWidth stays the width the page was laid out for.
    overflow = driver.execute_script(
        "const root = document.documentElement; return [root.scrollWidth, root.clientWidth];")
    if overflow[0] > overflow[1]:
        problems.append(f"the page is {overflow[0]} px wide in a {overflow[1]} px viewport")
    return problems


def screenshot(driver, path, width):
    """A full-page PNG at ``path``: the viewport stretched to the page's height."""
    height = driver.execute_script("return document.documentElement.scrollHeight;")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": min(height, 16000), "deviceScaleFactor": 1,
        "mobile": width < 600})
    assert driver.save_screenshot(str(path))
    folder = os.environ.get("MINNET_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        path = shutil.copy(path, folder)
    print(f"screenshot: {path}")


@pytest.fixture(scope="module")
def report_page(tmp_path_factory, mnist1d_cache):
    """A real report (the lr-x100 example: a chain of five, merged layers, five figures)
    with a finding whose ``where`` is hostile HTML; and the page saved from it."""
    from minnet.zoo import EXAMPLES
    from minnet.zoo.report import run_example

    report = run_example(EXAMPLES["lr-x100"], 0).report
    report = Report(list(report.findings), report.records)
    report.add(make_finding("constant-feature", HOSTILE_WHERE, {"feature": "<3>"}))
    path = report.save(tmp_path_factory.mktemp("report") / "report", format="html")
    return report, pathlib.Path(path)


@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_report_renders_with_every_code_visible_and_every_figure_loaded(
        browser, report_page, width, tmp_path):
    report, path = report_page
    show(browser, path, width)
    assert browser.title == "minnet doctor report"
    text = browser.find_element(By.TAG_NAME, "body").text  # only what is rendered visible
    for finding in report.findings:
        assert finding.code in text, f"{finding.code} is not visible at {width} px"
        assert finding.fix.split(".")[0] in text  # the headline stays in view
    assert HOSTILE_WHERE in text  # shown as text, not parsed as markup
    images = browser.find_elements(By.TAG_NAME, "img")
    assert len(images) == len(list(recorded_figures(report))) >= 5
    assert page_problems(browser) == []
    screenshot(browser, tmp_path / f"doctor-report-{width}px.png", width)


def test_evidence_is_folded_until_its_summary_is_clicked(browser, report_page):
    report, path = report_page
    show(browser, path, PHONE)
    details = browser.find_elements(By.TAG_NAME, "details")
    assert details and not any(d.get_property("open") for d in details)
    first = report.findings[0]
    name = next(iter(first.evidence))
    evidence = details[0]
    row = evidence.find_element(By.TAG_NAME, "th")
    assert row.text == ""  # folded: not rendered
    evidence.find_element(By.TAG_NAME, "summary").click()
    assert evidence.get_property("open") and row.text == name


def test_page_problems_fire_on_a_broken_page(browser, tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><meta name="viewport" content="width=device-width">'
                    '<img alt="empty" src="data:image/png;base64,AAAA">'
                    '<div style="width: 900px">too wide for a phone</div>', encoding="utf-8")
    show(browser, page, PHONE)
    problems = page_problems(browser)
    assert "figure 'empty' did not load" in problems
    assert any("wide in a 375 px viewport" in problem for problem in problems)
