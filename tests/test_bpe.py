"""Tests for helpers/components/bpe.py: training against a full-recount reference and against HF tokenizers,
encoding against the definition (merges applied in learned order), round trips and special tokens."""

import json
import random
from collections import Counter

import numpy as np
import pytest
import regex
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from helpers.components.bpe import (
    GPT2_SPLIT_PATTERN,
    GPT4_SPLIT_PATTERN,
    ByteLevelBPE,
    PairStats,
    check_special_tokens,
    check_vocab_size,
    count_pairs,
    encode_chunk,
    merge_pair,
    truncate,
)
from helpers.data.text import CHINESE_PASSAGE, english_split


@pytest.fixture(scope="module")
def texts():
    return english_split(30_000, 5_000, seed=0)


@pytest.fixture(scope="module")
def trained(texts):
    return ByteLevelBPE().train(texts[0], 600)


def naive_merges(text, vocab_size, pattern=GPT2_SPLIT_PATTERN):
    """Reference trainer: recount all pairs after every merge; most frequent first, ties to the smallest."""
    words = Counter(tuple(c.encode("utf-8")) for c in regex.findall(pattern, text))
    merges = {}
    for new_id in range(256, vocab_size):
        counts = Counter()
        for word, n in words.items():
            for pair in zip(word, word[1:]):
                counts[pair] += n
        if not counts:
            break
        pair = min(counts, key=lambda p: (-counts[p], p))
        merges[pair] = new_id
        words = Counter({tuple(merge_pair(list(w), pair, new_id)): n for w, n in words.items()})
    return merges


def apply_in_order(text, merges, pattern=GPT2_SPLIT_PATTERN):
    ids = []
    for chunk in regex.findall(pattern, text):
        chunk_ids = list(chunk.encode("utf-8"))
        for pair, new_id in merges.items():
            chunk_ids = merge_pair(chunk_ids, pair, new_id)
        ids += chunk_ids
    return ids


def test_merge_pair_left_to_right_with_overlaps():
    assert merge_pair([1, 2, 3, 1, 2], (1, 2), 9) == [9, 3, 9]
    assert merge_pair([5, 5, 5], (5, 5), 7) == [7, 5]
    assert merge_pair([5, 5, 5, 5], (5, 5), 7) == [7, 7]
    assert merge_pair([], (1, 2), 3) == [] and merge_pair([1], (1, 1), 3) == [1]


def test_count_pairs_weights_by_frequency():
    counts, where = count_pairs([[1, 2, 1, 2], [2, 1]], [3, 5])
    assert dict(counts) == {(1, 2): 6, (2, 1): 8}
    assert dict(where) == {(1, 2): {0}, (2, 1): {0, 1}}


def test_pair_stats_best_and_merge_keep_counts_exact():
    stats = PairStats({b"abab": 2, b"ba": 3})
    assert stats.best() == (ord("b"), ord("a"))  # count 2 + 3 = 5 beats (a, b) with 4
    saved = stats.merge((ord("b"), ord("a")), 256)
    assert saved == 2 + 3
    recount, _ = count_pairs(stats.words, stats.freqs)
    assert dict(stats.counts) == dict(recount)
    assert stats.best() == (ord("a"), 256)


def test_training_equals_full_recount(texts):
    text = texts[0][:8_000]
    assert ByteLevelBPE().train(text, 256 + 120).merges == naive_merges(text, 256 + 120)
    assert ByteLevelBPE(GPT4_SPLIT_PATTERN).train(text, 256 + 60).merges == naive_merges(
        text, 256 + 60, GPT4_SPLIT_PATTERN
    )


def test_merges_are_ordered_new_ids_from_256(trained):
    assert list(trained.merges.values()) == list(range(256, 600))
    assert len(trained.vocab) == 600
    for (a, b), new_id in trained.merges.items():
        assert a < new_id and b < new_id
        assert trained.vocab[new_id] == trained.vocab[a] + trained.vocab[b]


def test_encode_equals_merges_applied_in_order(trained, texts):
    sample = texts[1][:3_000]
    assert trained.encode(sample) == apply_in_order(sample, trained.merges)
    assert encode_chunk(b"", trained.merges) == [] and encode_chunk(b"a", trained.merges) == [ord("a")]


def test_merges_never_cross_chunk_boundaries(trained):
    for token in trained.vocab.values():
        text = token.decode("utf-8", errors="ignore")
        if text:
            assert len(regex.findall(GPT2_SPLIT_PATTERN, text)) <= 1 or not text.strip()


