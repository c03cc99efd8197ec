"""`make workshop`: student notebooks without solutions or outputs, stubs in place, checks kept — and each one
executes without error up to (and including) its first exercise stub."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers.workshop import STUB_TAG

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("workshop")
    subprocess.run([sys.executable, "-m", "helpers.workshop", "--out", str(out)], check=True, cwd=ROOT)
    return out


def test_kit_has_every_notebook_and_the_guide(kit):
    assert sorted(p.name for p in (kit / "notebooks").glob("*.ipynb")) == [p.name for p in SOURCES]
    guide = (kit / "INSTRUCTOR.md").read_text(encoding="utf-8")
    for heading in ("Time per section", "90-minute path", "Half-day path", "Which notebooks build on which"):
        assert heading in guide


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_student_notebook_is_clean(kit, source):
    original, student = nbformat.read(source, 4), nbformat.read(kit / "notebooks" / source.name, 4)
    tags = lambda c: c.metadata.get("tags", [])
    assert not any("solution" in tags(c) for c in student.cells), "solutions are removed"
    n_solutions = sum("solution" in tags(c) for c in original.cells)
    assert sum(STUB_TAG in tags(c) for c in student.cells) == n_solutions, "each solution becomes a stub"
    assert all(
        not c.get("outputs") and c.get("execution_count") is None
        for c in student.cells
        if c.cell_type == "code"
    ), "outputs are cleared"
    checks = lambda nb: sum(c.source.count("check_answer(") for c in nb.cells if "solution" not in tags(c))
    assert checks(student) == checks(original) and (n_solutions == 0 or checks(student) >= 3), (
        "checks are kept"
    )


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_student_notebook_runs_up_to_its_first_exercise(kit, source):
    student = nbformat.read(kit / "notebooks" / source.name, 4)
    stub = next(
        (
            i
            for i, c in enumerate(student.cells)
            if c.cell_type == "code" and "NotImplementedError" in c.source
        ),
        len(student.cells) - 1,
    )
    student.cells = student.cells[: stub + 1]
    NotebookClient(
        student, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(kit / "notebooks")}}
    ).execute()
    last = "".join(o.get("text", "") for o in student.cells[stub].get("outputs", []))
    if "NotImplementedError" in student.cells[stub].source:
        assert "not attempted yet" in last, "the first exercise answers its stub with feedback, not an error"
