"""Tests for helpers.data.sequences: targets checked by independent Python code, splits, seeds and errors."""

import pytest
import torch

from helpers.data import sequences
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

N_TRAIN, N_TEST = 300, 100


@pytest.fixture(scope="module", params=TASKS)
def task(request):
    kwargs = (
        dict(min_len=1, max_len=4) if request.param == "add" else dict(min_len=2, max_len=7, num_symbols=6)
    )
    return make_sequence_task(request.param, n_train=N_TRAIN, n_test=N_TEST, seed=3, **kwargs)


def rows(t: SequenceTask):
    return list(zip(t.train_src.tolist(), t.train_tgt.tolist())) + list(
        zip(t.test_src.tolist(), t.test_tgt.tolist())
    )


def symbols(row):
    """Source tokens before the padding (no padding may occur in the middle)."""
    n = len(row)
    while n and row[n - 1] == PAD:
        n -= 1
    assert PAD not in row[:n]
    return row[:n]


def target_body(row):
    """Check <bos> y... <eos> <pad>...; return the ids of y."""
    assert row[0] == BOS
    assert row.count(EOS) == 1
    end = row.index(EOS)
    body = row[1:end]
    assert all(i not in (PAD, BOS, EOS) for i in body)
    assert all(i == PAD for i in row[end + 1 :])
    return body


def expected_output(name, vocab, src_tokens):
    if name == "copy":
        return list(src_tokens)
    if name == "reverse":
        return list(reversed(src_tokens))
    if name == "sort":
        return sorted(src_tokens, key=vocab.tokens.index)
    a, b = "".join(src_tokens).split("+")
    return list(str(int(a) + int(b)))


# ------------------------------------------------------------------------------------- task correctness


def test_targets_are_correct_when_decoded(task):
    v = task.vocab
    for src, tgt in rows(task):
        s = symbols(src)
        body = target_body(tgt)
        src_tokens = [v.tokens[i] for i in s]
        out_tokens = [v.tokens[i] for i in body]
        assert out_tokens == expected_output(task.name, v, src_tokens), (src_tokens, out_tokens)
        # the decoder agrees with the manual decoding
        assert v.decode(tgt) == out_tokens
        assert v.decode(src) == src_tokens


def test_sources_have_no_special_tokens_and_lengths_in_range():
    t = make_sequence_task("copy", n_train=200, n_test=50, min_len=3, max_len=5, num_symbols=4, seed=1)
    lengths = set()
    for src, _ in rows(t):
        s = symbols(src)
        assert all(i >= 3 for i in s)
        lengths.add(len(s))
    assert lengths == {3, 4, 5}
    assert t.src_len == 5 and t.tgt_len == 7  # trimmed to the longest example


def test_symbols_come_from_the_first_num_symbols_letters():
    t = make_sequence_task("reverse", n_train=60, n_test=10, min_len=4, max_len=4, num_symbols=3, seed=0)
    assert t.vocab.tokens == ("<pad>", "<bos>", "<eos>", "0", "1", "2")
    used = {tok for src, _ in rows(t) for tok in t.vocab.decode(src)}
    assert used == {"0", "1", "2"}


def test_sort_really_sorts_letters_after_digits():
    t = make_sequence_task("sort", n_train=200, n_test=20, min_len=5, max_len=8, num_symbols=14, seed=2)
    for src, tgt in rows(t):
        out = t.vocab.decode(tgt)
        assert sorted(out) == out  # ASCII order: digits before letters, same as the alphabet
        assert sorted(t.vocab.decode(src)) == out


def test_reverse_is_not_copy():
    t = make_sequence_task("reverse", n_train=100, n_test=10, min_len=3, max_len=6, seed=0)
    assert any(t.vocab.decode(s) != t.vocab.decode(g) for s, g in zip(t.train_src, t.train_tgt))


def test_add_operands_have_the_requested_digit_counts_and_no_leading_zeros():
    t = make_sequence_task("add", n_train=300, n_test=50, min_len=2, max_len=3, seed=5)
    assert t.vocab.tokens[3:] == tuple("0123456789+")
    counts = set()
    for src, tgt in rows(t):
        a, b = "".join(t.vocab.decode(src)).split("+")
        for operand in (a, b):
            assert 2 <= len(operand) <= 3 and operand[0] != "0"
            counts.add(len(operand))
        total = "".join(t.vocab.decode(tgt))
        assert total == str(int(a) + int(b))
    assert counts == {2, 3}


