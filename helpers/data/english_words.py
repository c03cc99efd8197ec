"""Frequent English words, offline: counted in the Lee background corpus, 300 English news articles that ship
inside the gensim package with its test data (``gensim/test/test_data/lee_background.cor``, one article per
line). The tokenizer notebook asks how many of them a vocabulary writes as one token.

- :func:`lee_corpus_path` finds the file without importing gensim (which is slow to import);
- :func:`frequent_english_words` counts words case-insensitively and returns the ``n`` most frequent, each in
  its most frequent spelling ("the", "Australia", "I"). Contractions and possessives ("don't", "Australia's")
  are left out: GPT-style pre-tokenizers cut them in two before any vocabulary is consulted.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from functools import lru_cache
from pathlib import Path

import regex

from helpers.validate import check_int

LEE_FILE = "lee_background.cor"
#: A run of ASCII letters with an optional apostrophe part; the matches with an apostrophe are not counted, so
#: "don't" is neither a word nor split into "don" and "t".
WORD = regex.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


def lee_corpus_path() -> Path:
    """The path of ``lee_background.cor`` inside the installed gensim package.

    Raises:
        FileNotFoundError: gensim is not installed, or its wheel came without the test data.
    """
    spec = importlib.util.find_spec("gensim")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("gensim is not installed; it is pinned in requirements.txt")
    path = Path(spec.origin).parent / "test" / "test_data" / LEE_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: this gensim installation has no test data")
    return path


@lru_cache(maxsize=1)
def _ranked_words() -> tuple[str, ...]:
    """Every distinct word of the corpus, most frequent first (ties: alphabetical, lower case)."""
    matches = WORD.findall(lee_corpus_path().read_text(encoding="utf-8"))
    spellings = Counter(word for word in matches if "'" not in word)
    counts, best = Counter(), {}
    for spelling, n in spellings.items():
        key = spelling.lower()
        counts[key] += n
        if key not in best or (n, spelling) > (spellings[best[key]], best[key]):
            best[key] = spelling  # the most frequent spelling (ties: the larger string, e.g. lower case)
    return tuple(best[key] for key, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def frequent_english_words(n: int = 1_000) -> list[str]:
    """The ``n`` most frequent words of the Lee news corpus, most frequent first.

    Words are counted case-insensitively; each is returned in its most frequent spelling.

    Args:
        n: how many words (1 … the number of distinct words, about 7,000).
    Returns:
        A list of ``n`` distinct strings.
    """
    words = _ranked_words()
    n = check_int("n", n, low=1, high=len(words))
    return list(words[:n])
