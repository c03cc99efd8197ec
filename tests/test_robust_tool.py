"""Tests for tools/robust.py: each code cell run twice in a fresh kernel with DDL_THREADS set, failures named
by notebook, cell index and run; argument checks; the notebook is never written to."""

import nbformat
import pytest

from tools import robust

#: Fails on its second run only: the state a first run leaves behind breaks the second.
COUNTS_ITS_RUNS = (
    "try:\n    runs += 1\nexcept NameError:\n    runs = 1\nassert runs == 1, f'ran {runs} times'"
)


def write_notebook(path, sources):
    """A notebook with a markdown cell first, so that cell indices count markdown cells too."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A tiny notebook")]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in sources]
    nbformat.write(nb, path)
    return path


def test_a_cell_that_fails_on_its_second_run_is_named(tmp_path):
    path = write_notebook(tmp_path / "twice.ipynb", ["x = 1", COUNTS_ITS_RUNS, "print('later')"])
    before = path.read_bytes()
    report = robust.check(path, threads=2, timeout=60)
    assert not report.ok
    assert [(f.index, f.run, f.runs, f.ename) for f in report.failures] == [(2, 2, 2, "AssertionError")]
    assert report.failures[0].evalue == "ran 2 times"
    text = str(report)
    assert (
        "FAILED" in text and "twice.ipynb: cell 2 (`try:`), run 2 of 2: AssertionError: ran 2 times" in text
    )
    assert path.read_bytes() == before, "the tool must never write to the notebook"
    # run once, the same notebook passes: the failure is the second run's
    assert robust.check(path, threads=2, runs=1, timeout=60).ok


def test_a_clean_notebook_passes_with_the_threads_asked_for(tmp_path):
    path = write_notebook(
        tmp_path / "clean.ipynb",
        [
            "import os\nimport torch",
            "assert os.environ['DDL_THREADS'] == '4' and os.environ['DDL_QUIET'] == '1'",
            "torch.set_num_threads(int(os.environ['DDL_THREADS']))  # what helpers.setup does",
            "",  # empty cells are skipped, not counted as runs
            "g = torch.Generator().manual_seed(0)\nassert torch.rand(2, generator=g).shape == (2,)",
        ],
    )
    report = robust.check(path, threads=4, timeout=60)
    assert report.ok, str(report)
    assert report.failures == [] and report.problems == [] and report.seconds > 0
    assert str(report).endswith(f"ok in {report.seconds:.1f} s")


def test_keep_going_reports_every_failing_cell_and_the_first_failing_run(tmp_path):
    path = write_notebook(tmp_path / "two.ipynb", ["raise KeyError('first')", COUNTS_ITS_RUNS])
    stop = robust.check(path, timeout=60)
    assert [(f.index, f.run) for f in stop.failures] == [(1, 1)], "stops at the first failing cell"
    on = robust.check(path, timeout=60, keep_going=True)
    assert [(f.index, f.run, f.ename) for f in on.failures] == [(1, 1, "KeyError"), (2, 2, "AssertionError")]


def test_a_thread_count_set_inside_the_notebook_is_a_problem(tmp_path):
    path = write_notebook(tmp_path / "pinned.ipynb", ["import torch\ntorch.set_num_threads(1)"])
    report = robust.check(path, threads=3, timeout=60)
    assert not report.ok and report.failures == []
    assert report.problems == ["torch ran with 1 thread, not the 3 asked for"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(threads=0), ValueError, "threads must be an int >= 1, got 0"),
        (dict(threads=2.0), TypeError, "threads must be an int >= 1, got float"),
        (dict(runs=0), ValueError, "runs must be an int >= 1, got 0"),
        (dict(timeout=True), TypeError, "timeout must be an int >= 1, got bool"),
        (dict(keep_going="yes"), TypeError, "keep_going"),
    ],
)
def test_check_validates_its_arguments(tmp_path, kwargs, error, match):
    path = write_notebook(tmp_path / "ok.ipynb", ["1"])
    with pytest.raises(error, match=match):
        robust.check(path, **kwargs)


def test_check_refuses_what_is_not_a_notebook(tmp_path):
    (tmp_path / "notes.txt").write_text("{}")
    for bad in (tmp_path / "missing.ipynb", tmp_path / "notes.txt", tmp_path):
        with pytest.raises(ValueError, match="path must be an existing .ipynb file"):
            robust.check(bad)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--threads", "0", "x.ipynb"], "--threads must be an int >= 1, got 0"),
        (["--threads", "two", "x.ipynb"], "invalid int value: 'two'"),
        (["--timeout", "0", "x.ipynb"], "--timeout must be an int >= 1, got 0"),
        (["missing.ipynb"], "not a notebook: "),
        (["notes.txt"], "not a notebook: "),
        ([], "root must be the repository root"),  # no notebooks named and no notebooks/ folder
        (["--root", "nowhere", "x.ipynb"], "--root must be a directory"),
    ],
)
def test_main_validates_its_arguments(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("{}")
    with pytest.raises(SystemExit) as exit_info:
        robust.main(["--root", str(tmp_path), *argv] if "--root" not in argv else argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_main_exit_status_and_report(tmp_path, capsys):
    write_notebook(tmp_path / "good.ipynb", ["print('fine')"])
    write_notebook(tmp_path / "bad.ipynb", [COUNTS_ITS_RUNS])
    assert robust.main(["--root", str(tmp_path), "--timeout", "60", "good.ipynb"]) == 0
    assert "all 1 notebooks passed" in capsys.readouterr().out
    assert robust.main(["--root", str(tmp_path), "good.ipynb", "bad.ipynb"]) == 1
    captured = capsys.readouterr()
    assert "good.ipynb (threads=3, each code cell run 2x): ok in" in captured.out
    assert "1 of 2 notebooks failed" in captured.err
    assert "bad.ipynb: cell 1 (`try:`), run 2 of 2: AssertionError: ran 2 times" in captured.err
