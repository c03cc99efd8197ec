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
from tools import site, workshop


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


def test_student_version_removes_solutions_and_outputs_and_leaves_a_stub():
    student = workshop.student_version(tiny_notebook())
    tags = [c.metadata.get("tags", []) for c in student.cells]
    assert not any("solution" in t for t in tags)
    assert sum(workshop.STUB_TAG in t for t in tags) == 1
    assert student.cells[5].id == "solution-1-stub", "stub ids follow solutions: rebuilds are equal"
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    assert "check_answer()" in student.cells[4].source


def test_section_minutes_counts_words_cells_and_exercises():
    minutes = workshop.section_minutes(tiny_notebook())
    assert minutes["1. The idea"] == 5  # 241 words / 120 wpm + one code cell = 3.5 → rounded up to 5
    assert minutes["6. Exercises"] == 10  # one exercise cell 1.5 + one solution 8 = 9.5 → 10


def test_plan_keeps_within_budget_and_puts_core_sections_first():
    times = {"04": {"Start": 5, "1. The idea": 5, "2. Derivation": 20, "5. Explore": 10, "6. Exercises": 40}}
    chosen = workshop.plan(40, ["04"], times)
    assert sum(m for _, _, m in chosen) <= 40
    assert [s for _, s, _ in chosen] == ["Start", "1. The idea", "2. Derivation", "5. Explore"]


def test_instructor_guide_lists_every_entry_a_new_one_included(one_more_entry):
    times = {e.number: {"Start": 5, "1. The idea": 10} for e in collection.COLLECTION}
    guide = workshop.instructor_guide(times)
    for e in collection.COLLECTION:
        stem = e.relpath.stem
        assert f"- **{stem}** — 15 min: Start 5, 1. The idea 10" in guide
        assert f"- **{stem}** ({e.topic}) builds on" in guide
    last = collection.COLLECTION[-2].relpath.stem
    assert f"- **{one_more_entry.relpath.stem}** (a topic) builds on {last}" in guide


def test_workshop_refuses_a_notebook_without_an_entry(tmp_path, capsys):
    names = [e.filename for e in collection.COLLECTION] + [collection.START_HERE, "99_stray.ipynb"]
    root = fake_repository(tmp_path / "repo", names)
    with pytest.raises(ValueError, match="99_stray.ipynb has no entry"):
        workshop.build(root, tmp_path / "kit")
    assert not (tmp_path / "kit").exists(), "nothing is written when the table and the files disagree"
    with pytest.raises(SystemExit) as exit_info:
        workshop.main(["--root", str(root), "--out", str(tmp_path / "kit")])
    assert exit_info.value.code == 2 and "99_stray.ipynb has no entry" in capsys.readouterr().err


@pytest.mark.parametrize("tool", [workshop, site], ids=["workshop", "site"])
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
