"""Toy sequence-to-sequence tasks: copy, reverse, sort and multi-digit addition.

Every task yields padded ``LongTensor`` batches over a small vocabulary whose first three ids are the
special tokens ``<pad>`` (0), ``<bos>`` (1) and ``<eos>`` (2). Targets are ``<bos> y_1 … y_T <eos>`` then
padding; sources are ``x_1 … x_S`` then padding. The held-out split never repeats a training source.
Generation is vectorised NumPy, deterministic by ``seed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from helpers.validate import check_choice, check_int

PAD, BOS, EOS = 0, 1, 2
SPECIALS = ("<pad>", "<bos>", "<eos>")
TASKS = ("copy", "reverse", "sort", "add")
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
MAX_LEN = 512  # longest source sequence of 'copy', 'reverse' and 'sort'
MAX_ADD_DIGITS = 9  # most digits per operand of 'add'


@dataclass(frozen=True)
class Vocab:
    """Token strings by id; ids 0, 1, 2 are ``<pad>``, ``<bos>``, ``<eos>``."""

    tokens: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Map token strings to ids; raises ValueError naming the first unknown token."""
        index = {t: i for i, t in enumerate(self.tokens)}
        unknown = [t for t in tokens if t not in index]
        if unknown:
            raise ValueError(f"unknown token {unknown[0]!r}; the vocabulary is {list(self.tokens)}")
        return [index[t] for t in tokens]

    def decode(self, ids, strip: bool = True) -> list[str]:
        """Map ids to strings; with ``strip`` drop a leading ``<bos>``, stop at ``<eos>`` and drop padding."""
        ids = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
        out = []
        for i in ids:
            if not 0 <= int(i) < len(self.tokens):
                raise ValueError(f"id {i} is outside the vocabulary of size {len(self.tokens)}")
            if strip and i == EOS:
                break
            if strip and i in (PAD, BOS):
                continue
            out.append(self.tokens[int(i)])
        return out


@dataclass
class SequenceTask:
    """A generated task. Tensors are (N, S) sources and (N, T) targets, padded with ``PAD``."""

    name: str
    vocab: Vocab
    train_src: torch.Tensor
    train_tgt: torch.Tensor
    test_src: torch.Tensor
    test_tgt: torch.Tensor

    @property
    def src_len(self) -> int:
        return self.train_src.shape[1]

    @property
    def tgt_len(self) -> int:
        return self.train_tgt.shape[1]

    def show(self, i: int = 0, split: str = "test") -> str:
        """One example as text, e.g. ``'3 1 2 → 1 2 3'``."""
        check_choice("split", split, ("train", "test"))
        src, tgt = (self.train_src, self.train_tgt) if split == "train" else (self.test_src, self.test_tgt)
        i = check_int("i", i, -len(src), len(src) - 1)
        return " ".join(self.vocab.decode(src[i])) + " → " + " ".join(self.vocab.decode(tgt[i]))


