"""Unit tests of the collection map, the workshop kit builder, the site builder's pure parts and the browser
utilities (the full builds run in tests/integration)."""

from __future__ import annotations

import socket

import nbformat
import pytest

from helpers import browser, collection, site, workshop


def tiny_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    solution = nbformat.v4.new_code_cell("x = 1\nassert check_answer()", metadata={"tags": ["solution"]})
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


def test_collection_lists_twelve_notebooks_with_known_prerequisites():
    numbers = [e.number for e in collection.COLLECTION]
    assert numbers == [f"{i:02d}" for i in range(1, 13)]
    for e in collection.COLLECTION:
        assert all(d in numbers and d < e.number for d in e.builds_on), (
            f"{e.number} builds on a later notebook"
        )
    for members in collection.PATHS.values():
        assert all(m in numbers for m in members)
    assert collection.entry("04").name == "transformer"
    assert all(e.exists for e in collection.available())


def test_collection_entry_rejects_unknown_numbers():
    with pytest.raises(ValueError, match="number must be one of"):
        collection.entry("13")


def test_student_version_removes_solutions_and_outputs_and_leaves_a_stub():
    student = workshop.student_version(tiny_notebook())
    tags = [c.metadata.get("tags", []) for c in student.cells]
    assert not any("solution" in t for t in tags)
    assert sum(workshop.STUB_TAG in t for t in tags) == 1
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


def test_site_index_rewrites_notebook_links():
    text = site.index_markdown("see [04](notebooks/04_transformer.ipynb) and [how](CONTRIBUTING.md)")
    assert text == "see [04](notebooks/04_transformer) and [how](contributing)"


def test_site_notebook_title_reads_the_first_heading(tmp_path):
    path = tmp_path / "99_tiny.ipynb"
    nbformat.write(tiny_notebook(), path)
    assert site.notebook_title(path) == "99 · Tiny"


def test_free_port_is_bindable():
    port = browser.free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_chromium_path_is_a_string_or_none():
    path = browser.chromium_path()
    assert path is None or path.endswith(("chromium", "chromium-browser", "google-chrome"))
