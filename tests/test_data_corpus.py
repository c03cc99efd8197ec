"""Tests for helpers.data.corpus: planted structure checked by independent counting, seeds, sense labels, the
analogy questions, and the file loader on small files written here."""

import re
from collections import Counter

import pytest

from helpers.data import corpus as corpus_module
from helpers.data.corpus import (
    AMBIGUOUS,
    MARKERS,
    RELATIONS,
    PlantedCorpus,
    SenseOccurrence,
    analogy_questions,
    make_corpus,
    sentences_from_file,
    tokenize,
)


@pytest.fixture(scope="module")
def corpus() -> PlantedCorpus:
    return make_corpus(num_sentences=3000, seed=5)


def test_shape_and_types(corpus):
    assert len(corpus.sentences) == 3000
    assert all(isinstance(s, list) and 7 <= len(s) <= 9 for s in corpus.sentences)
    assert all(type(w) is str and w == w.lower() and w.isalpha() for s in corpus.sentences for w in s)
    assert corpus.num_tokens == sum(len(s) for s in corpus.sentences)
    assert corpus.seed == 5


def _words(*pairs_or_words):
    return (
        "("
        + "|".join(sorted({w for x in pairs_or_words for w in (x if isinstance(x, tuple) else [x])}))
        + ")"
    )


PERSON, NOUN = _words(*RELATIONS["gender"]), _words(*RELATIONS["plural"])
PLACE, VERB, AMBIGUOUS_WORD = _words(*RELATIONS["capital"]), _words(*RELATIONS["tense"]), _words(*AMBIGUOUS)
#: the grammar every generated sentence must follow, written out here independently of the generator
GRAMMAR = [
    f"the {PERSON} said (he|she) liked (his|her) C and C",
    f"(he|she) told the {PERSON} about (his|her) C and C",
    f"the {PERSON} (himself|herself) loved (his|her) C and C",
    f"the {PERSON} brought (his|her) C and C with (him|her)",
    f"(a|an|one|two|many) {NOUN} (is|was|are|were) near the C and the C",
    f"there (is|was|are|were) (a|an|one|two|many) {NOUN} with C and C",
    f"(a|an|one|two|many) {NOUN} with the C (is|was|are|were) by the C",
    f"the (president|mayor) of {PLACE} praised the C and C",
    f"the (nation|city) of {PLACE} and its (president|mayor) love C",
    f"the (border|provinces|streets|suburbs) of {PLACE} had the C and C",
    f"the (president|mayor) of {PLACE} praised its (border|provinces|streets|suburbs) and C",
    f"(today|now|yesterday|earlier) we {VERB} the C and the C",
    f"they (usually|often|once|already) {VERB} the C with the C",
    f"(today|now|yesterday|earlier) they (usually|often|once|already) {VERB} the C and C",
    f"we passed the {AMBIGUOUS_WORD} near C C and C",
    f"the C C and C lay by the {AMBIGUOUS_WORD}",
    f"the {AMBIGUOUS_WORD} needs the C C and C",
]


def test_sentences_follow_a_small_grammar(corpus):
    """Every sentence is one of a few grammatical patterns (C: a context noun), and agrees in number,
    gender and article: a singular noun never takes are/were/two/many, "an" only before a vowel."""
    patterns = [re.compile("^" + g.replace("C", "[a-z]+") + "$") for g in GRAMMAR]
    used = Counter()
    for words in corpus.sentences:
        sentence = " ".join(words)
        matches = [i for i, p in enumerate(patterns) if p.match(sentence)]
        assert matches, sentence
        used[matches[0]] += 1
        for i, w in enumerate(words[:-1]):
            if w in ("a", "an"):
                assert (w == "an") == words[i + 1].startswith(tuple("aeiou")), sentence
    assert set(used) == set(range(len(GRAMMAR))), "every pattern occurs"


