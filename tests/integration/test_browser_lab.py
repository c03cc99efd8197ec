"""The real-browser check and, under ``make test``, the one run of every notebook: JupyterLab in headless
Chromium opens each notebook, runs all cells (every assert in them) and the explorer sweep appended to it, and
every explorer renders and answers one interaction. The run-all time is recorded for the timing table and
budget of ``tests/notebook_plugin.py``. Screenshots go to build/screenshots/.

Under pytest-xdist each worker starts its own JupyterLab (the ``lab`` fixture is module-scoped)."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from helpers.collection import notebook_files
from helpers.processes import free_port
from tests.browser import browser_page, need_chromium, stop_process_group, wait_for_lab
from tests.notebook_plugin import sweep_source

RUN_TIMEOUT_MS = 240_000

DONE_JS = """() => {
  const nb = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!nb || !nb.content || !nb.sessionContext.session || !nb.sessionContext.session.kernel) return false;
  const code = nb.content.widgets.filter(
    c => c.model.type === 'code' && c.model.sharedModel.getSource().trim());
  const failed = code.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  return nb.sessionContext.session.kernel.status === 'idle' && code.length > 0 &&
         (failed || code.every(c => c.model.executionCount !== null));
}"""
SWEEP_TEXT_JS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.widgets;
  return cells[cells.length - 1].model.outputs.toJSON()
    .filter(o => o.output_type === 'stream').map(o => o.text).join('');
}"""
ERRORS_JS = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  return nb.content.widgets.filter(c => c.model.type === 'code').flatMap((c, i) =>
    c.model.outputs.toJSON().filter(o => o.output_type === 'error')
      .map(o => `cell ${i}: ${o.ename}: ${o.evalue}`));
}"""


def explorer_count(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(
        len(re.findall(r"\bExplorer\(", "".join(c["source"])))
        for c in nb["cells"]
        if c["cell_type"] == "code"
    )


def pytest_generate_tests(metafunc):
    if "notebook" in metafunc.fixturenames:
        files = notebook_files(metafunc.config.rootpath)
        metafunc.parametrize("notebook", files, ids=[p.name for p in files])


@pytest.fixture(scope="module")
def lab(tmp_path_factory, repo_root):
    need_chromium()
    work = tmp_path_factory.mktemp("lab")
    for nb in notebook_files(repo_root):  # a copy: autosave must never touch the committed notebooks
        copy = nbformat.read(nb, as_version=4)
        copy.cells.append(nbformat.v4.new_code_cell(sweep_source(nb.name)))
        nbformat.write(copy, work / nb.name)
    port = free_port()
    token = secrets.token_hex(16)
    cmd = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.token={token}",
        "--ServerApp.port_retries=0",
        "--LabApp.expose_app_in_browser=True",
        f"--notebook-dir={work}",
        "--allow-root",
    ]
    # Own settings and workspaces: no layout restored from earlier sessions, and every cell attached to the
    # page (JupyterLab's default windowing may leave off-screen outputs, and so widgets, unrendered).
    settings = work / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    log = (work / "lab.log").open("w")
    env = {
        **os.environ,
        "DDL_QUIET": "1",
        "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(work / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(work / "workspaces"),
    }
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    base = f"http://127.0.0.1:{port}"
    wait_for_lab(base, token, proc, work / "lab.log")
    yield base, token
    stop_process_group(proc)
    log.close()


def interact(page, box) -> str:
    """Change the explorer's first control by one step; return what was done."""
    if box.locator(".noUi-handle").count():
        handle = box.locator(".noUi-handle").first
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        handle.focus()
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        return "slider one step " + ("down" if at_max else "up")
    if box.locator(".widget-dropdown select").count():
        select = box.locator(".widget-dropdown select").first
        options = select.locator("option").all_inner_texts()
        select.select_option(index=1 if len(options) > 1 else 0)
        return "dropdown → second option"
    if box.locator(".widget-checkbox input").count():
        box.locator(".widget-checkbox input").first.click()
        return "checkbox toggled"
    field = box.locator(".widget-text input").first
    field.fill("1 2 3")
    field.press("Enter")
    return "text '1 2 3' + Enter"


def test_notebook_runs_and_explorers_answer(lab, notebook, repo_root, record_property):
    base, token = lab
    shots = repo_root / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with browser_page(1400, 1000) as page:
        page.goto(f"{base}/lab/workspaces/{notebook.stem}/tree/{notebook.name}?reset&token={token}")
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget && "
            "window.jupyterapp.shell.currentWidget.sessionContext.session && "
            "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
            timeout=90_000,
        )
        start = time.perf_counter()
        page.evaluate(
            "async () => { const c = window.jupyterapp.commands;"
            " await c.execute('notebook:clear-all-cell-outputs');"
            " await c.execute('notebook:run-all-cells'); }"
        )
        page.wait_for_function(DONE_JS, timeout=RUN_TIMEOUT_MS, polling=250)
        record_property("notebook", notebook.relative_to(repo_root).as_posix())
        record_property("notebook_seconds", round(time.perf_counter() - start, 1))
        errors = page.evaluate(ERRORS_JS)
        assert not errors, f"cells raised in JupyterLab: {errors}"
        slowest = [float(s) for s in re.findall(r"slowest ([0-9.]+) s", page.evaluate(SWEEP_TEXT_JS))]
        if slowest:  # the sweep cell's report: the slowest update of any explorer, for the timing table
            record_property("explorer_seconds", max(slowest))
        assert "Error displaying widget" not in page.content()
        expected = explorer_count(notebook)
        boxes = (
            page.locator(".widget-vbox")
            .filter(has=page.locator(".widget-html b"))
            .filter(has=page.locator(".widget-output"))
        )
        assert boxes.count() == expected, f"{boxes.count()} explorers rendered, {expected} created"
        for i in range(expected):
            box = boxes.nth(i)
            box.scroll_into_view_if_needed()
            output = box.locator(".widget-output").first
            page.wait_for_function(
                "el => el.innerHTML.length > 0", arg=output.element_handle(), timeout=30_000
            )
            before = output.inner_html()
            action = interact(page, box)
            page.wait_for_function(
                "([el, old]) => el.innerHTML.length > 0 && el.innerHTML !== old",
                arg=[output.element_handle(), before],
                timeout=30_000,
            )
            box.screenshot(path=str(shots / f"lab_{notebook.stem}_explorer{i}.png"))
            print(f"✓ {notebook.name} explorer {i}: {action} changed the output")