def test_round_trip_on_random_unicode(trained):
    rng = random.Random(0)
    pools = ["abc XYZ 123 ,.;!?", " \t\n\r\u3000\xa0", "😀👍🏽👨‍👩‍👧🇨🇳", "你好世界中文字节", "e\u0301a\u0308"]
    strings = [""] + [
        "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 25))) for _ in range(300)
    ]
    strings += [
        "".join(
            chr(c if c < 0xD800 else c + 0x800) for c in (rng.randrange(0x110000 - 0x800) for _ in range(8))
        )
        for _ in range(100)
    ]
    for s in strings:
        assert trained.decode(trained.encode(s)) == s


def test_special_tokens_are_atomic(texts):
    tok = ByteLevelBPE()
    tok.register_special_tokens({"<|endoftext|>": 10_000, "<|pad|>": 10_001})
    tok.train("<|endoftext|>".join([texts[0][:3_000]] * 3), 400)
    assert all(b"endoftext" not in t for t in tok.vocab.values())
    ids = tok.encode("end.<|endoftext|>Start<|pad|>")
    assert ids == tok.encode("end.") + [10_000] + tok.encode("Start") + [10_001]
    assert tok.decode(ids) == "end.<|endoftext|>Start<|pad|>"
    assert tok.encode("<|endoftext|><|endoftext|>") == [10_000, 10_000]


def test_special_tokens_longest_match_first():
    tok = ByteLevelBPE()
    tok.register_special_tokens({"<|a|>": 300, "<|a|><|b|>": 301})
    assert tok.encode("x<|a|><|b|>") == [ord("x"), 301]


@pytest.mark.parametrize(
    "tokens,error,match",
    [
        ({"": 300}, ValueError, "non-empty strings"),
        ({"<s>": 5}, ValueError, r"tokens\['<s>'\] = 5 is taken; an unused id is 256"),
        ({"<s>": -1}, ValueError, r"tokens\['<s>'\] must be an int >= 0, got -1"),
        ({"<s>": 1.0}, TypeError, r"tokens\['<s>'\] must be an int >= 0, got float"),
        ({"<s>": 300, "</s>": 300}, ValueError, r"tokens\['</s>'\] = 300 is taken"),
        (["<s>"], TypeError, "tokens must be a dict"),
        ({1: 300}, TypeError, "tokens must map strings"),
        ({"<s>": True}, TypeError, "got bool"),
    ],
)
def test_register_special_tokens_rejects_bad_input(tokens, error, match):
    tok = ByteLevelBPE()
    with pytest.raises(error, match=match):
        tok.register_special_tokens(tokens)
    assert tok.special_tokens == {}, "a refused registration must leave the tokenizer unchanged"


def test_registering_a_special_token_again_with_its_own_id_is_a_no_op():
    tok = ByteLevelBPE()
    tok.register_special_tokens({"<|endoftext|>": 300, "<|pad|>": 301})
    before = (dict(tok.special_tokens), tok.encode("a<|endoftext|>b<|pad|>"))
    tok.register_special_tokens({"<|endoftext|>": 300})  # a cell run twice does this
    tok.register_special_tokens({"<|pad|>": 301, "<|endoftext|>": 300})
    assert (dict(tok.special_tokens), tok.encode("a<|endoftext|>b<|pad|>")) == before
    with pytest.raises(ValueError, match="is taken"):  # the same token with another's id is still a clash
        tok.register_special_tokens({"<|endoftext|>": 301})
    assert tok.special_tokens == before[0]


def test_encode_ordinary_reads_special_token_text_as_text(trained):
    tok = truncate(trained, 400)
    tok.register_special_tokens({"<|endoftext|>": 5_000})
    text = "end.<|endoftext|>Start"
    assert tok.encode(text) == tok.encode("end.") + [5_000] + tok.encode("Start")
    assert 5_000 not in tok.encode_ordinary(text)
    assert tok.decode(tok.encode_ordinary(text)) == text == tok.decode(tok.encode(text))
    with pytest.raises(TypeError, match="text"):
        tok.encode_ordinary(b"bytes")
    assert repr(tok) == "ByteLevelBPE(vocab=400, special_tokens=1)"


def test_byte_ids_renumber_the_bytes_before_merging():
    tok = ByteLevelBPE()
    order = bytes(reversed(range(256)))  # byte b gets id 255 - b
    tok.byte_ids, tok.vocab = order, {255 - b: bytes([b]) for b in range(256)}
    a, b = 255 - ord("a"), 255 - ord("b")
    tok.merges, tok.vocab[256] = {(a, b): 256}, b"ab"
    assert tok.encode("abc") == [256, 255 - ord("c")]
    assert tok.decode(tok.encode("cab ba")) == "cab ba"
    short = truncate(tok, 256)  # keeps the byte ids, drops the merge
    assert short.byte_ids == order and short.encode("ab") == [a, b]
    tok.train("abab", 257)  # training starts again from bytes in byte order
    assert tok.byte_ids == bytes(range(256)) and tok.merges == {(97, 98): 256}


