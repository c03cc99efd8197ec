"""`make workshop`: every kit notebook equals its source with each solution replaced by a stub, instructor
cells removed, a session cell (objectives, class and home exercises) after the title and outputs cleared
(compared cell by cell), checkers and hints kept; instructor notes reach the guide; one kit notebook, its
solutions put back, runs end to end. Executing one is enough: the nbval run and the browser check already
execute every source notebook, and the kit changes nothing else."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import collection
from tools import lessons
from tools.workshop import SESSION_TAG, STUB_SOURCE, STUB_TAG

#: The kit notebook executed end to end: the quickest topic notebook measured with its solutions put back
#: (01: 15 s on 2 cores; 02: 19 s, 12: 26 s, 03: 53 s).
EXECUTED = collection.entry("01").filename
HINT = re.compile(r"\bhint\s*=|^\W*hints?\b", re.IGNORECASE | re.MULTILINE)
CLEARED_METADATA = {"collapsed", "scrolled"}  # what nbconvert's ClearOutputPreprocessor drops


def pytest_generate_tests(metafunc):
    if "source" in metafunc.fixturenames:
        files = collection.notebook_files(metafunc.config.rootpath)
        metafunc.parametrize("source", files, ids=[p.name for p in files])


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


def is_solution(cell) -> bool:
    return "solution" in tags(cell)


@pytest.fixture(scope="module")
def kit(tmp_path_factory, repo_root) -> Path:
    out = tmp_path_factory.mktemp("workshop")
    subprocess.run(
        [sys.executable, "-m", "tools.workshop", "--root", str(repo_root), "--out", str(out)],
        check=True,
        cwd=repo_root,
    )
    return out


def test_kit_has_every_notebook_and_the_guide(kit, repo_root):
    names = [p.name for p in collection.notebook_files(repo_root)]
    assert sorted(p.name for p in (kit / "notebooks").glob("*.ipynb")) == names
    guide = (kit / "INSTRUCTOR.md").read_text(encoding="utf-8")
    for heading in ("## Lesson plans", "## Notebooks", "## Which notebooks build on which", "## Running"):
        assert heading in guide
    for plan in lessons.PLANS:
        assert f"### {plan.path} — {plan.label}" in guide, f"no plan {plan.label} for {plan.path}"
    for e in collection.COLLECTION:
        assert f"### {e.relpath.stem}\n" in guide, f"{e.filename} has no part in the guide"


def test_instructor_cells_stay_out_of_the_kit_and_go_into_the_guide(kit, repo_root):
    guide = (kit / "INSTRUCTOR.md").read_text(encoding="utf-8")
    found = 0
    for source in collection.notebook_files(repo_root):
        student = nbformat.read(kit / "notebooks" / source.name, 4)
        assert not [c for c in student.cells if lessons.is_instructor(c) or "Instructor notes" in c.source]
        notes = lessons.instructor_notes(nbformat.read(source, 4))
        for item in notes.misconceptions + notes.discussion:
            assert item in guide, f"{source.name}: an instructor note is missing from the guide: {item[:60]}"
            found += 1
        for row in notes.exercises:
            assert f"| {row['exercise']} | {row['where']} | {row['minutes']} |" in guide
    assert found >= 5, "01's instructor notes (the worked example) reach the guide"


def test_kit_notebook_is_its_source_without_solutions_or_outputs(kit, source):
    original, student = nbformat.read(source, 4), nbformat.read(kit / "notebooks" / source.name, 4)
    widgetless = {k: v for k, v in original.metadata.items() if k != "widgets"}
    assert student.metadata == widgetless, "notebook metadata kept, widget state dropped"
    session = student.cells.pop(1)
    assert tags(session) == [SESSION_TAG] and session.cell_type == "markdown", (
        "the session cell follows the title"
    )
    assert lessons.objectives(original) in session.source, "the session cell states the objectives"
    taught = [c for c in original.cells if not lessons.is_instructor(c)]
    assert len(student.cells) == len(taught), "each solution is replaced by exactly one stub"
    for i, (was, now) in enumerate(zip(taught, student.cells)):
        if is_solution(was):
            assert tags(now) == [STUB_TAG] and now.source == STUB_SOURCE, f"cell {i}: solution not stubbed"
            assert now.cell_type == "code" and not now.outputs and now.execution_count is None
            continue
        assert (now.cell_type, now.source, now.get("id")) == (was.cell_type, was.source, was.get("id")), (
            f"cell {i} differs from the source notebook"
        )
        kept = {k: v for k, v in was.metadata.items() if k not in CLEARED_METADATA}
        assert now.metadata == kept, f"cell {i}: metadata changed"
        if now.cell_type == "code":
            assert now.outputs == [] and now.execution_count is None, f"cell {i}: outputs not cleared"


#: an exercise checks its answer with check_answer or a topic checker (exercises.check_<name>)
CHECKER_CALL = re.compile(r"\bcheck_answer\(|\bexercises\.check_\w+\(")


def test_kit_notebook_keeps_checkers_and_hints(kit, source):
    student = nbformat.read(kit / "notebooks" / source.name, 4)
    n_solutions = sum(is_solution(c) for c in nbformat.read(source, 4).cells)
    exercises = [c for c in student.cells if c.cell_type == "code" and CHECKER_CALL.search(c.source)]
    hints = sum(len(HINT.findall(c.source)) for c in student.cells)
    stubs = sum(STUB_TAG in tags(c) for c in student.cells)
    assert stubs == n_solutions and len(exercises) >= n_solutions, "one checked exercise per solution"
    assert hints >= len(exercises), f"{len(exercises)} exercises but {hints} hints"
    assert all("NotImplementedError" in c.source for c in exercises), "each exercise leaves a stub to fill in"


def test_one_kit_notebook_runs_end_to_end_with_its_solutions_put_back(kit, repo_root):
    """The kit's stubs and the checkers' 'not attempted yet' path, run in a real kernel."""
    original = nbformat.read(repo_root / "notebooks" / EXECUTED, 4)
    student = nbformat.read(kit / "notebooks" / EXECUTED, 4)
    solutions = [c for c in original.cells if is_solution(c)]
    assert solutions, f"{EXECUTED} has no solution to put back"
    stubs = [i for i, c in enumerate(student.cells) if STUB_TAG in tags(c)]
    for i, solution in zip(stubs, solutions, strict=True):
        student.cells[i] = nbformat.v4.new_code_cell(solution.source, metadata={"tags": ["solution"]})
    NotebookClient(
        student, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(kit / "notebooks")}}
    ).execute()
    printed = lambda cell: "".join(o.get("text", "") for o in cell.get("outputs", []))
    for cell in student.cells:
        if cell.cell_type == "code" and CHECKER_CALL.search(cell.source) and not is_solution(cell):
            assert "not attempted yet" in printed(cell), "an unanswered exercise answers with feedback"
    for i in stubs:
        text = printed(student.cells[i])
        assert "✓" in text and "✗" not in text, f"the solution in cell {i} fails its checker: {text}"
