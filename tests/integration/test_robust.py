"""Every notebook passes with each code cell run twice in a row, in a kernel whose torch uses another thread
count than ``make test`` (1) and the committed outputs (the machine's cores): re-running a cell raises
nothing, no later assert depends on how often an earlier cell ran, and no bar depends on the summation order
one thread count gives. Slow (about twice a notebook's run each): ``make test-robust`` runs it."""

from __future__ import annotations

import pytest

from helpers import collection
from tools import robust


def pytest_generate_tests(metafunc):
    if "name" in metafunc.fixturenames:
        names = [path.name for path in collection.notebook_files(metafunc.config.rootpath)]
        metafunc.parametrize("name", names, ids=names)


@pytest.mark.slow
def test_every_cell_runs_twice_under_another_thread_count(repo_root, name):
    (path,) = [path for path in collection.notebook_files(repo_root) if path.name == name]
    report = robust.check(path, threads=robust.THREADS, runs=robust.RUNS)
    assert report.ok, str(report)