def test_special_token_ids_already_registered_are_refused():
    tok = ByteLevelBPE()
    tok.register_special_tokens({"<|endoftext|>": 300})
    with pytest.raises(ValueError, match=r"= 300 is taken; an unused id is 301"):
        tok.register_special_tokens({"<|pad|>": 300})
    assert check_special_tokens({"<a>": np.int64(400)}, {1, 2}) == {"<a>": 400}
    assert type(check_special_tokens({"<a>": np.int64(400)}, set())["<a>"]) is int


def test_special_token_id_colliding_with_a_merge_is_refused(texts):
    tok = ByteLevelBPE()
    tok.register_special_tokens({"<|endoftext|>": 260})
    with pytest.raises(ValueError, match="special token"):
        tok.train(texts[0][:2_000], 300)


def test_bad_arguments():
    tok = ByteLevelBPE()
    with pytest.raises(ValueError, match="vocab_size must be an int >= 256, got 255"):
        tok.train("abc", 255)
    with pytest.raises(TypeError, match="vocab_size must be an int >= 256, got float"):
        tok.train("abc", 300.0)
    with pytest.raises(TypeError, match="text"):
        tok.train(b"abc", 300)
    with pytest.raises(TypeError, match="text"):
        tok.encode(None)
    with pytest.raises(ValueError, match="ids"):
        tok.decode([70_000])
    with pytest.raises(ValueError, match="ids"):
        tok.decode(["a"])
    with pytest.raises(TypeError, match="pattern"):
        ByteLevelBPE(pattern="")
    with pytest.raises(TypeError, match="vocab_size"):
        check_vocab_size(True)
    assert check_vocab_size(np.int64(300)) == 300


def test_training_stops_when_pairs_run_out():
    tok = ByteLevelBPE().train("ab ab", 1_000)
    assert len(tok.merges) == 2 and tok.encode("ab ab") == [256, 257]
    assert ByteLevelBPE().train("", 300).merges == {}


def test_truncate_is_a_prefix_and_equals_training_smaller(trained, texts):
    short = truncate(trained, 400)
    assert list(short.merges.items()) == list(trained.merges.items())[:144]
    assert short.merges == ByteLevelBPE().train(texts[0], 400).merges
    assert truncate(trained, 256).encode("abc") == [97, 98, 99]
    with pytest.raises(ValueError, match="vocab_size"):
        truncate(trained, 100)


def test_matches_hf_tokenizers_compression(texts):
    train, heldout = texts
    ours = ByteLevelBPE().train(train, 512)
    hf = Tokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    hf.train_from_iterator(
        [train],
        trainers.BpeTrainer(
            vocab_size=512, show_progress=False, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
        ),
    )
    assert hf.get_vocab_size() == len(ours.vocab) == 512
    assert abs(len(ours.encode(heldout)) / len(hf.encode(heldout).ids) - 1) < 0.02
    hf_first = json.loads(hf.to_str())["model"]["merges"][0]
    assert "".join(hf_first).replace("Ġ", " ").encode() == ours.vocab[256]


def test_chinese_costs_three_tokens_per_character_without_chinese_training(trained):
    passage = CHINESE_PASSAGE.replace("\n", "")
    assert len(trained.encode(passage)) == len(passage.encode("utf-8")) == 3 * len(passage)


def test_benchmark_script_runs_on_small_texts(capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bpe_vs_hf.py"
    spec = importlib.util.spec_from_file_location("bpe_vs_hf", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.main(
        ["--sizes-mb", "0.04", "0.02", "--heldout-chars", "5000", "--vocab-size", "300", "--repeats", "1"]
    )
    assert [run["train_chars"] for run in result["runs"]] == [20_000, 40_000]  # sorted, smaller first
    for run in result["runs"]:
        assert run["ours_vocab"] == run["hf_vocab"] == 300
        assert abs(run["token_difference"]) < 0.02
    assert set(result["sources_chars"]) == {"Python docs", "Wikipedia", "news", "stdlib code"}
    assert "held-out tokens" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        bench.main(["--vocab-size", "100"])
    with pytest.raises(SystemExit):
        bench.main(["--sizes-mb", "1000"])  # more text than the sources hold
