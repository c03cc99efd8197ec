"""Teaching material read from the notebooks, and the lesson plans of the workshop guide.

- :func:`objectives` — the title cell's "**You will be able to** …" sentence.
- :func:`instructor_notes` — the Markdown cells tagged ``instructor`` (see CONTRIBUTING.md): misconceptions,
  discussion questions and the exercise table (in class or homework, minutes).
- :func:`section_times` — minutes per ``##`` section: prose read at :data:`WORDS_PER_MINUTE`, code walked
  through at :data:`CODE_LINES_PER_MINUTE`, plus the seconds each code cell took in the last rehearsal
  (``tools/rehearsal.json``, written by ``python -m tools.rehearse``).
- :data:`PLANS` — for every learning path of ``helpers.collection.PATHS`` a 90-minute and a half-day plan.
  :func:`plan_problems` says where a plan uses a notebook before its prerequisites (from the collection map)
  or runs over its time; ``tests/test_teaching_tools.py`` fails on any.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from helpers import collection

WORDS_PER_MINUTE = 120  # prose, read and explained
CODE_LINES_PER_MINUTE = 15  # code, walked through on the projector
DEFAULT_EXERCISE_MINUTES = 10  # an exercise that the notebook's instructor notes do not time
REHEARSAL = Path("tools") / "rehearsal.json"
INSTRUCTOR_TAG = "instructor"
NOTE_KINDS = ("misconceptions", "discussion", "exercises")
EXERCISE_TITLE = re.compile(r"\*\*Exercise (\d+)\s*[—-]\s*(.+?)\*\*")


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


def is_instructor(cell) -> bool:
    return INSTRUCTOR_TAG in tags(cell)


def objectives(nb: nbformat.NotebookNode) -> str:
    """What the reader will be able to do, from the title cell ('' when it does not say)."""
    match = re.search(r"\*\*You will be able to\*\*\s*(.+)", nb.cells[0].source if nb.cells else "")
    return match.group(1).strip() if match else ""


def section_of(nb: nbformat.NotebookNode) -> list[str]:
    """For each cell, the number of the ``## N.`` section it is in ('0' before the first)."""
    current, out = "0", []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not is_instructor(cell):
            for line in cell.source.splitlines():
                match = re.match(r"## (\d+)\.", line)
                if match:
                    current = match.group(1)
        out.append(current)
    return out


def section_titles(nb: nbformat.NotebookNode) -> dict[str, str]:
    """``{'1': 'The idea', …}`` from the ``## N. Title`` headings."""
    titles = {"0": "Start"}
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not is_instructor(cell):
            for line in cell.source.splitlines():
                match = re.match(r"## (\d+)\.\s*(.+)", line)
                if match:
                    titles[match.group(1)] = match.group(2).strip()
    return titles


# --- instructor notes ------------------------------------------------------------------------------------


@dataclass
class InstructorNotes:
    misconceptions: list[str]  # Markdown bullets, each naming the cell or explorer setting that confronts it
    discussion: list[str]  # Markdown bullets, each a question and its point
    exercises: list[dict]  # {"exercise", "number", "where" ('class' or 'homework'), "minutes", "watch"}
    other: list[str]  # instructor cells of no known kind, as written

    def missing(self) -> list[str]:
        """What the notes lack against CONTRIBUTING.md's rules (empty: complete)."""
        problems = []
        if not 3 <= len(self.misconceptions) <= 5:
            problems.append(f"{len(self.misconceptions)} misconceptions (3-5 expected)")
        problems += [
            f"misconception without '*Confronted by:*': {m[:60]}…"
            for m in self.misconceptions
            if "*Confronted by:*" not in m
        ]
        if not 2 <= len(self.discussion) <= 3:
            problems.append(f"{len(self.discussion)} discussion questions (2-3 expected)")
        problems += [
            f"question without '*Point:*': {q[:60]}…" for q in self.discussion if "*Point:*" not in q
        ]
        if not self.exercises:
            problems.append("no exercise table")
        return problems


def _bullets(text: str) -> list[str]:
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif items and line.startswith("  ") and line.strip():
            items[-1] += " " + line.strip()
    return items


def _exercise_rows(text: str) -> list[dict]:
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[1] in ("class", "homework") and cells[2].isdigit():
            number = re.match(r"(\d+)", cells[0])
            rows.append(
                {
                    "exercise": cells[0],
                    "number": int(number.group(1)) if number else None,
                    "where": cells[1],
                    "minutes": int(cells[2]),
                    "watch": cells[3],
                }
            )
    return rows


