"""Long-range memory tasks for recurrent networks: recall symbols seen many steps earlier.

``copy_memory`` is the copy-memory task (Hochreiter & Schmidhuber, 1997; Arjovsky et al., 2016) in a small
form: a sequence starts with ``length`` symbols to remember, continues with ``delay - 1`` random distractor
tokens and ends with a cue token; the target is the remembered symbols. Only a network that carries
information across ``delay`` steps can beat chance (``1 / num_symbols`` per symbol).

Token ids: symbols ``0 … num_symbols-1``, distractors ``num_symbols … num_symbols+num_distractors-1``, and
the cue ``num_symbols + num_distractors`` (see :func:`copy_memory_vocab_size`). Generation is vectorised
and deterministic given the ``torch.Generator``.
"""

from __future__ import annotations

import torch

from helpers.validate import check_int

__all__ = ["copy_memory", "copy_memory_vocab_size"]


def copy_memory_vocab_size(num_symbols: int = 4, num_distractors: int = 4) -> int:
    """Number of token ids used by :func:`copy_memory`: symbols, distractors and the cue."""
    num_symbols = check_int("num_symbols", num_symbols, low=2)
    num_distractors = check_int("num_distractors", num_distractors, low=1)
    return num_symbols + num_distractors + 1


def copy_memory(
    n: int,
    delay: int,
    *,
    length: int = 1,
    num_symbols: int = 4,
    num_distractors: int = 4,
    generator: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of the copy-memory task.

    Args:
        n: number of sequences.
        delay: steps from the last symbol to the cue (>= 1); each sequence has ``length + delay`` tokens.
        length: how many symbols to remember.
        num_symbols: size of the alphabet to remember (>= 2); chance accuracy is ``1 / num_symbols``.
        num_distractors: how many distinct distractor tokens fill the gap (>= 1), drawn uniformly.
        generator: a ``torch.Generator`` (the only source of randomness).
    Returns:
        ``inputs`` (n, length + delay) long ids: symbols, then ``delay - 1`` distractors, then the cue;
        ``targets`` (n, length) long ids in ``[0, num_symbols)``: the symbols to recall at the cue.
    """
    n = check_int("n", n, low=1)
    delay = check_int("delay", delay, low=1)
    length = check_int("length", length, low=1)
    vocab_size = copy_memory_vocab_size(num_symbols, num_distractors)
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    targets = torch.randint(0, num_symbols, (n, length), generator=generator)
    distractors = num_symbols + torch.randint(0, num_distractors, (n, delay - 1), generator=generator)
    cue = torch.full((n, 1), vocab_size - 1, dtype=torch.long)
    return torch.cat([targets, distractors, cue], dim=1), targets
