"""`make slides`: offline reveal.js decks of every notebook and presenter copies for RISE.

In headless Chromium, one offline deck and one live RISE session (JupyterLab with jupyterlab-rise, a kernel
attached) are stepped through with the keyboard until the slide shown holds rendered math, then a figure; no
request may leave the machine. Screenshots go to build/screenshots/. The RISE test is marked slow
(make test-robust).

RISE 0.43 cannot show ipywidgets 8 widgets (jupyterlab-contrib/rise#119: its app lacks the shared module the
widget manager needs), so the live test checks math, figures and the kernel, not the explorers."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.collection import notebook_files
from helpers.processes import free_port
from tests.browser import browser_page, need_chromium, serve_directory, stop_process_group, wait_for_lab

#: the deck stepped through: its §2 has display math and its §4 figures
NOTEBOOK = "01_tokenizer"
MAX_KEYS = 120  # key presses allowed to reach each kind of slide (Space: the next fragment or slide)
PRESENT_HAS = """(selector) => {
  const slide = [...document.querySelectorAll('.reveal section.present')].pop();
  if (!slide) return false;
  return [...slide.querySelectorAll(selector)].some(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && (e.tagName !== 'IMG' || (e.complete && e.naturalWidth > 0));
  });
}"""


@pytest.fixture(scope="module")
def slides(tmp_path_factory, repo_root) -> Path:
    out = tmp_path_factory.mktemp("slides") / "slides"
    subprocess.run(
        [sys.executable, "-m", "tools.slides", "--root", str(repo_root), "--out", str(out)],
        check=True,
        cwd=repo_root,
        stdout=subprocess.DEVNULL,
    )
    return out


def test_every_notebook_has_a_deck_that_loads_nothing_remote(slides, repo_root):
    for path in notebook_files(repo_root):
        html = (slides / f"{path.stem}.slides.html").read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', html)
        assert not remote, f"{path.stem}'s deck loads from the network: {remote}"
        assert "<section" in html
        source = nbformat.read(path, 4)
        for cell in source.cells:
            shown = f'id="cell-id={cell.id}"' in html
            if "solution" in cell.metadata.get("tags", []):
                assert not shown, f"{path.stem}'s deck shows a solution (cell {cell.id})"
            if "instructor" in cell.metadata.get("tags", []):
                assert shown and '<aside class="notes">' in html, "instructor notes become speaker notes"
        presenter = nbformat.read(slides / "notebooks" / path.name, 4)
        assert all("slide_type" in c.metadata.get("slideshow", {}) for c in presenter.cells)
    for script in ("_static/reveal.js/dist/reveal.js", "_static/mathjax/tex-svg.js"):
        assert (slides / script).is_file(), f"{script} is not in the build"


def step_until(page, selector: str, key: str = "Space") -> int:
    """Press ``key`` until the slide shown holds a visible ``selector``; return the presses it took."""
    for presses in range(MAX_KEYS + 1):
        if page.evaluate(PRESENT_HAS, selector):
            return presses
        page.keyboard.press(key)
        page.wait_for_timeout(60)
    raise AssertionError(f"no slide with a visible {selector!r} within {MAX_KEYS} presses of {key}")


@pytest.fixture()
def served(slides):
    with serve_directory(slides) as base:
        yield base


def test_offline_deck_shows_math_and_a_figure(served, repo_root):
    need_chromium()
    shots = repo_root / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with browser_page() as page:
        failed, foreign, errors = [], [], []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(served) else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{served}/{NOTEBOOK}.slides.html")
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        page.wait_for_selector("mjx-container svg", state="attached", timeout=30_000)
        step_until(page, "mjx-container svg")
        page.screenshot(path=str(shots / f"slides_{NOTEBOOK}_math.png"))
        step_until(page, "img")
        page.screenshot(path=str(shots / f"slides_{NOTEBOOK}_figure.png"))
    assert not errors, f"script errors: {errors}"
    assert not failed, f"requests failed: {failed}"
    assert not foreign, f"the deck asked for something off the local server: {foreign}"


@pytest.fixture()
def rise_lab(slides, tmp_path):
    need_chromium()
    shutil.copy2(slides / "notebooks" / f"{NOTEBOOK}.ipynb", tmp_path / f"{NOTEBOOK}.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    cmd = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1"]
    cmd += [f"--port={port}", f"--ServerApp.token={token}", "--ServerApp.port_retries=0"]
    cmd += [f"--notebook-dir={tmp_path}", "--allow-root"]
    env = {**os.environ, "DDL_QUIET": "1", "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    env |= {"JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings")}
    env |= {"JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    base = f"http://127.0.0.1:{port}"
    wait_for_lab(base, token, proc, tmp_path / "lab.log")
    yield base, token
    stop_process_group(proc)
    log.close()


@pytest.mark.slow  # about 20 s: JupyterLab starts, then RISE's own app loads
def test_live_rise_session_shows_math_and_a_figure_with_a_kernel(rise_lab, repo_root):
    base, token = rise_lab
    shots = repo_root / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with browser_page() as page:
        foreign = []
        page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(base) else None)
        page.goto(f"{base}/rise/{NOTEBOOK}.ipynb?token={token}")
        page.wait_for_selector(".reveal .slides section.present", timeout=60_000)
        page.wait_for_selector("mjx-container", state="attached", timeout=60_000)
        page.locator(".reveal").click()  # keyboard focus on the slides
        step_until(page, "mjx-container")
        page.wait_for_timeout(500)  # the end of the slide transition, for the screenshot
        page.screenshot(path=str(shots / f"rise_{NOTEBOOK}_math.png"))
        step_until(page, "img")
        page.wait_for_timeout(500)  # the end of the slide transition, for the screenshot
        page.screenshot(path=str(shots / f"rise_{NOTEBOOK}_figure.png"))
        sessions = page.evaluate(
            "async (url) => (await fetch(url)).json()", f"{base}/api/sessions?token={token}"
        )
    paths = [s["path"] for s in sessions if s.get("kernel")]
    assert f"{NOTEBOOK}.ipynb" in paths, f"no kernel attached to the slides: {sessions}"
    assert not foreign, f"RISE asked for something off the local server: {foreign}"
