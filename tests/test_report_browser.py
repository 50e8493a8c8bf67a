"""The report in a real browser: Debian's Chromium driven by Playwright, offline.

Every request that is not a ``file:`` URL is aborted and recorded, so the page must render
from its own bytes. One page load per run; the screenshot is kept in ``.test-artifacts/`` (or
``$NICHEGRAPH_TEST_ARTIFACTS``). `.ci/run` installs Chromium; these tests skip only where it
could not be installed.
"""

import os
import time
from pathlib import Path

import pytest

import nichegraph as ng

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("NICHEGRAPH_TEST_ARTIFACTS", ROOT / ".test-artifacts"))

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}"
)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _visit(browser, report: Path, shot: str):
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    errors, blocked, dialogs = [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    t0 = time.perf_counter()
    page.goto(report.resolve().as_uri(), wait_until="load")
    seconds = time.perf_counter() - t0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = ARTIFACTS / shot
    page.screenshot(path=str(png))
    found = {
        "cards": page.locator("article.card").count(),
        "circles": page.locator("svg.segmap circle.seg").count(),
        "visible_circles": sum(
            1
            for c in page.locator("svg.segmap circle.seg").all()
            if (box := c.bounding_box()) and box["width"] > 0
        ),
        "card_ids": page.locator("article.card").evaluate_all(
            "els => els.map(e => Number(e.dataset.segment))"
        ),
        "title": page.title(),
    }
    page.close()
    return found, errors, blocked, dialogs, png, seconds


def _not_blank(png: Path) -> int:
    from PIL import Image

    with Image.open(png) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
    return len(colours or [])


@pytest.mark.parametrize(
    "name, log, options, cards",
    [
        ("sample", ng.load_dataset("brand_chatter").path, {}, None),
        (
            "higgs_50k",
            DATA / "higgs_activity_50k.txt.gz",
            {"sep": " ", "header": False, "columns": "source,target,timestamp,kind"},
            50,
        ),
    ],
)
def test_report_renders_offline_in_chromium(browser, tmp_path, name, log, options, cards):
    out = tmp_path / name
    result = ng.analyze(log, **options, outdir=out, seed=0)
    report = out / "report.html"
    assert report.stat().st_size < 2 * 1024 * 1024
    found, errors, blocked, dialogs, png, _ = _visit(browser, report, f"report_{name}.png")
    assert errors == [] and blocked == [] and dialogs == []
    assert found["title"] == "nichegraph report"
    summary = result.summary[result.summary["segment"] != 0]
    n = len(summary)
    expected_cards = summary.sort_values(
        ["size", "internal_weight", "segment"], ascending=[False, False, True], kind="mergesort"
    )["segment"].tolist()[: cards or n]
    assert found["card_ids"] == expected_cards
    assert found["circles"] == min(n, 150) == found["visible_circles"]
    assert _not_blank(png) > 50  # text, circles and colours, not an empty page