def test_marker_words_belong_to_one_relation(corpus):
    """The side words of a relation never occur in another relation's sentences."""
    kind_of = {w: kind for kind, pairs in RELATIONS.items() for pair in pairs for w in pair}
    for words in corpus.sentences:
        kinds = {kind_of[w] for w in words if w in kind_of}
        assert len(kinds) <= 1, words
        for kind, (left, right) in MARKERS.items():
            if kind not in kinds:
                assert not {*left, *right} & set(words), (kind, words)
    assert MARKERS["gender"] == (("he", "him", "himself", "his"), ("her", "herself", "she"))


def test_the_earlier_version_is_unchanged():
    """grammatical=False gives the earlier generator's sentences, on which 02_word2vec was measured."""
    old = make_corpus(600, seed=0, grammatical=False)
    assert old.sentences[0] == ["hers", "nephew", "and", "her", "niece", "met", "the", "aunt"]
    assert all(6 <= len(s) <= 9 for s in old.sentences)
    assert old.sense_context["bank"]["river"] == ("river", "shore", "mud", "fishing")
    assert old.sentences != make_corpus(600, seed=0).sentences
    with pytest.raises(TypeError, match="grammatical must be a bool"):
        make_corpus(600, grammatical=1)


def test_deterministic_by_seed():
    a, b, c = make_corpus(500, seed=1), make_corpus(500, seed=1), make_corpus(500, seed=2)
    assert a.sentences == b.sentences and a.senses == b.senses
    assert a.sentences != c.sentences


def test_every_planted_word_occurs(corpus):
    counts = Counter(w for s in corpus.sentences for w in s)
    for pairs in RELATIONS.values():
        for a, b in pairs:
            assert counts[a] >= 10 and counts[b] >= 10, (a, b)
    for word in AMBIGUOUS:
        assert counts[word] >= 10


def test_side_words_mark_the_side_of_each_relation(corpus):
    """A relation's left words co-occur only with left markers and right words only with right markers."""
    for kind, (left_markers, right_markers) in corpus_module._SIDE.items():
        for a, b in RELATIONS[kind]:
            for s in corpus.sentences:
                if a in s:
                    assert not set(right_markers) & set(s), (kind, a, s)
                if b in s:
                    assert not set(left_markers) & set(s), (kind, b, s)


def test_pair_words_share_context(corpus):
    """Both words of a pair share their pair's context words, and no other pair's."""
    for kind, pairs in RELATIONS.items():
        context = corpus_module._CONTEXT[kind]
        for i, (a, b) in enumerate(pairs):
            for word in (a, b):
                seen = {w for s in corpus.sentences if word in s for w in s}
                assert set(context[i]) & seen, (kind, word)
                others = {w for j, ctx in enumerate(context) if j != i for w in ctx}
                assert not others & seen, (kind, word)


def test_sense_labels(corpus):
    assert corpus.ambiguous == {w: tuple(s) for w, s in AMBIGUOUS.items()}
    assert corpus.sense_context["bank"]["river"] == tuple(AMBIGUOUS["bank"]["river"])
    total = sum(s.count(w) for s in corpus.sentences for w in AMBIGUOUS)
    assert len(corpus.senses) == total > 50
    for occ in corpus.senses:
        assert isinstance(occ, SenseOccurrence)
        sentence = corpus.sentences[occ.sentence]
        assert sentence[occ.position] == occ.word
        assert occ.sense in corpus.ambiguous[occ.word]
        own = set(AMBIGUOUS[occ.word][occ.sense])
        other = {w for sense, ws in AMBIGUOUS[occ.word].items() if sense != occ.sense for w in ws}
        assert own & set(sentence) and not other & set(sentence)
    assert {o.sense for o in corpus.senses if o.word == "bat"} == {"animal", "sports"}
    assert corpus.senses == sorted(corpus.senses, key=lambda o: (o.sentence, o.position))


def test_vocabulary_order(corpus):
    vocab = corpus.vocabulary()
    counts = Counter(w for s in corpus.sentences for w in s)
    assert set(vocab) == set(counts)
    assert [counts[w] for w in vocab] == sorted(counts.values(), reverse=True)


