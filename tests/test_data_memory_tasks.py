"""Tests for helpers.data.memory_tasks: layout of the copy-memory sequences, randomness, seeds and errors."""

import numpy as np
import pytest
import torch

from helpers.data.memory_tasks import copy_memory, copy_memory_vocab_size


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_vocab_size():
    assert copy_memory_vocab_size() == 9
    assert copy_memory_vocab_size(num_symbols=3, num_distractors=2) == 6


@pytest.mark.parametrize("length,delay", [(1, 1), (1, 7), (3, 5)])
def test_layout(length, delay):
    k, d = 5, 3
    x, y = copy_memory(200, delay, length=length, num_symbols=k, num_distractors=d, generator=gen())
    assert x.shape == (200, length + delay) and y.shape == (200, length)
    assert x.dtype == torch.long and y.dtype == torch.long
    assert torch.equal(x[:, :length], y)  # the symbols come first and are the targets
    assert ((y >= 0) & (y < k)).all()
    gap = x[:, length:-1]
    assert gap.shape[1] == delay - 1
    assert ((gap >= k) & (gap < k + d)).all()  # only distractors in the gap
    assert (x[:, -1] == k + d).all()  # the cue closes every sequence
    assert int(x.max()) < copy_memory_vocab_size(k, d)


def test_symbols_and_distractors_are_spread():
    x, y = copy_memory(4000, 20, num_symbols=4, num_distractors=4, generator=gen())
    freq = torch.bincount(y.flatten(), minlength=4).float() / y.numel()
    assert torch.allclose(freq, torch.full((4,), 0.25), atol=0.03)
    assert len(torch.unique(x[:, 1:-1])) == 4


def test_deterministic_by_generator():
    a = copy_memory(50, 10, generator=gen(1))
    b = copy_memory(50, 10, generator=gen(1))
    c = copy_memory(50, 10, generator=gen(2))
    assert all(torch.equal(p, q) for p, q in zip(a, b))
    assert not torch.equal(a[0], c[0])


@pytest.mark.parametrize(
    "kwargs,exc,word",
    [
        (dict(n=0), ValueError, "n must be an int >= 1, got 0"),
        (dict(delay=0), ValueError, "delay must be an int >= 1, got 0"),
        (dict(length=0), ValueError, "length must be an int >= 1, got 0"),
        (dict(num_symbols=1), ValueError, "num_symbols must be an int >= 2, got 1"),
        (dict(num_distractors=0), ValueError, "num_distractors must be an int >= 1, got 0"),
        (dict(n=2.5), TypeError, "n must be an int >= 1, got float"),
        (dict(delay=True), TypeError, "delay must be an int >= 1, got bool"),
        (dict(generator=0), TypeError, "generator must be a torch.Generator, got int"),
    ],
)
def test_bad_input(kwargs, exc, word):
    args = dict(n=4, delay=3, generator=gen())
    args.update(kwargs)
    n, delay = args.pop("n"), args.pop("delay")
    with pytest.raises(exc, match=f"^{word}$"):
        copy_memory(n, delay, **args)


def test_numpy_integers_are_accepted():
    a = copy_memory(np.int64(6), np.int32(4), length=np.int64(2), num_symbols=np.int64(3), generator=gen(5))
    b = copy_memory(6, 4, length=2, num_symbols=3, generator=gen(5))
    assert all(torch.equal(p, q) for p, q in zip(a, b))


def test_vocab_size_bad_input():
    with pytest.raises(ValueError, match="^num_symbols must be an int >= 2, got 1$"):
        copy_memory_vocab_size(num_symbols=1)
    with pytest.raises(TypeError, match="^num_distractors must be an int >= 1, got str$"):
        copy_memory_vocab_size(num_distractors="4")
