"""Workshop kits: ``python -m tools.workshop`` (``make workshop``) writes ``build/workshop/``.

Run from the repository root, or name it with ``--root``; ``--out`` chooses another folder.

- ``notebooks/`` — a student version of every notebook: outputs cleared, every cell tagged ``solution``
  removed (nbconvert's ``TagRemovePreprocessor``) and replaced by a stub cell to fill in; exercise checks are
  kept.
- ``INSTRUCTOR.md`` — estimated teaching time per section, a 90-minute and a half-day path, and which
  notebooks build on which.

Teaching time is estimated from the notebook itself: prose at 120 words a minute, 1.5 minutes per code cell
(read, run, look at the output), 8 minutes per exercise — rounded up to 5 minutes per section.
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

STUB_TAG = "student-stub"
STUB_SOURCE = (
    "# ✎ Your turn: complete the exercise cell above and run it again until its check prints ✓.\n"
    "# (The solution is in the instructor's copy of this notebook.)"
)
WORDS_PER_MINUTE, MINUTES_PER_CODE_CELL, MINUTES_PER_EXERCISE = 120, 1.5, 8


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without solutions and outputs; each solution becomes a stub cell."""
    nb = nbformat.from_dict(nb)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if "solution" in cell.metadata.get("tags", []):
            stub = nbformat.v4.new_code_cell(STUB_SOURCE, metadata={"tags": [STUB_TAG]})
            if "id" in cell:  # derived, so that rebuilding the kit gives the same files
                stub.id = f"{cell.id}-stub"
            cells.append(stub)
    nb.cells = cells
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {"solution"}
    config.TagRemovePreprocessor.enabled = True
    nb, _ = TagRemovePreprocessor(config=config).preprocess(nb, {})
    nb, _ = ClearOutputPreprocessor().preprocess(nb, {})
    nb.metadata.pop("widgets", None)
    return nb


def section_minutes(nb: nbformat.NotebookNode) -> dict[str, int]:
    """Estimated teaching minutes per '## ' section (the title and setup count as 'Start')."""
    minutes: dict[str, float] = {"Start": 0.0}
    current = "Start"
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            heading = next((l[3:].strip() for l in cell.source.splitlines() if l.startswith("## ")), None)
            if heading:
                current = heading
                minutes.setdefault(current, 0.0)
            minutes[current] += len(re.findall(r"\w+", cell.source)) / WORDS_PER_MINUTE
        elif "solution" in cell.metadata.get("tags", []):
            minutes[current] += MINUTES_PER_EXERCISE
        elif cell.source.strip():
            minutes[current] += MINUTES_PER_CODE_CELL
    return {k: int(5 * math.ceil(v / 5)) for k, v in minutes.items() if v > 0}


def plan(budget: int, numbers: list[str], times: dict[str, dict[str, int]]) -> list[tuple[str, str, int]]:
    """Whole sections, notebook by notebook in order, while they fit in ``budget`` minutes.

    Sections 1-4 of each notebook come first; Explore and Exercises only when time remains.
    """
    chosen, used = [], 0
    core = lambda s: s == "Start" or s[:2] in ("1.", "2.", "3.", "4.")
    for keep in (core, lambda s: not core(s)):
        for number in numbers:
            for section, minutes in times.get(number, {}).items():
                if keep(section) and used + minutes <= budget and (number, section, minutes) not in chosen:
                    chosen.append((number, section, minutes))
                    used += minutes
    order = {n: i for i, n in enumerate(numbers)}
    sections = {n: list(times.get(n, {})) for n in numbers}
    return sorted(chosen, key=lambda c: (order[c[0]], sections[c[0]].index(c[1])))


def instructor_guide(times: dict[str, dict[str, int]]) -> str:
    """The instructor guide as Markdown; ``times`` maps notebook numbers to :func:`section_minutes`."""
    name = lambda number: collection.entry(number).relpath.stem
    lines = [
        "# Instructor guide",
        "",
        __doc__.split("\n\n")[-1].strip(),
        "",
        "## Time per section (estimated minutes)",
        "",
    ]
    for number, sections in times.items():
        total = sum(sections.values())
        lines.append(
            f"- **{name(number)}** — {total} min: " + ", ".join(f"{s} {m}" for s, m in sections.items())
        )
    first_path = next(iter(collection.PATHS.values()), tuple(times))
    for label, budget in (("90-minute path", 90), ("Half-day path (3.5 hours with breaks)", 180)):
        route = list(first_path[-1:] if budget <= 90 else first_path)  # 90 minutes: one notebook in depth
        chosen = plan(budget, route, times)
        lines += [
            "",
            f"## {label}",
            "",
            f"Notebooks: {', '.join(name(n) for n in route)} — "
            f"{sum(m for _, _, m in chosen)} of {budget} minutes planned.",
            "",
        ]
        lines += [f"1. {name(n)} · {s} ({m} min)" for n, s, m in chosen]
    lines += ["", "## Which notebooks build on which", ""]
    for e in collection.COLLECTION:
        deps = ", ".join(name(d) for d in e.builds_on) or "nothing (a starting point)"
        lines.append(f"- **{name(e.number)}** ({e.topic}) builds on {deps}")
    lines += ["", "## Learning paths", ""] + [f"- {k}: " + " → ".join(v) for k, v in collection.PATHS.items()]
    lines += [
        "",
        "## Running the session",
        "",
        "Students run `make lab` (or open the student notebooks in any JupyterLab with the project "
        "installed).",
        "Each exercise cell prints ✗ with a hint until the answer is right; nothing else needs solutions.",
        "",
    ]
    return "\n".join(lines)


def build(root: Path, out: Path) -> list[Path]:
    """Write the kit of the repository at ``root`` into ``out``; return the student notebooks written.

    Raises:
        ValueError: ``root`` holds no ``notebooks/``, or the notebooks and ``helpers/collection.py`` disagree.
    """
    notebooks = collection.notebook_files(root)
    problems = collection.mismatches(root)
    if problems:
        raise ValueError("the collection table and notebooks/ disagree:\n" + "\n".join(problems))
    if out.exists():
        shutil.rmtree(out)
    (out / "notebooks").mkdir(parents=True)
    written, times = [], {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        if path.name != collection.START_HERE:
            times[path.name[:2]] = section_minutes(nb)
        target = out / "notebooks" / path.name
        nbformat.write(student_version(nb), target)
        written.append(target)
    (out / "INSTRUCTOR.md").write_text(instructor_guide(times), encoding="utf-8")
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
