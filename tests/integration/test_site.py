"""`make site`: the offline HTML site builds from the committed notebooks, and in a real browser the index and
a notebook page load with every request answered locally and the math rendered by MathJax."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.collection import notebook_files
from tests.browser import browser_page, need_chromium, serve_directory


@pytest.fixture(scope="module")
def site(tmp_path_factory, repo_root) -> Path:
    tmp = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "tools.site", "--root", str(repo_root), "--src", str(tmp / "src")]
        + ["--out", str(tmp / "out")],
        check=True,
        cwd=repo_root,
        stdout=subprocess.DEVNULL,
    )
    return tmp / "out" / "_build" / "html"


def test_site_has_index_and_every_notebook(site, repo_root):
    assert (site / "index.html").exists()
    for nb in notebook_files(repo_root):
        page = site / "notebooks" / f"{nb.stem}.html"
        assert page.exists(), f"no page for {nb.name}"
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        assert not remote, f"{page.name} loads scripts or styles from the network: {remote}"


# The pages load in a few seconds on an idle machine; beside notebooks running on both cores of a 2-core host
# the index once took over playwright's default 30 s to go network-idle, so the waits allow two minutes.
PAGE_TIMEOUT_MS = 120_000


@pytest.fixture()
def served(site):
    with serve_directory(site) as base:
        yield base


def test_pages_render_math_in_a_browser(served, repo_root):
    need_chromium()
    shots = repo_root / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    notebook = notebook_files(repo_root)[-1].stem
    with browser_page() as page:
        failed, foreign = [], []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(served) else None)
        page.goto(f"{served}/index.html")
        page.wait_for_load_state("networkidle", timeout=PAGE_TIMEOUT_MS)
        assert "Deriving Deep Learning" in page.title()
        assert page.locator("table").count() >= 1, "the index shows the notebook table"
        page.screenshot(path=str(shots / "site_index.png"))
        page.goto(f"{served}/notebooks/{notebook}.html")
        page.wait_for_selector("mjx-container svg", timeout=PAGE_TIMEOUT_MS)
        rendered = page.locator("mjx-container").count()
        assert rendered >= 5, f"only {rendered} formulas rendered"
        assert page.locator("img").count() >= 1, "figures from the committed outputs are shown"
        page.screenshot(path=str(shots / f"site_{notebook}.png"))
    assert not failed, f"requests failed: {failed}"
    assert not foreign, f"the site asked for something off the local server: {foreign}"
