"""Tests for tools/execute.py: in-place execution in a fresh python3 kernel, cleaned metadata, errors."""

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from tools import execute as ex


def write_notebook(path, sources, kernel="some-old-kernel"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": "Old", "language": "python"}
    for src in sources:
        cell = nbformat.v4.new_code_cell(src)
        # stale state that execution must replace or drop
        cell.execution_count = 42
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="stale\n")]
        cell.metadata["execution"] = {"iopub.execute_input": "2020-01-01T00:00:00Z"}
        cell.metadata["ExecuteTime"] = {"end_time": "2020-01-01T00:00:00Z"}
        cell.metadata["tags"] = ["keep-me"]
        nb.cells.append(cell)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("Some *text* between the code cells."))
    nbformat.write(nb, path)
    return path


def test_execute_in_place(tmp_path):
    path = write_notebook(
        tmp_path / "tiny.ipynb",
        [
            "import os\nprint('hello from cell one', 6 * 7)",
            "x = 'cwd=' + os.getcwd()\nprint(x)",
            "print('third')",
        ],
    )
    seconds = ex.execute(path, timeout=60)
    assert isinstance(seconds, float) and seconds > 0

    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == 3 and nb.cells[1].cell_type == "markdown"
    assert [c.execution_count for c in code] == [1, 2, 3]
    texts = ["".join(o.get("text", "") for o in c.outputs) for c in code]
    assert all(c.outputs for c in code)
    assert texts[0] == "hello from cell one 42\n"
    assert texts[1].strip() == f"cwd={tmp_path}"  # runs beside the notebook
    assert "stale" not in "".join(texts)
    for cell in nb.cells:
        assert "execution" not in cell.metadata and "ExecuteTime" not in cell.metadata
    assert code[0].metadata["tags"] == ["keep-me"]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["kernelspec"] == ex.KERNEL


def test_execute_stops_at_a_failing_cell(tmp_path):
    path = write_notebook(
        tmp_path / "broken.ipynb",
        [
            "print('before')",
            "raise RuntimeError('boom from the notebook')",
            "print('never reached')",
        ],
    )
    before = path.read_text()
    with pytest.raises(CellExecutionError, match="boom from the notebook"):
        ex.execute(path, timeout=60)
    assert path.read_text() == before, "a failed run must leave the notebook untouched"


def test_clean():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1"), nbformat.v4.new_markdown_cell("x")]
    for cell in nb.cells:
        cell.metadata.update(execution={"a": 1}, ExecuteTime={"b": 2}, collapsed=False)
    out = ex.clean(nb)
    assert out is nb
    assert nb.metadata["kernelspec"] == {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.metadata["kernelspec"]["name"] = "changed"
    assert ex.KERNEL["name"] == "python3", "clean must copy the kernel spec, not share it"
    for cell in nb.cells:
        assert dict(cell.metadata) == {"collapsed": False}


@pytest.mark.parametrize("name", ["notes.txt", "missing.ipynb", "script.py"])
def test_main_rejects_non_notebooks(tmp_path, capsys, name):
    path = tmp_path / name
    if name != "missing.ipynb":
        path.write_text("print(1)\n")
    with pytest.raises(SystemExit) as exc:
        ex.main([str(path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "not a notebook" in err and name in err


def test_main_checks_every_path_before_running_any(tmp_path, capsys, monkeypatch):
    good = write_notebook(tmp_path / "good.ipynb", ["print(1)"])
    ran = []
    monkeypatch.setattr(ex, "execute", lambda path, timeout=600: ran.append(path) or 0.0)
    with pytest.raises(SystemExit):
        ex.main([str(good), str(tmp_path / "bad.txt")])
    assert ran == []


def test_main_runs_each_notebook(tmp_path, capsys, monkeypatch):
    a, b = write_notebook(tmp_path / "a.ipynb", ["1"]), write_notebook(tmp_path / "b.ipynb", ["2"])
    ran = []
    monkeypatch.setattr(ex, "execute", lambda path, timeout=600: ran.append((path, timeout)) or 1.25)
    monkeypatch.delenv("DDL_QUIET", raising=False)
    assert ex.main([str(a), str(b), "--timeout", "7"]) == 0
    assert ran == [(a, 7), (b, 7)]
    import os

    assert os.environ["DDL_QUIET"] == "1"
    out = capsys.readouterr().out
    assert out.count("done in 1.2 s") == 2 and f"executing {a}" in out


def test_main_needs_a_path():
    with pytest.raises(SystemExit):
        ex.main([])
