"""CONTRIBUTING's "Adding a notebook" steps, followed on a copy of the repository (no .venv, no build/).

A throw-away notebook with the next free number is made from a copy of the last notebook (step 1); without its
collection entry the map test fails, naming the file and the entry to add; with the entry (step 2) the
workshop builder and the structure test pass on it (step 5). Those two run as subprocesses started in the
copy, so the copy's helpers/, tools/ and tests/ are the ones imported. About 10-15 s.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import collection
from tests import test_notebook_structure

COPIED = [
    "notebooks",
    "helpers",
    "tools",
    "tests",
    "Makefile",
    "pyproject.toml",
    "README.md",
    "CONTRIBUTING.md",
]
SKIPPED = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
MAP = "test_every_notebook_has_its_collection_entry_and_every_entry_its_file"


def start(copy: Path, *args: str) -> subprocess.Popen:
    """``python *args`` run in the copy (its root first on sys.path), with no PYTHONPATH pointing here."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    output, _ = proc.communicate(timeout=120)
    return proc.returncode, output


def add_entry(collection_py: Path, line: str) -> None:
    """Step 2: one line appended to the COLLECTION table, as a contributor types it."""
    text = collection_py.read_text(encoding="utf-8")
    table = text.index("COLLECTION: tuple[Entry, ...] = (")
    end = text.index("\n)\n", table)
    collection_py.write_text(text[:end] + f"\n    {line}" + text[end:], encoding="utf-8")


@pytest.fixture(scope="module")
def copy(tmp_path_factory, repo_root) -> Path:
    root = tmp_path_factory.mktemp("repository")
    for name in COPIED:
        source = repo_root / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=SKIPPED)
        else:
            shutil.copy2(source, root / name)
    return root


def test_contributing_names_the_steps_this_test_follows(repo_root):
    text = (repo_root / "CONTRIBUTING.md").read_text(encoding="utf-8")
    steps = text[text.index("## Adding a notebook") :].split("\n## ")[0]
    for needed in (
        "notebooks/NN_name.ipynb",
        "helpers/collection.py",
        "COLLECTION",
        "Entry(",
        "make workshop",
    ):
        assert needed in steps, f"CONTRIBUTING's 'Adding a notebook' no longer mentions {needed}"
    assert "test_notebook_structure.py -k NN_" in steps


def test_a_new_notebook_needs_its_entry_and_then_builds(copy):
    last = collection.COLLECTION[-1]
    number = f"{int(last.number) + 1:02d}"
    name = f"{number}_throwaway"

    # Step 1: the file, from a copy of an existing notebook's skeleton, with its own title.
    nb = nbformat.read(copy / last.relpath, as_version=4)
    title = nb.cells[0]
    title.source = re.sub(
        r"^# \d\d · .*$", f"# {number} · A throw-away topic", title.source, count=1, flags=re.M
    )
    assert title.source.startswith(f"# {number} · ")
    nbformat.write(nb, copy / "notebooks" / f"{name}.ipynb")

    # Without its entry the map test fails, saying what to add. The copy's collection.py is still this one, so
    # the map test runs here, on the copy.
    with pytest.raises(AssertionError) as failure:
        test_notebook_structure.test_every_notebook_has_its_collection_entry_and_every_entry_its_file(copy)
    assert f"notebooks/{name}.ipynb has no entry in helpers/collection.py: add Entry(" in str(failure.value)

    # Step 2: the collection entry.
    entry = f'Entry("{number}", "throwaway", "a topic", ("{last.number}",)),'
    add_entry(copy / "helpers" / "collection.py", entry)

    # Step 5: the workshop kit and the structure test, side by side (each mostly waits for imports).
    kit = copy / "build" / "workshop"
    workshop = start(copy, "-m", "tools.workshop", "--root", str(copy), "--out", str(kit))
    structure = start(
        copy, "-m", "pytest", "-v", "tests/test_notebook_structure.py", "-k", f"{number}_ or {MAP}"
    )
    (workshop_status, workshop_output), (status, output) = finish(workshop), finish(structure)
    assert workshop_status == 0, workshop_output
    assert (kit / "notebooks" / f"{name}.ipynb").is_file()
    guide = (kit / "INSTRUCTOR.md").read_text(encoding="utf-8")
    assert f"- **{name}** (a topic) builds on {last.relpath.stem}" in guide
    assert status == 0, output
    ran = re.findall(r"^tests/\S+::(\w+)(?:\[(\S+)\])? PASSED", output, re.MULTILINE)
    assert (MAP, "") in ran, output
    on_new = {test for test, param in ran if param == f"{name}.ipynb"}
    expected = {"test_headings_in_order", "test_exercises_have_checks_and_hidden_solutions"}
    assert expected <= on_new, f"the structure test did not run on {name}:\n{output}"