def test_add_single_digits_include_zero_and_carries():
    t = make_sequence_task("add", n_train=90, n_test=10, min_len=1, max_len=1, seed=0)
    pairs = {
        tuple(map(int, "".join(t.vocab.decode(s)).split("+"))) for s in torch.cat([t.train_src, t.test_src])
    }
    assert len(pairs) == 100  # the 100 pairs 0..9 + 0..9, every one exactly once
    assert (0, 0) in pairs and (9, 9) in pairs
    assert t.tgt_len == 4  # <bos> 1 8 <eos>


def test_add_nine_digits():
    t = make_sequence_task("add", n_train=50, n_test=10, min_len=9, max_len=9, seed=0)
    for src, tgt in rows(t):
        a, b = "".join(t.vocab.decode(src)).split("+")
        assert len(a) == len(b) == 9
        assert "".join(t.vocab.decode(tgt)) == str(int(a) + int(b))


# ---------------------------------------------------------------------------------------------- structure


def test_shapes_and_dtypes(task):
    assert isinstance(task, SequenceTask) and task.name in TASKS
    for tensor, n in (
        (task.train_src, N_TRAIN),
        (task.train_tgt, N_TRAIN),
        (task.test_src, N_TEST),
        (task.test_tgt, N_TEST),
    ):
        assert tensor.dtype == torch.long and tensor.ndim == 2 and tensor.shape[0] == n
    assert task.test_src.shape[1] == task.src_len and task.test_tgt.shape[1] == task.tgt_len
    assert int(task.train_src.max()) < len(task.vocab) and int(task.train_src.min()) >= 0
    # no column is padding everywhere
    both_src = torch.cat([task.train_src, task.test_src])
    both_tgt = torch.cat([task.train_tgt, task.test_tgt])
    assert (both_src[:, -1] != PAD).any() and (both_tgt[:, -1] != PAD).any()


def test_shapes_for_copy_family():
    t = make_sequence_task("copy", n_train=200, n_test=30, min_len=1, max_len=6, num_symbols=5, seed=0)
    assert t.src_len == 6 and t.tgt_len == 8
    t = make_sequence_task("add", n_train=200, n_test=30, min_len=3, max_len=3, seed=0)
    assert t.src_len == 7  # 3 digits + '+' + 3 digits
    assert t.tgt_len in (5, 6)  # <bos> 3 or 4 digits <eos>


def test_train_and_test_sources_are_disjoint(task):
    train = {tuple(symbols(r)) for r in task.train_src.tolist()}
    test = {tuple(symbols(r)) for r in task.test_src.tolist()}
    assert train.isdisjoint(test)
    assert len(test) == N_TEST  # the held-out split has no repeats either


def test_disjoint_even_when_the_space_is_nearly_exhausted():
    # 2 + 4 + 8 = 14 distinct sources of length 1..3 over 2 symbols
    t = make_sequence_task("copy", n_train=10, n_test=4, min_len=1, max_len=3, num_symbols=2, seed=0)
    train = {tuple(symbols(r)) for r in t.train_src.tolist()}
    test = {tuple(symbols(r)) for r in t.test_src.tolist()}
    assert len(train) == 10 and len(test) == 4 and train.isdisjoint(test)


def test_deterministic_by_seed_and_different_across_seeds():
    a = make_sequence_task("sort", n_train=100, n_test=20, max_len=6, seed=11)
    b = make_sequence_task("sort", n_train=100, n_test=20, max_len=6, seed=11)
    c = make_sequence_task("sort", n_train=100, n_test=20, max_len=6, seed=12)
    for name in ("train_src", "train_tgt", "test_src", "test_tgt"):
        assert torch.equal(getattr(a, name), getattr(b, name))
    assert a.vocab == b.vocab
    assert not (a.train_src.shape == c.train_src.shape and torch.equal(a.train_src, c.train_src))


def test_add_deterministic_by_seed():
    a = make_sequence_task("add", n_train=50, n_test=10, max_len=3, seed=4)
    b = make_sequence_task("add", n_train=50, n_test=10, max_len=3, seed=4)
    c = make_sequence_task("add", n_train=50, n_test=10, max_len=3, seed=5)
    assert torch.equal(a.train_src, b.train_src) and torch.equal(a.test_tgt, b.test_tgt)
    assert not (a.train_src.shape == c.train_src.shape and torch.equal(a.train_src, c.train_src))


