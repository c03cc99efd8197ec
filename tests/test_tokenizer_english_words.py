"""helpers/data/english_words.py: the most frequent words of the Lee news corpus that gensim ships."""

import pytest

from helpers.data import english_words
from helpers.data.english_words import frequent_english_words, lee_corpus_path


def test_the_corpus_ships_inside_gensim():
    path = lee_corpus_path()
    assert path.name == "lee_background.cor" and "gensim" in path.parts
    assert len(path.read_text(encoding="utf-8").splitlines()) == 300  # one news article per line


def test_frequent_words_are_distinct_ranked_and_in_their_usual_spelling():
    words = frequent_english_words(1_000)
    assert len(words) == 1_000 and len({w.lower() for w in words}) == 1_000
    assert words[:3] == ["the", "to", "of"]
    assert "Australia" in words and "australia" not in words  # the spelling news text uses
    assert all("'" not in w and w.isalpha() and w.isascii() for w in words)  # no contractions
    assert frequent_english_words(10) == words[:10]


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="n must be an int"):
        frequent_english_words(0)
    with pytest.raises(TypeError, match="n must be an int"):
        frequent_english_words(2.5)
    with pytest.raises(ValueError, match="n must be an int"):
        frequent_english_words(10**6)


def test_a_missing_gensim_is_reported(monkeypatch):
    monkeypatch.setattr(english_words.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="gensim is not installed"):
        lee_corpus_path()
