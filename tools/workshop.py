"""Workshop kits: ``python -m tools.workshop`` (``make workshop``) writes ``build/workshop/``.

Run from the repository root, or name it with ``--root``; ``--out`` chooses another folder.

- ``notebooks/`` — a student version of every notebook: outputs cleared, every cell tagged ``instructor``
  removed, every cell tagged ``solution`` removed and replaced by a stub cell to fill in (exercise checks and
  hints are kept), and after the title a cell saying what the session is for: the objectives and which
  exercises are planned for class and which for home.
- ``INSTRUCTOR.md`` — the instructor guide: for every learning path a 90-minute and a half-day lesson plan
  (``tools/lessons.py``; each respects the prerequisites of the collection map), then for every notebook its
  objectives, prerequisites, minutes per section, and the instructor notes collected from its ``instructor``
  cells (misconceptions with the cell that confronts each, discussion questions with their point, exercises
  for class or homework with their minutes).

Minutes are reading estimates (prose at 120 words a minute, code at 15 lines a minute) plus the seconds each
code cell took in the last rehearsal (`python -m tools.rehearse`), rounded up to 5 minutes per block.
"""

from __future__ import annotations

import argparse
import math
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearOutputPreprocessor, TagRemovePreprocessor
from traitlets.config import Config

from helpers import collection
from tools import lessons

STUB_TAG = "student-stub"
SESSION_TAG = "session-plan"
STUB_SOURCE = (
    "# ✎ Your turn: complete the exercise cell above and run it again until its check prints ✓.\n"
    "# (The solution is in the instructor's copy of this notebook.)"
)
REMOVED_TAGS = {"solution", lessons.INSTRUCTOR_TAG}


def session_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student kit's second cell: objectives, and the exercises planned for class and for home."""
    lines = [
        f"**In this session you will be able to** {lessons.objectives(nb) or 'see the title above.'}",
        "",
    ]
    titles = lessons.exercise_titles(nb)
    rows = lessons.instructor_notes(nb).exercises
    if rows:
        for where, label in (("class", "In class"), ("homework", "At home")):
            chosen = [r for r in rows if r["where"] == where]
            if chosen:
                listed = "; ".join(
                    f"Exercise {r['number']} — {titles.get(r['number'], r['exercise'])} "
                    f"(about {r['minutes']} min)"
                    for r in chosen
                )
                lines.append(f"- **{label}:** {listed}")
    elif titles:
        lines.append("- **Exercises** (§6): " + "; ".join(f"{n} — {t}" for n, t in sorted(titles.items())))
    cell = nbformat.v4.new_markdown_cell("\n".join(lines).rstrip(), metadata={"tags": [SESSION_TAG]})
    cell.id = "session-plan"
    return cell


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without solutions, instructor notes or outputs; each solution becomes a stub cell,
    and a session cell follows the title."""
    nb = nbformat.from_dict(nb)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if "solution" in cell.metadata.get("tags", []):
            stub = nbformat.v4.new_code_cell(STUB_SOURCE, metadata={"tags": [STUB_TAG]})
            if "id" in cell:  # derived, so that rebuilding the kit gives the same files
                stub.id = f"{cell.id}-stub"
            cells.append(stub)
    if cells and cells[0].cell_type == "markdown" and cells[0].source.startswith("# "):
        cells.insert(1, session_cell(nb))
    nb.cells = cells
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = REMOVED_TAGS
    config.TagRemovePreprocessor.enabled = True
    nb, _ = TagRemovePreprocessor(config=config).preprocess(nb, {})
    nb, _ = ClearOutputPreprocessor().preprocess(nb, {})
    nb.metadata.pop("widgets", None)
    return nb


def _rounded(minutes: float) -> int:
    return int(5 * math.ceil(minutes / 5)) if minutes > 0 else 0


def plan_markdown(plan: lessons.Plan, timer: lessons.Timer) -> list[str]:
    """One lesson plan as Markdown: goal, what students did before, the steps with minutes, homework."""
    name = lambda number: collection.entry(number).label
    before = lessons.prerequisites_closure(plan.done_before)
    lines = [
        f"### {plan.path} — {plan.label}",
        "",
        f"**Goal.** Students can {plan.goal}.",
        "",
        "**Before the session** students have worked through: "
        + (", ".join(name(n) for n in before) if before else "nothing (the plan starts from the beginning)")
        + ".",
        "",
        "| # | notebook | part | what the teacher does | minutes |",
        "|---|---|---|---|---|",
    ]
    total = 0
    for i, step in enumerate(plan.steps, start=1):
        nb = timer.notebook(step.notebook)
        titles = lessons.section_titles(nb)
        part = ", ".join(
            f"§{s} {titles.get(s, '')}".strip() if s != "0" else "title and setup" for s in step.sections
        )
        exercise_titles = lessons.exercise_titles(nb)
        for e in step.exercises:
            minutes, timed = timer.exercise_minutes(step.notebook, e)
            part += ("; " if part else "") + f"Exercise {e} — {exercise_titles.get(e, '?')}"
            if not timed:
                part += " (minutes estimated: no instructor notes yet)"
        minutes = timer.step_minutes(step)
        total += minutes
        lines.append(f"| {i} | {name(step.notebook)} | {part} | {step.what} | {minutes} |")
    lines += [
        "",
        f"**{total} of {plan.budget} minutes planned**; the rest is for questions and the discussion.",
    ]
    if plan.homework:
        lines.append(f"**Afterwards (homework):** {'; '.join(plan.homework)}.")
    return lines + [""]


def notebook_markdown(number: str, timer: lessons.Timer) -> list[str]:
    """One notebook's part of the guide: objectives, prerequisites, minutes per section, instructor notes."""
    entry = collection.entry(number)
    nb = timer.notebook(number)
    direct = [collection.entry(d).label for d in entry.builds_on]
    earlier = [collection.entry(d).label for d in lessons.prerequisites_closure(entry.builds_on)]
    lines = [
        f"### {entry.relpath.stem}",
        "",
        f"**Objectives.** Students will be able to {lessons.objectives(nb)}",
        "",
    ]
    if direct:
        lines.append(
            f"**Prerequisites** (collection map): {', '.join(direct)}; in all, {', '.join(earlier)}."
        )
    else:
        lines.append("**Prerequisites** (collection map): none — a starting point.")
    code = [
        c
        for c in nb.cells
        if c.cell_type == "code" and c.source.strip() and "solution" not in lessons.tags(c)
    ]
    timed = sum(c.get("id") in timer.seconds(number) for c in code)
    measured = (
        f"{timed} of {len(code)} code cells measured in the last rehearsal"
        if timer.measured(number)
        else "not rehearsed yet: reading only"
    )
    times = lessons.section_times(nb, timer.seconds(number))
    titles = lessons.section_titles(nb)
    lines += ["", f"**Minutes per section** (reading + running, {measured}):", ""]
    lines += ["| section | reading | running | block |", "|---|---|---|---|"]
    for section, t in times.items():
        label = titles.get(section, section) if section == "0" else f"{section}. {titles.get(section, '')}"
        lines.append(f"| {label} | {t['read']:.1f} | {t['run']:.1f} | {_rounded(t['read'] + t['run'])} |")
    lines.append("")
    return lines + notes_markdown(nb)


