"""The instructor notes of 00_start_here, 02_word2vec, 07_normalized_softmax_margins and
08_face_recognition_system: complete by CONTRIBUTING.md's rules, in the guide, out of the student kit."""

import nbformat
import pytest

from helpers import collection
from tools import lessons, workshop

TOPIC_NOTEBOOKS = ["02", "04", "05", "06", "07", "08", "09", "11"]


@pytest.mark.parametrize("number", TOPIC_NOTEBOOKS)
def test_instructor_notes_are_complete_and_plan_every_exercise(repo_root, number):
    nb = nbformat.read(repo_root / collection.entry(number).relpath, as_version=4)
    notes = lessons.instructor_notes(nb)
    assert notes.missing() == [], notes.missing()
    planned = {r["number"] for r in notes.exercises}
    assert planned == set(lessons.exercise_titles(nb)), "every exercise planned"
    assert notes.other == [], "only the three kinds CONTRIBUTING.md names"
    cells = [c for c in nb.cells if lessons.is_instructor(c)]
    assert all(c.cell_type == "markdown" and "\n## " not in "\n" + c.source for c in cells), "no ## heading"
    kinds = ["misconceptions", "discussion", "exercises"]
    assert [c.id for c in cells] == [f"instructor-{kind}" for kind in kinds], "one cell per kind, in order"


def test_start_here_has_notes_and_activities_but_no_exercises(repo_root):
    nb = nbformat.read(repo_root / collection.NOTEBOOK_DIR / collection.START_HERE, as_version=4)
    notes = lessons.instructor_notes(nb)
    assert 3 <= len(notes.misconceptions) <= 5 and all("*Confronted by:*" in m for m in notes.misconceptions)
    assert 2 <= len(notes.discussion) <= 3 and all("*Point:*" in q for q in notes.discussion)
    assert notes.exercises == [] and lessons.exercise_titles(nb) == {}, "00 has no exercises to plan"
    (activities,) = notes.other
    assert activities.startswith("### Instructor notes: activities") and "| class | 5 |" in activities


def test_guide_has_the_four_sections_and_the_kit_drops_the_notes(repo_root):
    guide = workshop.instructor_guide(repo_root)
    for stem in ["00_start_here", *(collection.entry(n).relpath.stem for n in TOPIC_NOTEBOOKS)]:
        section = guide.split(f"### {stem}\n", 1)[1].split("\n### ", 1)[0]
        assert "**Objectives.** Students will be able to" in section
        assert "*Confronted by:*" in section and "*Point:*" in section, stem
        path = repo_root / collection.NOTEBOOK_DIR / f"{stem}.ipynb"
        student = workshop.student_version(nbformat.read(path, as_version=4))
        assert not any("Instructor notes" in c.source for c in student.cells), stem
    assert "**Activities**:\n\n00 has no exercises" in guide, "00's activities, under a label, not a heading"
    assert "| run the doctor | class | 5 |" in guide
