"""Tests for tests/notebook_plugin.py.

End to end: real ``pytest --nbval-lax`` runs over tiny notebooks (three subprocesses, a few seconds each),
with the repository's pyproject.toml as config (its addopts load the plugin) and a temporary rootdir, so that
``build/notebook_times.json`` lands there and the repository's own timings file is not overwritten.
In process: the hooks' bookkeeping, on a private timings dict (this very session runs the plugin too).
"""

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from tests import notebook_plugin as plugin

SETUP = "import helpers\nhelpers.setup(seed=0)"
EXPLORER = (
    "from helpers.widgets import Explorer, IntSlider\n"
    "explore = Explorer(lambda n: f'n = {n}', title='Tiny explorer', n=IntSlider(0, 4))\n"
    "print(explore.call(n=3))"
)


def write_notebook(path: Path, sources: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nbformat.write(nb, path)
    return path


def run_pytest(
    repo: Path, rootdir: Path, notebooks: list[Path], budget: str | None = None
) -> subprocess.CompletedProcess:
    """``python -m pytest --nbval-lax`` on ``notebooks``, run from the repository ``repo`` with its config."""
    env = {k: v for k, v in os.environ.items() if k not in ("DDL_BUDGET_S", "PYTEST_ADDOPTS")}
    env["DDL_QUIET"] = "1"
    if budget is not None:
        env["DDL_BUDGET_S"] = budget
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval-lax",
        "--nbval-current-env",
        "-p",
        "no:cacheprovider",
        "-v",
        f"--rootdir={rootdir}",
        "-c",
        str(repo / "pyproject.toml"),
        *map(str, notebooks),
    ]
    proc = subprocess.run(cmd, check=False, cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    proc.output = proc.stdout + proc.stderr
    return proc


def item_line(output: str, nodeid_end: str) -> str:
    lines = [ln for ln in output.splitlines() if f"{nodeid_end} PASSED" in ln or f"{nodeid_end} FAILED" in ln]
    assert len(lines) == 1, f"one result line for {nodeid_end!r} expected in:\n{output}"
    return lines[0]


# ------------------------------------------------------------------------------------------- passing run
@pytest.fixture(scope="module")
def passing_run(tmp_path_factory, repo_root):
    root = tmp_path_factory.mktemp("passing")
    tiny = write_notebook(root / "01_tiny.ipynb", [SETUP, EXPLORER])
    intro = write_notebook(root / "00_intro.ipynb", ["print('an intro needs no explorer')"])
    return root, run_pytest(repo_root, root, [tiny, intro])


def test_notebook_with_an_explorer_passes(passing_run):
    _, proc = passing_run
    assert proc.returncode == 0, proc.output
    assert "01_tiny.ipynb::explorer sweep PASSED" in item_line(proc.output, "01_tiny.ipynb::explorer sweep")
    assert "5 passed" in proc.output  # 2 + 1 cells and one sweep item per notebook


def test_00_notebook_needs_no_explorer(passing_run):
    _, proc = passing_run
    assert "PASSED" in item_line(proc.output, "00_intro.ipynb::explorer sweep")


def test_sweep_runs_after_the_last_cell(passing_run):
    _, proc = passing_run
    lines = [ln for ln in proc.output.splitlines() if "01_tiny" in ln and "PASSED" in ln]
    assert len(lines) == 3 and "explorer sweep" in lines[-1]


def test_timing_table_is_printed(passing_run):
    _, proc = passing_run
    out = proc.output
    assert "notebook timings" in out
    table = out[out.index("notebook timings") :]
    for name in ("01_tiny.ipynb", "00_intro.ipynb", "total"):
        assert any(ln.startswith(name) and ln.rstrip().endswith(" s") for ln in table.splitlines()), table
    assert "over the" not in table


def test_timings_json_is_written_under_the_rootdir(passing_run):
    root, proc = passing_run
    path = root / "build" / "notebook_times.json"
    assert path.is_file(), proc.output
    times = json.loads(path.read_text())
    assert sorted(times) == ["00_intro.ipynb", "01_tiny.ipynb"]
    assert all(isinstance(s, (int, float)) and 0 < s < 120 for s in times.values())
    assert times["01_tiny.ipynb"] >= 0.1  # kernel start + helpers.setup + sweep: never instantaneous


# -------------------------------------------------------------------------------------------- failing runs
def test_notebook_without_an_explorer_fails(tmp_path, repo_root):
    nb = write_notebook(tmp_path / "02_plain.ipynb", ["print('no explorer here')"])
    proc = run_pytest(repo_root, tmp_path, [nb])
    assert proc.returncode == 1, proc.output
    assert "FAILED" in item_line(proc.output, "02_plain.ipynb::explorer sweep")
    assert "expected at least 1 explorer(s), found 0" in proc.output
    assert "1 failed, 1 passed" in proc.output


def test_over_budget_fails_the_session(tmp_path, repo_root):
    nb = write_notebook(tmp_path / "00_quick.ipynb", ["print('quick')"])
    proc = run_pytest(repo_root, tmp_path, [nb], budget="0.001")
    assert proc.returncode == 1, proc.output
    assert "FAILED" not in proc.output, "every item passes: only the budget fails the run"
    assert proc.output.rstrip().splitlines()[-1].strip("= ").startswith("2 passed in")
    table = proc.output[proc.output.index("notebook timings") :]
    assert any(
        ln.startswith("00_quick.ipynb") and "over the" in ln and "budget" in ln for ln in table.splitlines()
    )


@pytest.mark.parametrize("workers", [None, "1"], ids=["one process", "xdist"])
def test_a_browser_run_is_counted_once(tmp_path, repo_root, workers):
    """pytest copies user properties onto the call *and* the teardown report; the table counts the call."""
    (tmp_path / "test_fake_run.py").write_text(
        "def test_run(record_property):\n"
        "    record_property('notebook', 'notebooks/07_x.ipynb')\n"
        "    record_property('notebook_seconds', 1.5)\n"
        "    record_property('explorer_seconds', 0.25)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DDL_BUDGET_S", "PYTEST_ADDOPTS")}
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", f"--rootdir={tmp_path}"]
    cmd += ["-c", str(repo_root / "pyproject.toml"), *(["-n", workers] if workers else [])]
    cmd.append(str(tmp_path / "test_fake_run.py"))
    proc = subprocess.run(
        cmd, check=False, cwd=repo_root, env=env, capture_output=True, text=True, timeout=99
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    times = json.loads((tmp_path / "build" / "notebook_times.json").read_text())
    assert times == {"notebooks/07_x.ipynb": 1.5}
    assert "slowest explorer update 0.25 s" in proc.stdout


# ------------------------------------------------------------------------------------------- in process
@pytest.fixture
def private_times(monkeypatch):
    times = defaultdict(float)
    monkeypatch.setattr(plugin, "_times", times)
    return times


def test_logreport_sums_durations_per_notebook(private_times):
    for nodeid, seconds in [
        ("nb/01_a.ipynb::Cell 0", 0.5),
        ("nb/01_a.ipynb::Cell 1", 0.25),
        ("nb/01_a.ipynb::explorer sweep", 1.0),
        ("nb/02_b.ipynb::Cell 0", 2.0),
        ("tests/test_x.py::test_y", 9.0),
    ]:
        plugin.pytest_runtest_logreport(SimpleNamespace(nodeid=nodeid, duration=seconds))
    assert dict(private_times) == {"nb/01_a.ipynb": 1.75, "nb/02_b.ipynb": 2.0}


def test_budget_default_and_override(monkeypatch):
    monkeypatch.delenv("DDL_BUDGET_S", raising=False)
    assert plugin._budget() == 60.0
    monkeypatch.setenv("DDL_BUDGET_S", "2.5")
    assert plugin._budget() == 2.5


@pytest.mark.parametrize(
    "seconds,status,expected", [(5.0, 0, pytest.ExitCode.TESTS_FAILED), (0.5, 0, 0), (5.0, 2, 2), (5.0, 1, 1)]
)
def test_sessionfinish_fails_only_a_passing_session_over_budget(
    private_times, monkeypatch, seconds, status, expected
):
    monkeypatch.setenv("DDL_BUDGET_S", "1")
    private_times["01_a.ipynb"] = seconds
    session = SimpleNamespace(exitstatus=status)
    plugin.pytest_sessionfinish(session, status)
    assert session.exitstatus == expected


def test_terminal_summary_is_silent_without_notebooks(private_times, tmp_path):
    class Reporter:
        def section(self, *a, **k):
            raise AssertionError("no section expected")

        write_line = section

    plugin.pytest_terminal_summary(Reporter(), 0, SimpleNamespace(rootpath=tmp_path))
    assert not (tmp_path / "build").exists()
