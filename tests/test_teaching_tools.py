"""Unit tests of the collection map (helpers/collection.py), the workshop kit builder and the site builder's
pure parts (tools/), and the browser utilities (tests/browser.py). Full builds run in tests/integration."""

from __future__ import annotations

import os
import re
import stat

import nbformat
import pytest

from helpers import collection
from tests import browser
from tools import lessons, rehearse, site, slides, workshop


def tiny_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    solution = nbformat.v4.new_code_cell(
        "x = 1\nassert check_answer()", metadata={"tags": ["solution"]}, id="solution-1"
    )
    solution.outputs = [nbformat.v4.new_output("stream", text="✓")]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 99 · Tiny\n\nSome words here."),
        nbformat.v4.new_markdown_cell("## 1. The idea\n" + "word " * 240),
        nbformat.v4.new_code_cell("print(1)"),
        nbformat.v4.new_markdown_cell("## 6. Exercises"),
        nbformat.v4.new_code_cell("raise NotImplementedError\ncheck_answer()"),
        solution,
    ]
    return nb


def fake_repository(root, names):
    """``root/notebooks/`` holding an empty file for each name."""
    (root / "notebooks").mkdir(parents=True)
    for name in names:
        (root / "notebooks" / name).write_text("{}")
    return root


@pytest.fixture
def one_more_entry(monkeypatch):
    """The table with a 13th-style entry appended: the next free number, building on the last entry."""
    last = collection.COLLECTION[-1]
    new = collection.Entry(f"{int(last.number) + 1:02d}", "extra_topic", "a topic", (last.number,))
    monkeypatch.setattr(collection, "COLLECTION", (*collection.COLLECTION, new))
    return new


# --- the collection table ------------------------------------------------------------------------------


def test_mismatches_names_a_notebook_without_entry_and_an_entry_without_file(tmp_path):
    missing, *kept = collection.COLLECTION
    root = fake_repository(tmp_path, [e.filename for e in kept] + [collection.START_HERE, "99_stray.ipynb"])
    problems = collection.mismatches(root)
    assert len(problems) == 2, problems
    assert "notebooks/99_stray.ipynb has no entry in helpers/collection.py" in problems[0]
    assert 'Entry("99", "stray"' in problems[0], "the message shows the entry to add"
    assert problems[1] == f"helpers/collection.py lists notebooks/{missing.filename}, which does not exist"


def test_notebook_files_needs_a_repository_root(tmp_path):
    with pytest.raises(ValueError, match="root must be the repository root"):
        collection.notebook_files(tmp_path)


def test_table_is_consistent():
    numbers = [e.number for e in collection.COLLECTION]
    assert all(re.fullmatch(r"\d\d", n) and n != "00" for n in numbers), numbers
    assert numbers == sorted(set(numbers)), "numbers are unique and in order"
    for e in collection.COLLECTION:
        assert re.fullmatch(r"[a-z0-9_]+", e.name) and e.topic, e
        later = [d for d in e.builds_on if d not in numbers or d >= e.number]
        assert not later, f"{e.number} builds on {later}: unknown or not earlier"
    for name, members in collection.PATHS.items():
        assert len(members) >= 2 and all(m in numbers for m in members), name
        assert all(a < b for a, b in zip(members, members[1:])), f"path {name!r} is not in order"


def test_entry_finds_a_notebook_and_rejects_unknown_numbers():
    for e in collection.COLLECTION:
        assert collection.entry(e.number) is e
        assert e.relpath.as_posix() == f"notebooks/{e.number}_{e.name}.ipynb"
    with pytest.raises(ValueError, match="number must be one of"):
        collection.entry("00")


def check_layout(position):
    entries = collection.COLLECTION
    assert sorted(position) == sorted(e.number for e in entries)
    assert len(set(position.values())) == len(entries), f"two notebooks share a place: {position}"
    for e in entries:
        column, _ = position[e.number]
        left = [d for d in e.builds_on if position[d][0] >= column]
        assert not left, f"{e.number} is not right of its prerequisites {left}"
        if not e.builds_on:
            assert column == 0, f"{e.number} builds on nothing and starts a row"


def test_layout_places_every_entry_right_of_its_prerequisites():
    check_layout(collection.layout())


def test_map_arrows_pass_no_box_and_cross_no_arrow():
    position = collection.layout()
    assert collection.map_problems(position) == []
    paths = collection.arrow_paths(position)
    assert set(paths) == {(d, e.number) for e in collection.COLLECTION for d in e.builds_on}
    for (a, b), points in paths.items():  # from a's box edge to b's box edge, left to right
        assert len(points) >= 2 and points[0][0] < points[-1][0], (a, b)


