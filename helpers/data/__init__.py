"""Toy data generated in code (never downloaded), deterministic by seed."""

from helpers.data import corpus, text
from helpers.data.sequences import (
    BOS,
    EOS,
    PAD,
    TASKS,
    SequenceTask,
    Vocab,
    make_sequence_task,
    random_batch,
)

__all__ = [
    "text",
    "corpus",
    "make_sequence_task",
    "SequenceTask",
    "Vocab",
    "TASKS",
    "PAD",
    "BOS",
    "EOS",
    "random_batch",
]