def test_show_formats_one_example():
    t = make_sequence_task("reverse", n_train=20, n_test=5, min_len=3, max_len=3, num_symbols=4, seed=0)
    text = t.show(0)
    src, tgt = text.split(" → ")
    assert src.split() == t.vocab.decode(t.test_src[0])
    assert tgt.split() == src.split()[::-1]
    assert t.show(1, split="train").split(" → ")[0].split() == t.vocab.decode(t.train_src[1])
    assert t.show(-1) == t.show(len(t.test_src) - 1)


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        (dict(split="val"), ValueError, "split must be one of 'train', 'test', got 'val'"),
        (dict(i=5), ValueError, r"i must be an int in \[-5, 4\], got 5"),
        (dict(i=-6), ValueError, r"i must be an int in \[-5, 4\], got -6"),
        (dict(i=20, split="train"), ValueError, r"i must be an int in \[-20, 19\], got 20"),
        (dict(i=1.0), TypeError, r"i must be an int in \[-5, 4\], got float"),
    ],
)
def test_show_errors(kwargs, exc, message):
    t = make_sequence_task("copy", n_train=20, n_test=5, max_len=3, seed=0)
    with pytest.raises(exc, match=f"^{message}$"):
        t.show(**kwargs)


# ------------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(task="shuffle"), "^task must be one of 'copy', 'reverse', 'sort', 'add', got 'shuffle'$"),
        (dict(task="Copy"), "^task must be one of .*, got 'Copy'$"),
        (dict(task="copy", min_len=0), "^min_len must be an int >= 1, got 0$"),
        (dict(task="copy", min_len=-2), "^min_len must be an int >= 1, got -2$"),
        (dict(task="copy", max_len=0), r"^max_len must be an int in \[1, 512\], got 0$"),
        (dict(task="copy", max_len=513), r"^max_len must be an int in \[1, 512\], got 513$"),
        (dict(task="copy", min_len=5, max_len=4), r"^max_len must be an int in \[5, 512\], got 4$"),
        (dict(task="add", min_len=3, max_len=2), r"^max_len must be an int in \[3, 9\], got 2$"),
        (dict(task="add", max_len=10), r"^max_len must be an int in \[1, 9\], got 10$"),
        (dict(task="copy", num_symbols=1), r"^num_symbols must be an int in \[2, 36\], got 1$"),
        (dict(task="copy", num_symbols=0), r"^num_symbols must be an int in \[2, 36\], got 0$"),
        (dict(task="sort", num_symbols=37), r"^num_symbols must be an int in \[2, 36\], got 37$"),
        (dict(task="add", max_len=3, num_symbols=9), "^num_symbols must be 10 for task 'add'"),
        (dict(task="add", max_len=3, num_symbols=11), "^num_symbols must be 10 for task 'add'"),
        (dict(task="add", max_len=3, num_symbols=36), "^num_symbols must be 10 for task 'add'"),
        (dict(task="copy", n_train=0), "^n_train must be an int >= 1, got 0$"),
        (dict(task="copy", n_test=0), "^n_test must be an int >= 1, got 0$"),
        (dict(task="copy", n_test=-5), "^n_test must be an int >= 1, got -5$"),
        (dict(task="copy", seed=-1), "^seed must be an int >= 0, got -1$"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, word):
    kwargs = {"n_train": 10, "n_test": 5, **kwargs}
    with pytest.raises(ValueError, match=word):
        make_sequence_task(**kwargs)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(n_train=10.0), "n_train must be an int >= 1, got float"),
        (dict(max_len="5"), r"max_len must be an int in \[1, 512\], got str"),
        (dict(min_len=True), "min_len must be an int >= 1, got bool"),
        (dict(seed=1.5), "seed must be an int >= 0, got float"),
        (dict(num_symbols=None), "num_symbols must be an int, got NoneType"),
    ],
)
def test_non_int_arguments_raise_type_error(kwargs, word):
    with pytest.raises(TypeError, match=f"^{word}$"):
        make_sequence_task("copy", **{"n_train": 10, "n_test": 5, **kwargs})


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(task="copy", n_train=10, n_test=5, min_len=1, max_len=3, num_symbols=2),  # 14 sources < 15
        dict(task="sort", n_train=8, n_test=1, min_len=2, max_len=2, num_symbols=2),  # 4 < 9
        dict(task="add", n_train=91, n_test=10, min_len=1, max_len=1),  # 100 < 101
        dict(task="add", n_train=8100, n_test=1, min_len=2, max_len=2),  # 90 * 90 = 8100 < 8101
    ],
)
def test_too_many_examples_for_the_space_raise_value_error(kwargs):
    with pytest.raises(ValueError, match="distinct"):
        make_sequence_task(**kwargs)