def notes_markdown(nb: nbformat.NotebookNode) -> list[str]:
    """The instructor notes of ``nb`` as guide Markdown (a pointer to CONTRIBUTING.md when there are none)."""
    notes = lessons.instructor_notes(nb)
    if not (notes.misconceptions or notes.discussion or notes.exercises):
        titles_ex = lessons.exercise_titles(nb)
        return [
            "**Instructor notes:** not written yet (cells tagged `instructor`, as in 01; see "
            "CONTRIBUTING.md).",
            "Exercises: " + "; ".join(f"{n} — {t}" for n, t in sorted(titles_ex.items())) + ".",
            "",
        ]
    lines = ["**Common misconceptions**, each with what confronts it:", ""]
    lines += [f"- {m}" for m in notes.misconceptions] + [
        "",
        "**Discussion questions**, each with its point:",
        "",
    ]
    lines += [f"- {q}" for q in notes.discussion] + [""]
    if notes.exercises:
        lines += ["**Exercises**:", ""]
        lines += ["| exercise | in class or homework | minutes | what to watch for |", "|---|---|---|---|"]
        rows = notes.exercises
        lines += [f"| {r['exercise']} | {r['where']} | {r['minutes']} | {r['watch']} |" for r in rows] + [""]
    label = lambda match: f"**{match[1].strip().capitalize()}**:"
    for other in notes.other:  # a kind of its own, e.g. 00's activities: its heading becomes a bold label
        lines += [re.sub(r"\A#+\s*Instructor notes:\s*(.+)", label, other), ""]
    return lines