def instructor_notes(nb: nbformat.NotebookNode) -> InstructorNotes:
    """The notebook's ``instructor`` cells, by the kind their ``### Instructor notes: <kind>`` names."""
    notes = InstructorNotes([], [], [], [])
    for cell in nb.cells:
        if not is_instructor(cell):
            continue
        first = cell.source.splitlines()[0] if cell.source else ""
        kind = re.match(r"#+\s*Instructor notes:\s*(\w+)", first)
        kind = kind.group(1).lower() if kind else ""
        if kind == "misconceptions":
            notes.misconceptions += _bullets(cell.source)
        elif kind == "discussion":
            notes.discussion += _bullets(cell.source)
        elif kind == "exercises":
            notes.exercises += _exercise_rows(cell.source)
        else:
            notes.other.append(cell.source)
    return notes


def exercise_titles(nb: nbformat.NotebookNode) -> dict[int, str]:
    """``{1: 'predict, then verify.', …}`` from the ``**Exercise N — title**`` lines of the notebook."""
    titles = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not is_instructor(cell):
            for number, title in EXERCISE_TITLE.findall(cell.source):
                titles.setdefault(int(number), title.strip().rstrip("."))
    return titles


# --- time ------------------------------------------------------------------------------------------------


def load_rehearsal(root: Path) -> dict:
    """``{notebook file name: {"total_s", "cells": {cell id: seconds}}}`` from the last rehearsal."""
    path = Path(root) / REHEARSAL
    return json.loads(path.read_text(encoding="utf-8")).get("notebooks", {}) if path.exists() else {}


def load_rehearsal_machine(root: Path) -> str:
    """The machine the last rehearsal ran on ('' when there was none)."""
    path = Path(root) / REHEARSAL
    return json.loads(path.read_text(encoding="utf-8")).get("machine", "") if path.exists() else ""


def cell_minutes(cell, seconds: dict[str, float]) -> tuple[float, float]:
    """(reading minutes, measured run minutes) of one cell; instructor and solution cells take none."""
    if is_instructor(cell) or "solution" in tags(cell):
        return 0.0, 0.0
    if cell.cell_type == "markdown":
        return len(re.findall(r"\w+", cell.source)) / WORDS_PER_MINUTE, 0.0
    if cell.cell_type == "code" and cell.source.strip():
        lines = len([line for line in cell.source.splitlines() if line.strip()])
        return lines / CODE_LINES_PER_MINUTE, seconds.get(cell.get("id", ""), 0.0) / 60
    return 0.0, 0.0


def section_times(nb: nbformat.NotebookNode, seconds: dict[str, float]) -> dict[str, dict[str, float]]:
    """``{section number: {"read": minutes, "run": minutes}}`` over every cell of each section."""
    times: dict[str, dict[str, float]] = {}
    for cell, section in zip(nb.cells, section_of(nb)):
        read, run = cell_minutes(cell, seconds)
        entry = times.setdefault(section, {"read": 0.0, "run": 0.0})
        entry["read"] += read
        entry["run"] += run
    return times


# --- lesson plans ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One block of a session: sections of a notebook taught in class, or exercises done in class."""

    notebook: str  # number, e.g. "04"
    sections: tuple[str, ...] = ()  # section numbers taught ("1", "2", …; "0": title and setup)
    exercises: tuple[int, ...] = ()  # exercise numbers done in class
    what: str = ""  # what the teacher does, in a few words


@dataclass(frozen=True)
class Plan:
    path: str  # a key of helpers.collection.PATHS
    budget: int  # minutes of teaching
    goal: str  # what students can do afterwards
    done_before: tuple[str, ...]  # notebooks students worked through before the session
    steps: tuple[Step, ...]
    homework: tuple[str, ...] = ()  # notebooks (or parts) left for afterwards, in words

    @property
    def label(self) -> str:
        return "90 minutes" if self.budget <= 90 else f"half a day ({self.budget} min of teaching)"


def prerequisites_closure(numbers) -> list[str]:
    """``numbers`` and everything they build on, in collection order."""
    seen, todo = set(), list(numbers)
    while todo:
        number = todo.pop()
        if number not in seen:
            seen.add(number)
            todo += collection.entry(number).builds_on
    return sorted(seen)


