"""Byte-level BPE, as taught in ``notebooks/01_tokenizer.ipynb``, packaged for the benchmark and later notebooks.

The notebook writes this code visibly and checks that its own class learns the same merges and gives the same
ids as the one here. Text is cut into chunks by a regular expression (GPT-2's or GPT-4's split pattern); each
chunk starts as its UTF-8 bytes (ids 0-255); training repeatedly merges the most frequent adjacent pair inside
chunks into a new id (256, 257, ...). Pair counts are kept per *distinct* chunk and updated only where a merge
changes something, with a lazy max-heap to find the next pair; ties go to the smallest pair ``(id_a, id_b)``.

Shapes: ids are Python lists of ints, (L,) for a text of L tokens; ``merges`` maps ``(id_a, id_b) -> new_id``
in the order learned; ``vocab`` maps id -> bytes.

Deliberately left out: Unicode normalisation, a prefix space, byte fallback tables, BPE-dropout, saving and
loading, and the Rust trainer's speed tricks (parallel counting, packed integer words).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict

import regex

__all__ = [
    "GPT2_SPLIT_PATTERN",
    "GPT4_SPLIT_PATTERN",
    "merge_pair",
    "encode_chunk",
    "count_pairs",
    "check_vocab_size",
    "PairStats",
    "BPEEncoding",
    "ByteLevelBPE",
    "truncate",
]

GPT2_SPLIT_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
GPT4_SPLIT_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*"""
    r"""|\s*[\r\n]|\s+(?!\S)|\s+"""
)


