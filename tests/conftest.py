"""Fixtures shared by several test modules."""

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def repo_root(pytestconfig) -> Path:
    """The repository under test: pytest's rootdir (where pyproject.toml is), never a guess from __file__."""
    return Path(pytestconfig.rootpath)


@pytest.fixture(scope="module")
def one_thread():
    """Tiny tensors: thread hand-offs would cost more than the maths (and dominate the run time)."""
    import torch  # here, not at the top: tests that need no torch (the structure test) start faster

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def seed0():
    import torch

    torch.manual_seed(0)