def test_map_problems_reports_an_arrow_that_cannot_avoid_a_wall_of_boxes():
    numbers = [e.number for e in collection.COLLECTION]
    wall = {n: (1, 0.5 * (i - 5)) for i, n in enumerate(numbers[2:])}  # touching boxes, one column
    position = {numbers[0]: (0, 0.0), numbers[1]: (2, 0.0), **wall}
    problems = collection.map_problems(position)
    first = f"{numbers[0]}→{numbers[1]} passes through the box of"
    assert any(p.startswith(first) for p in problems), problems


def test_layout_and_lane_take_a_new_entry(one_more_entry):
    check_layout(collection.layout())
    assert collection.lane(one_more_entry.number) == len(collection.PATHS), "in no path: the last lane"
    assert collection.lane(next(iter(collection.PATHS.values()))[0]) == 0


def test_readme_learning_paths_match_the_table(repo_root):
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Learning paths\n+```[a-z]*\n(.*?)\n```", readme, re.MULTILINE | re.DOTALL)
    assert match, "README.md has a '## Learning paths' section starting with a code block"
    expected = collection.learning_paths_text()
    assert match.group(1) == expected, (
        f"README.md's learning paths differ from PATHS in helpers/collection.py; the block should read:\n"
        f"{expected}"
    )


def test_learning_paths_text_shows_every_path_with_labels():
    lines = collection.learning_paths_text().splitlines()
    assert len(lines) == len(collection.PATHS)
    for line, (name, members) in zip(lines, collection.PATHS.items()):
        assert line.startswith(name) and line.count(" → ") == len(members) - 1
        assert all(collection.entry(n).label in line for n in members)


# --- workshop kit ----------------------------------------------------------------------------------------

INSTRUCTOR_CELLS = [
    """### Instructor notes: misconceptions

- **"A is B."** Wrong. *Confronted by:* §2, the first check.
- **"C is D."** Also wrong,
  on two lines. *Confronted by:* the explorer at its minimum.
- **"E."** *Confronted by:* §4.""",
    """### Instructor notes: discussion

- **Why?** *Point:* because.
- **How?** *Point:* like this.""",
    """### Instructor notes: exercises

| exercise | in class or homework | minutes | what to watch for |
|---|---|---|---|
| 1 · the tiny one | class | 12 | the sign |
| 2 · the other | homework | 30 | the shape |""",
]


def tiny_notebook_with_notes() -> nbformat.NotebookNode:
    nb = tiny_notebook()
    nb.cells[0].source = "# 99 · Tiny\n\n**You will be able to** add one and one."
    nb.cells[3].source = "## 6. Exercises\n\n**Exercise 1 — the tiny one (predict).** Guess."
    notes = [nbformat.v4.new_markdown_cell(t, metadata={"tags": ["instructor"]}) for t in INSTRUCTOR_CELLS]
    nb.cells[2:2] = notes[:2]
    nb.cells.insert(6, notes[2])
    return nb


def test_student_version_removes_solutions_and_outputs_and_leaves_a_stub():
    student = workshop.student_version(tiny_notebook())
    tags = [c.metadata.get("tags", []) for c in student.cells]
    assert not any("solution" in t for t in tags)
    assert sum(workshop.STUB_TAG in t for t in tags) == 1
    assert student.cells[6].id == "solution-1-stub", "stub ids follow solutions: rebuilds are equal"
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    assert "check_answer()" in student.cells[5].source


def test_student_version_drops_instructor_cells_and_opens_with_the_session():
    student = workshop.student_version(tiny_notebook_with_notes())
    assert not any("instructor" in c.metadata.get("tags", []) for c in student.cells)
    assert not any("Instructor notes" in c.source for c in student.cells)
    session = student.cells[1]
    assert session.metadata["tags"] == [workshop.SESSION_TAG]
    assert "add one and one" in session.source, "the objectives from the title cell"
    assert "**In class:** Exercise 1 — the tiny one (predict) (about 12 min)" in session.source
    assert "**At home:**" in session.source


def test_instructor_notes_are_read_by_kind():
    notes = lessons.instructor_notes(tiny_notebook_with_notes())
    assert len(notes.misconceptions) == 3 and "on two lines" in notes.misconceptions[1]
    assert [q.split("*Point:*")[1].strip() for q in notes.discussion] == ["because.", "like this."]
    assert [(r["number"], r["where"], r["minutes"]) for r in notes.exercises] == [
        (1, "class", 12),
        (2, "homework", 30),
    ]
    assert notes.missing() == []
    notes.misconceptions = notes.misconceptions[:2]
    notes.discussion.append("**No point here.**")
    assert notes.missing() == [
        "2 misconceptions (3-5 expected)",
        "question without '*Point:*': **No point here.**…",
    ]