def start_here_markdown(root: Path) -> list[str]:
    """``00_start_here``'s part of the guide (it draws the map and has no entry in it): objectives, reading
    minutes and its instructor notes."""
    path = Path(root) / collection.NOTEBOOK_DIR / collection.START_HERE
    if not path.exists():
        return []
    nb = nbformat.read(path, as_version=4)
    seconds = lessons.load_rehearsal(root).get(collection.START_HERE, {}).get("cells", {})
    minutes = sum(t["read"] + t["run"] for t in lessons.section_times(nb, seconds).values())
    lines = [
        f"### {path.stem}",
        "",
        f"**Objectives.** Students will be able to {lessons.objectives(nb)}",
        "",
        "**Prerequisites:** none — the opening notebook, which draws the collection map.",
        "",
        f"**Minutes:** {_rounded(minutes)} (reading + running), before the activities below.",
        "",
    ]
    return lines + notes_markdown(nb)


def instructor_guide(root: Path) -> str:
    """The instructor guide of the repository at ``root`` as Markdown."""
    timer = lessons.Timer(root)
    name = lambda number: collection.entry(number).relpath.stem
    lines = ["# Instructor guide", "", __doc__.split("\n\n")[-1].strip(), ""]
    machine = lessons.load_rehearsal_machine(root)
    if machine:
        lines += [f"The rehearsal ran on {machine}.", ""]
    lines += ["## Lesson plans", ""]
    lines += [
        "Each plan is chosen by the path's objectives and keeps to the collection map: every notebook it "
        "uses comes after its prerequisites, taught earlier in the session or worked through before it.",
        "",
    ]
    for plan in lessons.PLANS:
        lines += plan_markdown(plan, timer)
    lines += ["## Notebooks", ""] + start_here_markdown(root)
    for e in collection.COLLECTION:
        lines += notebook_markdown(e.number, timer)
    lines += ["## Which notebooks build on which", ""]
    for e in collection.COLLECTION:
        deps = ", ".join(name(d) for d in e.builds_on) or "nothing (a starting point)"
        lines.append(f"- **{name(e.number)}** ({e.topic}) builds on {deps}")
    lines += ["", "## Learning paths", ""] + [f"- {k}: " + " → ".join(v) for k, v in collection.PATHS.items()]
    lines += [
        "",
        "## Running the session",
        "",
        "- Students run `make setup`, then `.venv/bin/jupyter lab --notebook-dir=build/workshop/notebooks` "
        "(or open the student notebooks in any JupyterLab with the project installed). Each exercise cell "
        "prints ✗ with a hint until the answer is right; nothing else needs solutions.",
        "- Project the notebook live with RISE: `make present` opens JupyterLab on the presenter's copies "
        "(`build/slides/notebooks/`, slide types set); press the slideshow button (or Alt-R). Explorers do "
        "not render inside RISE 0.43 (ipywidgets 8): show them in the JupyterLab tab, which shares the "
        "kernel.",
        "- Without a kernel, `make slides` writes offline decks (`build/slides/index.html`); S opens these "
        "notes as speaker notes.",
        "",
    ]
    return "\n".join(lines)


def build(root: Path, out: Path) -> list[Path]:
    """Write the kit of the repository at ``root`` into ``out``; return the student notebooks written.

    Raises:
        ValueError: ``root`` holds no ``notebooks/``, the notebooks and ``helpers/collection.py`` disagree,
            or a lesson plan uses a notebook before its prerequisites.
    """
    notebooks = collection.notebook_files(root)
    problems = collection.mismatches(root)
    if problems:
        raise ValueError("the collection table and notebooks/ disagree:\n" + "\n".join(problems))
    problems = [p for plan in lessons.PLANS for p in lessons.plan_problems(plan)]
    if problems:
        raise ValueError("lesson plans break the collection map:\n" + "\n".join(problems))
    if out.exists():
        shutil.rmtree(out)
    (out / "notebooks").mkdir(parents=True)
    written = []
    for path in notebooks:
        target = out / "notebooks" / path.name
        nbformat.write(student_version(nbformat.read(path, as_version=4)), target)
        written.append(target)
    (out / "INSTRUCTOR.md").write_text(instructor_guide(root), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write the workshop kit (student notebooks + instructor guide)."
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: here)")
    parser.add_argument("--out", type=Path, help="output folder (default: ROOT/build/workshop)")
    args = parser.parse_args(argv)
    out = args.out or args.root / "build" / "workshop"
    try:
        written = build(args.root, out)
    except ValueError as error:
        parser.error(str(error))
    print(f"workshop kit: {len(written)} student notebooks and INSTRUCTOR.md in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