def plan_problems(plan: Plan, minutes=None) -> list[str]:
    """Where ``plan`` uses a notebook before its prerequisites, or (given ``minutes``: a function of a step
    returning its minutes) runs over its budget. Empty: the plan is sound."""
    problems = []
    known = set(prerequisites_closure(plan.done_before))
    for i, step in enumerate(plan.steps, start=1):
        missing = [d for d in collection.entry(step.notebook).builds_on if d not in known]
        if missing:
            problems.append(
                f"{plan.path} ({plan.label}), step {i}: {step.notebook} comes before its prerequisites "
                f"{', '.join(missing)} (teach them earlier or list them in done_before)"
            )
        known.add(step.notebook)
    members = collection.PATHS.get(plan.path)
    if members is None:
        problems.append(f"{plan.path!r} is not a learning path of helpers/collection.py")
    elif not {s.notebook for s in plan.steps} & set(members):
        problems.append(f"{plan.path} ({plan.label}) teaches no notebook of its path")
    if minutes is not None:
        total = sum(minutes(step) for step in plan.steps)
        if total > plan.budget:
            problems.append(f"{plan.path} ({plan.label}) needs {total} min, over its {plan.budget}")
    return problems


HALF_DAY = 180  # 3.5 hours with two breaks

PLANS: tuple[Plan, ...] = (
    Plan(
        "language models",
        90,
        "say why attention replaced recurrence (the RNN's two problems, met in 03, as the opening question) "
        "and build and explore scaled dot-product and multi-head attention",
        done_before=("01", "02", "03"),
        steps=(
            Step("04", ("1", "2"), what="attention as a soft lookup; why divide by √d_k (checks run live)"),
            Step("04", ("3",), what="scaled dot-product and multi-head attention from scratch = PyTorch's"),
            Step(
                "04", ("5",), what="the attention explorer: move the controls, ask the room to predict first"
            ),
            Step("04", exercises=(1,), what="one exercise in class"),
        ),
        homework=("04 §4 (the trained reverser)", "05"),
    ),
    Plan(
        "language models",
        HALF_DAY,
        "go from text to a pre-trained encoder: tokens, embeddings, attention, and masked-language-model "
        "pre-training, each derived and checked",
        done_before=(),
        steps=(
            Step("01", ("0", "1"), what="what a token is, GPT-4's tokens of real text"),
            Step("01", ("2",), what="UTF-8 lengths, no unknown input, WordPiece = PMI, Unigram = Viterbi"),
            Step("01", ("5",), what="the tokenizer explorers"),
            Step("01", exercises=(1,), what="predict GPT-4's token counts, then verify"),
            Step("02", ("0", "1"), what="why words become vectors; skip-gram with negative sampling"),
            Step("02", ("5",), what="the embedding explorer"),
            Step("03", ("0", "1"), what="recurrence and its two problems"),
            Step("04", ("0", "1", "2"), what="attention derived, √d_k checked"),
            Step("04", ("5",), what="the attention explorer"),
            Step("05", ("0", "1"), what="self-supervision: masked words as the labels"),
            Step("05", ("5",), what="the explorer"),
        ),
        homework=("the derivations of 02 and 03", "04 §3-4", "05 §2-4"),
    ),
    Plan(
        "faces",
        90,
        "explain why face recognition trains a classifier and then throws it away, and what the angular "
        "margins of ArcFace/CosFace change",
        done_before=("06",),
        steps=(
            Step("07", ("0", "1", "2"), what="normalised softmax: the decision boundary becomes an angle"),
            Step("07", ("4",), what="one network, five losses: the margins measured on unseen identities"),
            Step("07", ("5",), what="the margin explorer"),
            Step("07", exercises=(1,), what="one exercise in class"),
        ),
        homework=(
            "06 §1 again, before class (identities as classes, features for unseen people)",
            "07 §3 (the margins as InsightFace and pytorch-metric-learning write them)",
            "08",
        ),
    ),
    Plan(
        "faces",
        HALF_DAY,
        "build the argument of a face recognition system end to end: many-class softmax, angular margins, "
        "detection, alignment and evaluation at a false accept rate",
        done_before=(),
        steps=(
            Step("06", ("0", "1", "2"), what="softmax over thousands of identities; its gradient and cost"),
            Step("06", ("5",), what="the explorer"),
            Step("06", exercises=(1,), what="one exercise in class"),
            Step("07", ("0", "1", "2"), what="from softmax to angles and margins"),
            Step("07", ("4",), what="one network, five losses: the margins measured on unseen identities"),
            Step("07", ("5",), what="the margin explorer"),
            Step("08", ("0", "1"), what="the pipeline: detect, align, embed, compare"),
            Step("08", ("2",), what="IoU, Umeyama alignment, TAR at a FAR"),
            Step("08", ("5",), what="the system explorer"),
            Step("08", exercises=(1,), what="one exercise in class"),
        ),
        homework=("06 and 08 §3-4 (the trained models)", "the remaining exercises"),
    ),
    Plan(
        "vision and language",
        90,
        "derive CLIP's contrastive loss and say what SigLIP's sigmoid changes, with both losses checked",
        done_before=("04", "07"),
        steps=(
            Step("09", ("0", "1", "2"), what="two towers, one similarity matrix, symmetric InfoNCE"),
            Step("09", ("3",), what="clip_loss from scratch, zero-shot with prompts"),
            Step("09", ("5",), what="the zero-shot explorer"),
            Step("10", ("1",), what="the sigmoid loss: every pair a binary decision"),
            Step("10", ("5",), what="the explorer"),
            Step("10", exercises=(1,), what="one exercise in class"),
        ),
        homework=("09 §4", "10 §2-4", "11"),
    ),
    Plan(
        "vision and language",
        HALF_DAY,
        "go from CLIP's contrastive loss through SigLIP to BLIP's bootstrapped captions, each loss derived "
        "and checked",
        done_before=("04", "05", "07"),
        steps=(
            Step("09", ("0", "1", "2"), what="contrastive pre-training derived"),
            Step("09", ("3",), what="clip_loss from scratch, zero-shot with prompts"),
            Step("09", ("5",), what="the zero-shot explorer"),
            Step("09", exercises=(1,), what="one exercise in class"),
            Step("10", ("0", "1", "2"), what="the sigmoid loss, its bias and temperature"),
            Step("10", ("5",), what="the explorer"),
            Step("11", ("0", "1"), what="ITC, ITM, LM and CapFilt"),
            Step("11", ("2",), what="the three losses and the hard-negative law, checked"),
            Step("11", ("5",), what="the explorer"),
            Step("11", exercises=(1,), what="one exercise in class"),
        ),
        homework=("09 §4, 10 and 11 §3-4 (the trained models)", "the remaining exercises"),
    ),
    Plan(
        "systems",
        90,
        "measure the activation memory of a backward pass and trade it for recomputation with checkpoints",
        done_before=("04",),
        steps=(
            Step("12", ("0", "1", "2"), what="what backward keeps; the √n schedule derived"),
            Step("12", ("5",), what="the memory explorer"),
            Step("12", exercises=(3,), what="size the memory with the explorer, in class"),
        ),
        homework=("12 §3-4", "the remaining exercises"),
    ),
    Plan(
        "systems",
        HALF_DAY,
        "go from attention to memory: the transformer's layers, then checkpointing them and measuring "
        "the saving",
        done_before=("03",),
        steps=(
            Step("04", ("0", "1", "2"), what="attention derived"),
            Step("04", ("3",), what="the layers from scratch"),
            Step("12", ("0", "1", "2"), what="what backward keeps; the √n schedule"),
            Step("12", ("3",), what="checkpointing from scratch, on 04's layers"),
            Step("12", ("5",), what="the memory explorer"),
            Step("12", exercises=(1,), what="one exercise in class"),
        ),
        homework=("04 §4", "12 §4", "the remaining exercises"),
    ),
)