def test_instructor_notes_of_01_are_complete(repo_root):
    nb = nbformat.read(repo_root / collection.entry("01").relpath, 4)
    notes = lessons.instructor_notes(nb)
    assert notes.missing() == [], notes.missing()
    titles = lessons.exercise_titles(nb)
    assert {r["number"] for r in notes.exercises} == set(titles), "every exercise is planned"
    assert all(c.cell_type == "markdown" for c in nb.cells if lessons.is_instructor(c))


def test_section_times_add_reading_and_measured_running():
    nb = tiny_notebook_with_notes()
    nb.cells[4].id = "print-cell"
    times = lessons.section_times(nb, {"print-cell": 30.0})
    assert times["1"]["run"] == 0.5, "30 s measured"
    words = len(re.findall(r"\w+", nb.cells[1].source))  # the '## 1. The idea' cell; notes count nothing
    assert times["1"]["read"] == pytest.approx(
        words / lessons.WORDS_PER_MINUTE + 1 / lessons.CODE_LINES_PER_MINUTE
    )
    assert times["6"]["run"] == 0, "solutions are not taught"


def test_rehearsal_reads_a_cells_seconds_from_nbclient_timing():
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["execution"] = {
        "iopub.execute_input": "2026-12-02T10:00:00.250000Z",
        "shell.execute_reply": "2026-12-02T10:00:02.000000Z",
    }
    assert rehearse.cell_seconds(cell) == 1.75
    assert rehearse.cell_seconds(nbformat.v4.new_code_cell("x = 1")) is None, "never run: no time"


# --- lesson plans ----------------------------------------------------------------------------------------


def test_every_learning_path_has_a_90_minute_and_a_half_day_plan():
    for path in collection.PATHS:
        budgets = sorted(p.budget for p in lessons.PLANS if p.path == path)
        assert budgets == [90, lessons.HALF_DAY], f"{path}: plans of {budgets} minutes"


def test_lesson_plans_respect_the_collection_map_and_their_time(repo_root):
    timer = lessons.Timer(repo_root)
    for plan in lessons.PLANS:
        assert lessons.plan_problems(plan, timer.step_minutes) == []
        for step in plan.steps:
            titles = lessons.section_titles(timer.notebook(step.notebook))
            assert all(s in titles for s in step.sections), f"{step}: no such section"
            exercises = lessons.exercise_titles(timer.notebook(step.notebook))
            assert all(e in exercises for e in step.exercises), f"{step}: no such exercise"


def test_plan_problems_catches_a_notebook_before_its_prerequisites():
    bert_alone = lessons.Plan("language models", 90, "g", done_before=(), steps=(lessons.Step("05", ("1",)),))
    (problem,) = lessons.plan_problems(bert_alone)
    assert "step 1: 05 comes before its prerequisites 02, 04" in problem
    reversed_order = lessons.Plan(
        "systems",
        90,
        "g",
        done_before=("03",),
        steps=(lessons.Step("12", ("1",)), lessons.Step("04", ("1",))),
    )
    assert lessons.plan_problems(reversed_order) == [
        "systems (90 minutes), step 1: 12 comes before its prerequisites 04 "
        "(teach them earlier or list them in done_before)"
    ]
    too_long = lessons.Plan("systems", 90, "g", done_before=("04",), steps=(lessons.Step("12", ("1",)),))
    assert lessons.plan_problems(too_long, lambda step: 95) == [
        "systems (90 minutes) needs 95 min, over its 90"
    ]
    done_before_closes = lessons.Plan(
        "faces", 90, "g", done_before=("07",), steps=(lessons.Step("08", ("1",)),)
    )
    assert lessons.plan_problems(done_before_closes) == [], "07 done before implies 06 done before"


def test_workshop_refuses_a_plan_that_breaks_the_map(tmp_path, monkeypatch, repo_root):
    bad = lessons.Plan("language models", 90, "g", done_before=(), steps=(lessons.Step("05", ("1",)),))
    monkeypatch.setattr(lessons, "PLANS", (*lessons.PLANS, bad))
    with pytest.raises(ValueError, match="05 comes before its prerequisites"):
        workshop.build(repo_root, tmp_path / "kit")
    assert not (tmp_path / "kit").exists()


def test_instructor_guide_has_plans_and_every_notebook(repo_root):
    guide = workshop.instructor_guide(repo_root)
    for plan in lessons.PLANS:
        assert f"### {plan.path} — {plan.label}" in guide
    for e in collection.COLLECTION:
        stem = e.relpath.stem
        assert f"### {stem}" in guide and f"- **{stem}** ({e.topic}) builds on" in guide
    assert guide.count("**Objectives.**") == len(collection.COLLECTION) + 1, "and 00_start_here's"
    assert "*Confronted by:*" in guide and "*Point:*" in guide, "01's instructor notes are collected"