def test_exactly_exhausting_the_space_works():
    t = make_sequence_task("copy", n_train=4, n_test=2, min_len=1, max_len=2, num_symbols=2, seed=0)
    all_src = {tuple(symbols(r)) for r in torch.cat([t.train_src, t.test_src]).tolist()}
    assert len(all_src) == 6  # 0, 1, 00, 01, 10, 11 (as ids)


# ------------------------------------------------------------------------------------------------- Vocab


def test_vocab_encode_decode_round_trip():
    v = Vocab(("<pad>", "<bos>", "<eos>", "a", "b", "c"))
    assert len(v) == 6
    ids = v.encode(["c", "a", "b"])
    assert ids == [5, 3, 4]
    assert v.decode(ids) == ["c", "a", "b"]
    assert v.decode(torch.tensor([BOS, 5, 3, EOS, PAD, PAD])) == ["c", "a"]


def test_vocab_decode_strip_rules():
    v = Vocab(("<pad>", "<bos>", "<eos>", "a", "b"))
    ids = [BOS, 3, PAD, 4, EOS, 3, PAD]
    assert v.decode(ids) == ["a", "b"]  # bos and padding dropped, stops at eos
    assert v.decode(ids, strip=False) == ["<bos>", "a", "<pad>", "b", "<eos>", "a", "<pad>"]
    assert v.decode([]) == []


def test_vocab_encode_unknown_token_raises_naming_it():
    v = Vocab(("<pad>", "<bos>", "<eos>", "a"))
    with pytest.raises(ValueError, match="'z'"):
        v.encode(["a", "z", "y"])


@pytest.mark.parametrize("bad", [4, -1, 100])
def test_vocab_decode_out_of_range_raises(bad):
    v = Vocab(("<pad>", "<bos>", "<eos>", "a"))
    with pytest.raises(ValueError, match=str(bad)):
        v.decode([3, bad])
    with pytest.raises(ValueError):
        v.decode(torch.tensor([bad]), strip=False)


# ------------------------------------------------------------------------------------ batching helpers


def _data(n=10):
    x = torch.arange(n * 3).reshape(n, 3)
    y = torch.arange(n) * 10
    return x, y


def test_random_batch_rows_stay_aligned_and_are_distinct():
    x, y = _data()
    g = torch.Generator().manual_seed(0)
    bx, by = random_batch(x, y, batch_size=6, generator=g)
    assert bx.shape == (6, 3) and by.shape == (6,)
    assert torch.equal(bx[:, 0] // 3 * 10, by)
    assert len(set(by.tolist())) == 6


def test_random_batch_deterministic_by_generator_and_varies_across_calls():
    x, y = _data(50)
    b1 = random_batch(x, y, batch_size=5, generator=torch.Generator().manual_seed(1))
    b2 = random_batch(x, y, batch_size=5, generator=torch.Generator().manual_seed(1))
    assert all(torch.equal(p, q) for p, q in zip(b1, b2))
    g = torch.Generator().manual_seed(1)
    draws = {tuple(random_batch(y, batch_size=5, generator=g)[0].tolist()) for _ in range(5)}
    assert len(draws) > 1


def test_random_batch_whole_set_is_a_permutation():
    x, y = _data(8)
    (by,) = random_batch(y, batch_size=8, generator=torch.Generator().manual_seed(0))
    assert sorted(by.tolist()) == y.tolist()


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(batch_size=11), ValueError, "batch_size"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(batch_size=2.0), TypeError, "batch_size"),
        (dict(batch_size=2, generator=0), TypeError, "generator"),
        (dict(batch_size=2, generator=None), TypeError, "generator"),
    ],
)
def test_random_batch_errors(kwargs, exc, word):
    x, y = _data()
    kwargs.setdefault("generator", torch.Generator())
    with pytest.raises(exc, match=word):
        random_batch(x, y, **kwargs)


def test_random_batch_needs_tensors_sharing_first_dim():
    with pytest.raises(ValueError, match="at least one"):
        random_batch(batch_size=1, generator=torch.Generator())
    with pytest.raises(ValueError, match="first dimension"):
        random_batch(torch.zeros(4), torch.zeros(5), batch_size=1, generator=torch.Generator())


@pytest.mark.parametrize("name", TASKS)
def test_special_ids_name_the_special_tokens_of_every_task(name):
    t = make_sequence_task(name, n_train=20, n_test=5, max_len=3, seed=0)
    assert [t.vocab.tokens[i] for i in (PAD, BOS, EOS)] == ["<pad>", "<bos>", "<eos>"]
    assert t.vocab.tokens[: len(sequences.SPECIALS)] == sequences.SPECIALS
    assert not set(t.vocab.tokens[len(sequences.SPECIALS) :]) & set(sequences.SPECIALS)
