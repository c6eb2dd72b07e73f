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

    # 13 SLOs have data (legacy-reports has none): one inline chart each, drawn and visible
    charts = browser.evaluate(
        "Array.from(document.querySelectorAll('figure svg')).map(s => {"
        " const r = s.getBoundingClientRect();"
        " return [r.width, r.height, s.querySelectorAll('path').length,"
        " s.querySelectorAll('text').length]; })"
    )
    assert len(charts) == 13
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