def test_workshop_refuses_a_notebook_without_an_entry(tmp_path, capsys):
    names = [e.filename for e in collection.COLLECTION] + [collection.START_HERE, "99_stray.ipynb"]
    root = fake_repository(tmp_path / "repo", names)
    with pytest.raises(ValueError, match="99_stray.ipynb has no entry"):
        workshop.build(root, tmp_path / "kit")
    assert not (tmp_path / "kit").exists(), "nothing is written when the table and the files disagree"
    with pytest.raises(SystemExit) as exit_info:
        workshop.main(["--root", str(root), "--out", str(tmp_path / "kit")])
    assert exit_info.value.code == 2 and "99_stray.ipynb has no entry" in capsys.readouterr().err


# --- slides ----------------------------------------------------------------------------------------------


def test_slides_derive_slide_types_and_keep_written_ones():
    nb = tiny_notebook_with_notes()
    nb.cells[4].metadata["slideshow"] = {"slide_type": "skip"}  # written by hand: kept
    nb.cells.insert(5, nbformat.v4.new_markdown_cell("More words.", metadata={"tags": ["hint"]}))
    types = [c.metadata["slideshow"]["slide_type"] for c in slides.with_slide_metadata(nb).cells]
    # title, idea, 2 instructor notes, code skipped by hand, hint, exercises, notes, exercise, solution
    assert types == [
        "slide",
        "slide",
        "notes",
        "notes",
        "skip",
        "fragment",
        "slide",
        "notes",
        "fragment",
        "skip",
    ]
    nb.cells.insert(9, nbformat.v4.new_code_cell("print(2)"))
    types = [c.metadata["slideshow"]["slide_type"] for c in slides.with_slide_metadata(nb).cells]
    assert types[8:10] == ["fragment", "subslide"], "code after code starts a sub-slide"


def test_slides_deck_notebook_replaces_explorers_and_drops_widget_state():
    nb = tiny_notebook()
    nb.metadata["widgets"] = {"state": {}}
    nb.cells[2].outputs = [
        nbformat.v4.new_output(
            "display_data", data={slides.WIDGET_MIME: {"model_id": "x"}, "text/plain": "VBox"}
        )
    ]
    deck = slides.deck_notebook(nb)
    assert "widgets" not in deck.metadata and "widgets" in nb.metadata, "the source is left alone"
    assert deck.cells[2].outputs[0]["data"] == {"text/html": slides.LIVE_NOTE}
    presenter = slides.presenter_notebook(nb)
    assert presenter.metadata["rise"]["scroll"] is True and presenter.cells[2].outputs == nb.cells[2].outputs


def test_slides_deck_loads_reveal_and_mathjax_from_its_own_folder():
    nb = tiny_notebook()
    nb.cells[1].source = "## 1. The idea\n\n$$e^{i\\pi}+1=0$$"
    html = slides.export_deck(nb, "Tiny")
    sources = re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert sources and all(s.startswith(slides.STATIC + "/") for s in sources), sources
    assert "$$e^{i\\pi}+1=0$$" in html and "solution-1" not in html
    assert html.count("<section") >= 3


@pytest.mark.parametrize("tool", [workshop, site, slides], ids=["workshop", "site", "slides"])
def test_tools_need_a_repository_root(tool, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        tool.main(["--root", str(tmp_path), "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    assert "root must be the repository root" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- site ------------------------------------------------------------------------------------------------


def test_site_index_rewrites_notebook_links():
    text = site.index_markdown("see [04](notebooks/04_transformer.ipynb) and [how](CONTRIBUTING.md)")
    assert text == "see [04](notebooks/04_transformer) and [how](contributing)"


def test_site_folds_instructor_notes_into_a_dropdown_titled_by_their_heading():
    text = site.folded("### Instructor notes: discussion\n\n- **Why?** *Point:* because.")
    expected = (
        "````{admonition} Instructor notes: discussion\n:class: dropdown\n- **Why?** *Point:* because.\n"
    )
    assert text == expected + "````"


def test_site_notebook_title_reads_the_first_heading(tmp_path):
    path = tmp_path / "99_tiny.ipynb"
    nbformat.write(tiny_notebook(), path)
    assert site.notebook_title(path) == "99 · Tiny"


# --- browser ---------------------------------------------------------------------------------------------


def test_chromium_path_finds_the_first_executable_name_on_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert browser.chromium_path() is None
    for name in ("google-chrome", "chromium-browser"):
        exe = tmp_path / name
        exe.write_text("#!/bin/sh\n")
        exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    assert browser.chromium_path() == os.path.join(tmp_path, "chromium-browser"), "chromium-browser first"
    (tmp_path / "chromium").write_text("not executable")  # found by name, skipped: no execute permission
    assert browser.chromium_path() == os.path.join(tmp_path, "chromium-browser"), "a plain file is skipped"
