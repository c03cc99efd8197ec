"""pytest plugin for the notebook runs, loaded by pyproject.toml's addopts with ``-p tests.notebook_plugin``.

Run ``python -m pytest`` from the repository root, which puts that root on ``sys.path`` so the plugin imports.

Notebooks run in one of two ways, and the plugin serves both:
- in JupyterLab inside Chromium (``tests/integration/test_browser_lab.py``, what ``make test`` uses): each
  test records ``notebook`` and ``notebook_seconds`` as user properties (they travel with the report from
  pytest-xdist workers), and :data:`SWEEP_SOURCE` is appended to the notebook it runs;
- under nbval (``--nbval-lax``, the fallback without Chromium): the plugin appends one extra item per
  notebook, run in that notebook's kernel after its last cell, and sums the items' durations per notebook.
The sweep calls every explorer the notebook created at the minimum, middle and maximum of each control
(:func:`helpers.widgets.sweep_explorers`). At the end the plugin prints a per-notebook timing table, writes it
to ``build/notebook_times.json`` and fails the session when a notebook exceeds its budget (``DDL_BUDGET_S``,
default 60 s).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

SWEEP_SOURCE = "import helpers.widgets as _w\n_w.sweep_explorers(min_count={min_count})"
_times: dict[str, float] = defaultdict(float)
_explorer_times: dict[str, float] = {}  # notebook -> its slowest explorer update in the sweep (browser runs)


#: The collection's promise: a notebook runs in under a minute. ``DDL_BUDGET_S`` (default: this target) is the
#: limit that fails the run; a machine slower than a laptop may raise it, and the table still flags every
#: notebook over the target.
TARGET_S = 60.0


def _budget() -> float:
    return float(os.environ.get("DDL_BUDGET_S", str(TARGET_S)))


def sweep_source(notebook_name: str) -> str:
    """The sweep cell for a notebook: 00 (the map) may have no explorer, every other notebook needs one."""
    return SWEEP_SOURCE.format(min_count=0 if notebook_name.startswith("00_") else 1)


def pytest_collection_modifyitems(session, config, items):
    try:
        from nbval.plugin import IPyNbCell, IPyNbFile
    except ImportError:  # nbval absent: nothing to add
        return
    import nbformat

    last_index: dict[object, int] = {}
    for i, item in enumerate(items):
        if isinstance(item, IPyNbCell):
            last_index[item.parent] = i
    for parent, i in sorted(last_index.items(), key=lambda kv: -kv[1]):
        if not isinstance(parent, IPyNbFile):
            continue
        cell = nbformat.v4.new_code_cell(sweep_source(Path(str(parent.fspath)).name))
        options = defaultdict(bool, check=False)
        sweep = IPyNbCell.from_parent(
            parent, name="explorer sweep", cell_num=len(parent.nb.cells), cell=cell, options=options
        )
        items.insert(i + 1, sweep)


def pytest_runtest_logreport(report):
    props = dict(getattr(report, "user_properties", ()) or ())
    if "notebook_seconds" in props:  # a browser run: the test measured the notebook itself
        # pytest copies an item's user properties onto every later report of it (call *and* teardown):
        # count the call report only, or every notebook is counted twice.
        if report.when != "call":
            return
        _times[props["notebook"]] += float(props["notebook_seconds"])
        if "explorer_seconds" in props:
            _explorer_times[props["notebook"]] = float(props["explorer_seconds"])
        return
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _times[path] += report.duration


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _times or hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller reports
        return
    budget = _budget()
    tr = terminalreporter
    tr.section("notebook timings (every cell + explorer sweep)")
    width = max(len(p) for p in _times)
    for path, seconds in sorted(_times.items()):
        flag = "" if seconds <= budget else f"   ✗ over the {budget:g} s budget"
        if not flag and seconds > TARGET_S:
            flag = f"   over the {TARGET_S:g} s target (budget here {budget:g} s)"
        slowest = (
            f"   slowest explorer update {_explorer_times[path]:.2f} s" if path in _explorer_times else ""
        )
        tr.write_line(f"{path:<{width}}  {seconds:6.1f} s{slowest}{flag}")
    tr.write_line(f"{'total':<{width}}  {sum(_times.values()):6.1f} s")
    over = [p for p, s in _times.items() if s > budget]
    slow = [p for p, s in _times.items() if TARGET_S < s <= budget]
    if slow:
        tr.write_line(
            f"{len(slow)} notebook(s) over the {TARGET_S:g} s target: {', '.join(slow)}", yellow=True
        )
    if over:
        tr.write_line(
            f"✗ budget exceeded by {len(over)} notebook(s) ({budget:g} s each): {', '.join(over)}", red=True
        )
    out = Path(str(config.rootpath)) / "build" / "notebook_times.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({p: round(s, 1) for p, s in sorted(_times.items())}, indent=1) + "\n")


def pytest_sessionfinish(session, exitstatus):
    if hasattr(getattr(session, "config", None), "workerinput"):
        return
    over = {p: s for p, s in _times.items() if s > _budget()}
    if over and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
