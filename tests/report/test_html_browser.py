"""The HTML report in a real browser (Debian's headless Chromium, driven over the DevTools
protocol): it renders with no console errors and no network request besides the file itself,
every chart is an inline SVG with drawn paths and a visible size, it reads in light and dark
colour schemes, and screenshots are produced (in the test's tmp dir, or SLO_ARTIFACTS_DIR)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.report.cdp import Browser, chromium_binary
from tests.report.conftest import report


@pytest.fixture(scope="module")
def html_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    run = report("--period", "7d", "--format", "html", "--output", str(out))
    assert run.code == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    binary = chromium_binary()
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true and chromium is not installed (.ci/install-system-deps.sh)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    b = Browser(binary, tmp_path_factory.mktemp("chromium-profile"))
    try:
        for domain in ("Page", "Network", "Runtime", "Log"):
            b.call(f"{domain}.enable")
        yield b
    finally:
        b.close()


def _artifacts(tmp: Path) -> Path:
    where = os.environ.get("SLO_ARTIFACTS_DIR")
    out = Path(where) if where else tmp
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_html_has_no_external_references(html_file: Path) -> None:
    text = html_file.read_text(encoding="utf-8")
    assert "<script" not in text and "<link" not in text and "@import" not in text
    assert not re.search(r"\ssrc=", text)
    assert not re.search(r"url\(\s*['\"]?(?!#)", text)  # CSS/SVG url() only to local ids
    hrefs = re.findall(r"href=['\"]([^'\"]*)", text)
    assert hrefs and all(h.startswith("#") for h in hrefs), hrefs


def test_html_renders_in_chromium_without_errors_or_requests(
    browser: Browser, html_file: Path, tmp_path: Path
) -> None:
    url = html_file.as_uri()
    browser.call("Page.navigate", {"url": url})
    browser.wait_for("Page.loadEventFired")
    assert browser.evaluate("document.readyState") == "complete"
    assert browser.evaluate("document.title") == "SLO report: 7 days to 2026-11-20 12:00"

    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requests == [url], requests
    errors = [
        e
        for e in browser.events
        if e.get("method") == "Runtime.exceptionThrown"
        or (
            e.get("method") == "Runtime.consoleAPICalled"
            and e["params"].get("type") in ("error", "warning", "assert")
        )
        or (
            e.get("method") == "Log.entryAdded"
            and e["params"]["entry"].get("level") in ("error", "warning")
        )
    ]
    assert errors == []

    # 16 SLOs have data (14 SLOs and the 2 composites; legacy-reports has none): two inline
    # charts each (wide and narrow), the wide one shown at this width, drawn and visible
    charts = browser.evaluate(
        "Array.from(document.querySelectorAll('figure svg')).filter(s => s.getClientRects().length)"
        ".map(s => { const r = s.getBoundingClientRect();"
        " return [r.width, r.height, s.querySelectorAll('path').length,"
        " s.querySelectorAll('text').length]; })"
    )
    assert browser.evaluate("document.querySelectorAll('figure svg').length") == 32
    assert len(charts) == 16
    for width, height, paths, texts in charts:
        assert width > 300 and height > 150 and paths > 10 and texts > 5

    out = _artifacts(tmp_path)
    light = browser.screenshot(out / "report-light.png")
    assert light.startswith(b"\x89PNG") and len(light) > 50_000
    assert (
        browser.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    )

    browser.call(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
    )
    assert browser.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"
    assert browser.evaluate("getComputedStyle(document.body).color") == "rgb(230, 237, 243)"
    # charts keep their own white card in the dark scheme, so their dark text stays legible
    assert (
        browser.evaluate("getComputedStyle(document.querySelector('figure svg')).backgroundColor")
        == "rgb(255, 255, 255)"
    )
    dark = browser.screenshot(out / "report-dark.png")
    assert dark.startswith(b"\x89PNG") and dark != light


#: per visible chart: its variant, its burn-event marks' widths (CSS px), the number of rows in
#: its SLO's burn-event table, and every text of the chart that reaches outside the chart
CHART_PROBE = """
Array.from(document.querySelectorAll('section.slo')).flatMap(sec => {
  const svg = Array.from(sec.querySelectorAll('figure svg')).find(s => s.getClientRects().length);
  if (!svg) return [];
  const box = svg.getBoundingClientRect();
  const marks = Array.from(svg.querySelectorAll('[id^="burn-event-"]'))
    .filter(g => !g.id.endsWith('-top')).map(g => g.getBoundingClientRect().width);
  const outside = Array.from(svg.querySelectorAll('text')).map(t => [t.textContent,
    t.getBoundingClientRect()]).filter(([_, r]) => r.width > 0 && (r.left < box.left - 0.5 ||
    r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5))
    .map(([text, _]) => text);
  return [[sec.id, svg.parentElement.className, marks,
           sec.querySelectorAll('tbody tr').length, outside]];
})
"""

#: every element with text whose content is wider than its box, or that reaches past the right
#: edge of the page outside a horizontally scrolling container
TEXT_PROBE = """
Array.from(document.querySelectorAll('h1,h2,h3,p,li,figcaption,td,th,footer,code,span'))
  .filter(e => e.getClientRects().length && e.textContent.trim())
  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display !== 'inline'
    || (!e.closest('.scroll') && e.getBoundingClientRect().right > innerWidth + 0.5))
  .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 60))
"""


@pytest.mark.parametrize("width", [390, 1280])
def test_charts_and_text_fit_phone_and_laptop_widths(
    browser: Browser, html_file: Path, tmp_path: Path, width: int
) -> None:
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    browser.events.clear()
    browser.call("Page.navigate", {"url": html_file.as_uri()})
    browser.wait_for("Page.loadEventFired")
    try:
        assert browser.evaluate("document.documentElement.scrollWidth") <= width
        charts = browser.evaluate(CHART_PROBE)
        assert len(charts) == 16  # 13 SLOs and 2 composites with data
        variant = "chart-narrow" if width < 600 else "chart-wide"
        assert {c[1] for c in charts} == {variant}
        marked = 0
        for anchor, _, marks, events, outside in charts:
            # one mark per burn event, each at least 4 px wide on screen, however short
            assert len(marks) == events, anchor
            assert all(w >= 4 for w in marks), (anchor, marks)
            assert outside == [], (anchor, outside)
            marked += len(marks)
        # the examples' events: auth 1 + 1, payments' 2-hour page at the end of a month, search
        # 1 + 1, checkout's probe 5; the journey composites: browse-to-checkout 9, weakest-step 1
        assert marked == 20
        payments = next(c for c in charts if c[0] == "slo-payments-availability")
        assert len(payments[2]) == 1 and payments[2][0] >= 4
        assert browser.evaluate(TEXT_PROBE) == []
        shot = browser.screenshot(_artifacts(tmp_path) / f"report-{width}px.png")
        assert shot.startswith(b"\x89PNG")
    finally:
        browser.call("Emulation.clearDeviceMetricsOverride")