class Timer:
    """Minutes of plan steps, from the notebooks of ``root`` and its last rehearsal (rounded up)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.rehearsal = load_rehearsal(self.root)
        self._notebooks: dict[str, nbformat.NotebookNode] = {}

    def notebook(self, number: str) -> nbformat.NotebookNode:
        if number not in self._notebooks:
            path = self.root / collection.entry(number).relpath
            self._notebooks[number] = nbformat.read(path, as_version=4)
        return self._notebooks[number]

    def seconds(self, number: str) -> dict[str, float]:
        return self.rehearsal.get(collection.entry(number).filename, {}).get("cells", {})

    def measured(self, number: str) -> bool:
        return collection.entry(number).filename in self.rehearsal

    def exercise_minutes(self, number: str, exercise: int) -> tuple[int, bool]:
        """(minutes, whether the instructor notes give them) of exercise ``exercise`` of ``number``."""
        for row in instructor_notes(self.notebook(number)).exercises:
            if row["number"] == exercise:
                return row["minutes"], True
        return DEFAULT_EXERCISE_MINUTES, False

    def step_minutes(self, step: Step) -> int:
        nb = self.notebook(step.notebook)
        times = section_times(nb, self.seconds(step.notebook))
        total = sum(times.get(s, {}).get("read", 0) + times.get(s, {}).get("run", 0) for s in step.sections)
        total += sum(self.exercise_minutes(step.notebook, e)[0] for e in step.exercises)
        return int(5 * math.ceil(total / 5)) if total else 0