def test_analogy_questions():
    pairs = [("a", "b"), ("c", "d"), ("e", "f")]
    questions = analogy_questions(pairs)
    assert len(questions) == 6
    assert ("a", "b", "c", "d") in questions and ("c", "d", "a", "b") in questions
    assert all(q[:2] != q[2:] for q in questions)


def test_corpus_analogies(corpus):
    assert len(corpus.analogies("gender")) == 12 * 11
    assert len(corpus.analogies()) == sum(len(p) * (len(p) - 1) for p in RELATIONS.values())
    assert ("france", "paris", "japan", "tokyo") in corpus.analogies("capital")
    with pytest.raises(ValueError, match="relation must be one of"):
        corpus.analogies("colour")


@pytest.mark.parametrize(
    "bad, exc, match",
    [
        (dict(num_sentences=50), ValueError, "num_sentences must be an int >= 100, got 50"),
        (dict(num_sentences=1000.0), TypeError, "num_sentences must be an int >= 100, got float"),
        (dict(num_sentences=True), TypeError, "num_sentences must be an int >= 100, got bool"),
        (dict(seed=-1), ValueError, "seed must be an int >= 0, got -1"),
        (dict(seed="0"), TypeError, "seed must be an int >= 0, got str"),
    ],
)
def test_make_corpus_bad_input(bad, exc, match):
    with pytest.raises(exc, match=f"^{match}$"):
        make_corpus(**bad)


@pytest.mark.parametrize(
    "bad, exc",
    [
        ([("a", "b")], ValueError),
        ("ab", TypeError),
        ([("a", 1), ("b", "c")], TypeError),
        ([("a", "b", "c"), ("d", "e", "f")], TypeError),
    ],
)
def test_analogy_questions_bad_input(bad, exc):
    with pytest.raises(exc, match="pairs"):
        analogy_questions(bad)


def test_tokenize():
    text = "Hello, World! It's 2024.  The café's menu?\n\nNew paragraph without stop\nsame sentence"
    assert tokenize(text) == [
        ["hello", "world"],
        ["it's", "2024"],
        ["the", "café's", "menu"],
        ["new", "paragraph", "without", "stop", "same", "sentence"],
    ]
    assert tokenize("A B. C", lowercase=False) == [["A", "B"], ["C"]]
    assert tokenize("... !!! ") == []
    with pytest.raises(TypeError, match="text must be a str"):
        tokenize(b"bytes")


def test_sentences_from_file(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("The king rules. The queen rules too!\nA new line, same sentence.", encoding="utf-8")
    assert sentences_from_file(path) == [
        ["the", "king", "rules"],
        ["the", "queen", "rules", "too"],
        ["a", "new", "line", "same", "sentence"],
    ]
    assert sentences_from_file(str(path), lowercase=False)[0] == ["The", "king", "rules"]
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffword here.".encode("utf-8"))
    assert sentences_from_file(bom) == [["word", "here"]]
    chinese = tmp_path / "zh.txt"
    chinese.write_text("我爱北京。 Hello there.", encoding="utf-8")
    assert sentences_from_file(chinese) == [["我爱北京", "hello", "there"]]


def test_sentences_from_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        sentences_from_file(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="is a directory"):
        sentences_from_file(tmp_path)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("café au lait".encode("latin-1"))
    with pytest.raises(ValueError, match="not (valid )?UTF-8"):
        sentences_from_file(latin1)
    empty = tmp_path / "empty.txt"
    empty.write_text("  ... \n", encoding="utf-8")
    with pytest.raises(ValueError, match="contains no words"):
        sentences_from_file(empty)
    big = tmp_path / "big.txt"
    big.write_text("word " * 100, encoding="utf-8")
    with pytest.raises(ValueError, match="max_bytes"):
        sentences_from_file(big, max_bytes=10)
    with pytest.raises(ValueError, match="^max_bytes must be an int >= 1, got 0$"):
        sentences_from_file(big, max_bytes=0)
    with pytest.raises(TypeError, match="^max_bytes must be an int >= 1, got float$"):
        sentences_from_file(big, max_bytes=1e6)
    with pytest.raises(TypeError, match="path must be a str"):
        sentences_from_file(123)
