"""Shared plumbing for the Deriving Deep Learning notebooks.

Everything here is *not* the lesson: seeding and device choice, the derivation-check convention, plots,
a small training loop, explorers and toy data. What a notebook teaches is written in the notebook itself;
components that a notebook teaches and a later one reuses are generated from the teaching notebook's cells
into :mod:`helpers.components` (``make components``).

Typical first cell of a notebook::

    import helpers
    device = helpers.setup(seed=0)
"""

from helpers.check import check_close, check_gradients, check_less
from helpers.runtime import (
    available_cores,
    elapsed,
    pick_device,
    quiet,
    ran_in,
    seed_everything,
    setup,
    summary,
)

__version__ = "0.1.0"
__all__ = [
    "setup",
    "seed_everything",
    "pick_device",
    "available_cores",
    "elapsed",
    "ran_in",
    "quiet",
    "summary",
    "check_close",
    "check_less",
    "check_gradients",
]