def _digits(x: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Left-aligned decimal digits of non-negative ints: ((N, width) digits, (N,) lengths)."""
    lengths = np.maximum(1, np.floor(np.log10(np.maximum(x, 1))).astype(np.int64) + 1)
    j = np.arange(width)[None, :]
    power = np.clip(lengths[:, None] - 1 - j, 0, None)
    digits = (x[:, None] // (10**power)) % 10
    return np.where(j < lengths[:, None], digits, -1), lengths


def _place(rows: np.ndarray, start: np.ndarray, values: np.ndarray, valid: np.ndarray) -> None:
    """Write ``values[i, j]`` at ``rows[i, start[i] + j]`` wherever ``valid[i, j]`` (in place)."""
    i, j = np.nonzero(valid)
    rows[i, start[i] + j] = values[i, j]


def _generate(task: str, n: int, min_len: int, max_len: int, k: int, rng: np.random.Generator):
    """(src, tgt) int arrays with padding ``PAD`` and symbol ids offset by the three specials."""
    off = len(SPECIALS)
    if task == "add":

        def operand():
            d = rng.integers(min_len, max_len + 1, size=n)
            low = np.where(d == 1, 0, 10 ** (d - 1))
            return low + (rng.random(n) * (10**d - low)).astype(np.int64)

        a, b = operand(), operand()
        (da, la), (db, _) = _digits(a, max_len), _digits(b, max_len)
        (ds, ls) = _digits(a + b, max_len + 1)
        plus = off + 10
        src = np.full((n, 2 * max_len + 1), PAD, dtype=np.int64)
        _place(src, np.zeros(n, np.int64), da + off, da >= 0)
        src[np.arange(n), la] = plus
        _place(src, la + 1, db + off, db >= 0)
        out, out_len = ds + off, ls
        out = np.where(ds >= 0, out, PAD)
    else:
        lengths = rng.integers(min_len, max_len + 1, size=n)
        valid = np.arange(max_len)[None, :] < lengths[:, None]
        symbols = rng.integers(0, k, size=(n, max_len))
        src = np.where(valid, symbols + off, PAD)
        if task == "copy":
            out = src
        elif task == "reverse":
            idx = np.clip(lengths[:, None] - 1 - np.arange(max_len)[None, :], 0, None)
            out = np.where(valid, np.take_along_axis(src, idx, axis=1), PAD)
        else:  # sort: padding sorts last because it is mapped above every symbol first
            out = np.sort(np.where(valid, src, np.iinfo(np.int64).max), axis=1)
            out = np.where(valid, out, PAD)
        out_len = lengths
    tgt = np.full((n, out.shape[1] + 2), PAD, dtype=np.int64)
    tgt[:, 0] = BOS
    _place(tgt, np.ones(n, np.int64), out, out != PAD)
    tgt[np.arange(n), out_len + 1] = EOS
    return src, tgt


def make_sequence_task(
    task: str,
    *,
    n_train: int = 10_000,
    n_test: int = 1_000,
    min_len: int = 1,
    max_len: int = 10,
    num_symbols: int = 10,
    seed: int = 0,
) -> SequenceTask:
    """Generate a toy task with a held-out split whose sources never occur in training.

    Args:
        task: ``'copy'``, ``'reverse'``, ``'sort'`` (sequences of symbols) or ``'add'``
            (``'12+345'`` → ``'357'``).
        n_train, n_test: examples per split.
        min_len, max_len: sequence length range; for ``'add'`` the number of digits of each operand (≤ 9).
        num_symbols: alphabet size for copy/reverse/sort (2 to 36); ``'add'`` always uses the 10 digits.
        seed: the NumPy generator seed.
    Returns:
        A :class:`SequenceTask`; sources (N, S) and targets (N, T) as ``torch.long``.
    """
    check_choice("task", task, TASKS)
    n_train = check_int("n_train", n_train, low=1)
    n_test = check_int("n_test", n_test, low=1)
    min_len = check_int("min_len", min_len, low=1)
    max_len = check_int("max_len", max_len, min_len, MAX_ADD_DIGITS if task == "add" else MAX_LEN)
    seed = check_int("seed", seed, low=0)
    num_symbols = check_int("num_symbols", num_symbols)
    if task == "add":
        if num_symbols != 10:
            raise ValueError(f"num_symbols must be 10 for task 'add' (decimal digits), got {num_symbols}")
        tokens = SPECIALS + tuple(_ALPHABET[:10]) + ("+",)
        per_len = [(10**d - (10 ** (d - 1) if d > 1 else 0)) for d in range(min_len, max_len + 1)]
        distinct = sum(per_len) ** 2
    else:
        check_int("num_symbols", num_symbols, 2, len(_ALPHABET))
        tokens = SPECIALS + tuple(_ALPHABET[:num_symbols])
        distinct = sum(num_symbols**length for length in range(min_len, max_len + 1))
    need = n_train + n_test
    if distinct < need:
        raise ValueError(
            f"only {distinct} distinct sources exist for task={task!r}, min_len={min_len}, "
            f"max_len={max_len}, num_symbols={num_symbols}; n_train + n_test = {need} is too many"
        )
    rng = np.random.default_rng(seed)
    src, tgt = _generate(task, int(need * 1.2) + 64, min_len, max_len, num_symbols, rng)
    _, first = np.unique(src, axis=0, return_index=True)
    while len(first) < need:  # small spaces: keep drawing until enough distinct sources exist
        more_src, more_tgt = _generate(task, need, min_len, max_len, num_symbols, rng)
        src, tgt = np.concatenate([src, more_src]), np.concatenate([tgt, more_tgt])
        _, first = np.unique(src, axis=0, return_index=True)
    keep = rng.permutation(np.sort(first))[:need]
    src, tgt = torch.from_numpy(src[keep]), torch.from_numpy(tgt[keep])
    # trim columns that are padding everywhere
    src = src[:, : int((src != PAD).sum(1).max())]
    tgt = tgt[:, : int((tgt != PAD).sum(1).max())]
    return SequenceTask(task, Vocab(tokens), src[:n_train], tgt[:n_train], src[n_train:], tgt[n_train:])


def random_batch(
    *tensors: torch.Tensor, batch_size: int, generator: torch.Generator
) -> tuple[torch.Tensor, ...]:
    """Rows drawn at random (with replacement across calls, without within one) from tensors sharing dim 0."""
    if not tensors:
        raise ValueError("give at least one tensor")
    n = tensors[0].shape[0]
    if any(t.shape[0] != n for t in tensors):
        raise ValueError(f"tensors must share their first dimension, got {[t.shape[0] for t in tensors]}")
    batch_size = check_int("batch_size", batch_size, 1, n)
    if not isinstance(generator, torch.Generator):
        raise TypeError("generator must be a torch.Generator")
    idx = torch.randperm(n, generator=generator)[:batch_size]
    return tuple(t[idx] for t in tensors)