def merge_pair(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace each occurrence of `pair` in `ids` by `new_id`, scanning left to right.

    ids: list of L ints -> list of L' <= L ints. Overlaps go to the leftmost: (a, a) in [a, a, a] -> [new, a].
    """
    out, i, n = [], 0, len(ids)
    while i < n:
        if i + 1 < n and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def encode_chunk(chunk: bytes, merges: dict[tuple[int, int], int]) -> list[int]:
    """UTF-8 bytes of one chunk -> list of ids: merge the lowest-ranked (earliest learned) pair present, repeat."""
    ids = list(chunk)
    while len(ids) >= 2:
        pair = min(zip(ids, ids[1:]), key=lambda p: merges.get(p, math.inf))  # new ids grow with rank
        if pair not in merges:
            return ids
        ids = merge_pair(ids, pair, merges[pair])
    return ids


def count_pairs(words: list[list[int]], freqs: list[int]) -> tuple[dict, dict]:
    """Adjacent pairs over distinct chunks: ({pair: count weighted by freqs}, {pair: indices of chunks with it})."""
    counts, where = defaultdict(int), defaultdict(set)
    for w, (word, freq) in enumerate(zip(words, freqs)):
        for pair in zip(word, word[1:]):
            counts[pair] += freq
            where[pair].add(w)
    return counts, where


def check_vocab_size(vocab_size: int) -> None:
    """Raise ValueError unless vocab_size is an int >= 256."""
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 256:
        raise ValueError(f"vocab_size must be an int >= 256 (the byte alphabet), got {vocab_size!r}")


class PairStats:
    """Pair counts over the distinct chunks of a text, updated only where a merge changes them (no recount)."""

    def __init__(self, chunk_counts: dict[bytes, int]):  # {chunk bytes: occurrences}
        self.words = [list(chunk) for chunk in chunk_counts]  # ids of each distinct chunk
        self.freqs = list(chunk_counts.values())  # occurrences of each chunk
        self.counts, self.where = count_pairs(self.words, self.freqs)
        self.heap = [
            (-count, pair) for pair, count in self.counts.items()
        ]  # max-heap on count, then smallest pair
        heapq.heapify(self.heap)

    def best(self) -> tuple[int, int] | None:
        """The most frequent pair (ties: the smallest (id_a, id_b)), or None when no pair is left."""
        while self.heap and self.counts.get(self.heap[0][1], 0) != -self.heap[0][0]:
            heapq.heappop(self.heap)  # stale entry: its count changed
        return self.heap[0][1] if self.heap else None

    def merge(self, pair: tuple[int, int], new_id: int) -> int:
        """Merge `pair` into `new_id` in every chunk containing it, update the counts; return tokens saved."""
        changed, saved = set(), 0
        for w in self.where.pop(pair, ()):
            old, freq = self.words[w], self.freqs[w]
            new = self.words[w] = merge_pair(old, pair, new_id)
            saved += (len(old) - len(new)) * freq
            old_pairs, new_pairs = list(zip(old, old[1:])), list(zip(new, new[1:]))
            for p in old_pairs:
                self.counts[p] -= freq
                self.where[p].discard(w)
            for p in new_pairs:
                self.counts[p] += freq
                self.where[p].add(w)
            changed.update(old_pairs, new_pairs)
        for p in changed:  # one fresh heap entry per changed pair
            if self.counts[p] > 0:
                heapq.heappush(self.heap, (-self.counts[p], p))
            else:
                del self.counts[p], self.where[p]
        return saved


class BPEEncoding:
    """Encoding and decoding with learned merges and special tokens: everything but training."""

    def __init__(self, pattern: str = GPT2_SPLIT_PATTERN):
        if not isinstance(pattern, str) or not pattern:
            raise TypeError("pattern must be a non-empty regular-expression str, e.g. GPT2_SPLIT_PATTERN")
        self.pattern, self.split_re = pattern, regex.compile(pattern)
        self.merges = {}  # (id_a, id_b) -> new id, in the order learned
        self.vocab = {i: bytes([i]) for i in range(256)}  # id -> the bytes it stands for
        self.special_tokens, self.special_re = {}, None  # str -> id; a regex that finds them
        self.cache = {}  # chunk bytes -> ids: chunks repeat a lot

    def parts(self, text: str) -> list[str]:
        """Special tokens become parts of their own: 'a<|endoftext|>b' -> ['a', '<|endoftext|>', 'b']."""
        return self.special_re.split(text) if self.special_re else [text]

    def encode(self, text: str) -> list[int]:
        """str -> list of ids. A special token is one id and never merges with its neighbours."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        ids = []
        for part in self.parts(text):
            if part in self.special_tokens:
                ids.append(self.special_tokens[part])
                continue
            for chunk in self.split_re.findall(part):  # merges never cross chunk boundaries
                key = chunk.encode("utf-8")
                if key not in self.cache:
                    self.cache[key] = encode_chunk(key, self.merges)
                ids += self.cache[key]
        return ids

    def decode(self, ids: list[int]) -> str:
        """list of ids -> str (byte runs that are not valid UTF-8 show as U+FFFD)."""
        table = {**self.vocab, **{i: s.encode("utf-8") for s, i in self.special_tokens.items()}}
        try:
            return b"".join(table[i] for i in ids).decode("utf-8", errors="replace")
        except (KeyError, TypeError):
            raise ValueError(f"ids must be ints in 0…{len(self.vocab) - 1} or special-token ids") from None


class ByteLevelBPE(BPEEncoding):
    """Byte-level BPE: train(text, vocab_size), encode, decode, merges, register_special_tokens."""

    def register_special_tokens(self, tokens: dict[str, int]) -> None:
        """Add special tokens, e.g. {"<|endoftext|>": 2048}, with ids no byte, merge or other special token uses."""
        taken = set(self.vocab) | set(self.special_tokens.values())
        ids = (
            list(tokens.values())
            if isinstance(tokens, dict) and all(isinstance(s, str) and s for s in tokens)
            else None
        )
        if (
            ids is None
            or len(set(ids)) < len(ids)
            or any(type(i) is not int or i < 0 or i in taken for i in ids)
        ):
            raise ValueError(
                f"tokens must map non-empty strings to distinct unused int ids (e.g. >= {len(self.vocab)}), "
                f"got {tokens!r}"
            )
        self.special_tokens = {**self.special_tokens, **tokens}
        longest_first = sorted(self.special_tokens, key=len, reverse=True)
        self.special_re = regex.compile("(" + "|".join(regex.escape(s) for s in longest_first) + ")")

    def start_training(self, text: str) -> None:
        """Forget earlier merges; count the chunks of `text` (special tokens cut out) and their byte pairs."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        self.merges, self.vocab, self.cache = {}, {i: bytes([i]) for i in range(256)}, {}
        chunks = (
            c
            for part in self.parts(text)
            if part not in self.special_tokens
            for c in self.split_re.findall(part)
        )
        self.stats = PairStats(Counter(chunk.encode("utf-8") for chunk in chunks))

    def learn_merge(self) -> int:
        """Learn one merge; return how many tokens it saved on the training text (0: no pair left)."""
        pair, new_id = self.stats.best(), len(self.vocab)
        if pair is None:
            return 0
        if new_id in self.special_tokens.values():  # ids must stay consecutive from 256
            raise ValueError(
                f"merge id {new_id} is taken by a special token: give special tokens ids >= vocab_size"
            )
        self.merges[pair], self.vocab[new_id] = new_id, self.vocab[pair[0]] + self.vocab[pair[1]]
        return self.stats.merge(pair, new_id)

    def train(self, text: str, vocab_size: int) -> ByteLevelBPE:
        """Learn vocab_size - 256 merges from `text` (fewer if it runs out of pairs); returns self."""
        check_vocab_size(vocab_size)
        self.start_training(text)
        while len(self.vocab) < vocab_size and self.learn_merge():
            pass
        return self


def truncate(tokenizer: ByteLevelBPE, vocab_size: int) -> ByteLevelBPE:
    """A new ByteLevelBPE with the first vocab_size - 256 merges of `tokenizer` and its special tokens."""
    check_vocab_size(vocab_size)
    short = ByteLevelBPE(tokenizer.pattern)
    for pair, new_id in list(tokenizer.merges.items())[: vocab_size - 256]:
        short.merges[pair], short.vocab[new_id] = new_id, short.vocab[pair[0]] + short.vocab[pair[1]]
    if tokenizer.special_tokens:
        short.register_special_tokens(dict(tokenizer.special_tokens))
    return short
