"""A generated English corpus with planted structure, and sentences from a text file of your own.

:func:`make_corpus` writes short grammatical sentences ("the queen said she liked her crown and throne",
"two cats were near the milk and the mouse", "yesterday we walked the path and the beach") whose word
co-occurrences contain four planted relations and a few ambiguous words, so that word embeddings can be
tested against known answers:

* ``gender`` — king/queen, man/woman, …: each word shares *role* context words with its partner (crown,
  throne) and *gender* words with every word of its gender (he/his/him/himself vs she/her/herself);
* ``plural`` — cat/cats, …: noun-specific context plus number markers (a/an, one, is, was vs two, many,
  are, were);
* ``capital`` — france/paris, …: country-specific context (food, culture) plus country vs city markers
  (president, nation, border, provinces vs mayor, city, streets, suburbs);
* ``tense`` — walk/walked, …: verb-specific objects plus time markers (today, now, usually, often vs
  yesterday, earlier, once, already);
* ambiguous words (``bank``, ``bat``, ``spring``, ``plant``), each used in two senses with disjoint context
  words, three per sentence ("the plant needs the soil seeds and pot": a list whose commas are dropped, as a
  tokenizer drops them); every occurrence carries its sense label (for contextual embeddings later).

Each sentence is one of a few fixed templates per relation: a side word fills a grammatical slot (a subject
pronoun, a possessive, a determiner and a form of *be*, a time adverb), so it agrees with the planted word,
and the marker words of one relation occur in no other relation's sentences. The structure is additive by
design: a word's context distribution is "what it is" (role, noun, country, verb) combined with "which side
of the relation it is on", which is what makes ``b − a + c ≈ d`` work. Everything is deterministic by seed.
Nothing is downloaded. ``make_corpus(..., grammatical=False)`` gives the earlier, ungrammatical version
("the queen said she crown and her throne"), kept unchanged because 02_word2vec was measured on it.

What this leaves out: real text has long-tailed frequencies, varied syntax, polysemy everywhere and noise;
here each relation is clean, sentences follow a dozen and a half templates, the pairings of context words are
random (so some sentences are odd in meaning, "the mayor of moscow praised its streets and tsar"), and every
planted word is roughly equally frequent.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers.data.text import load_text_file
from helpers.validate import check_int

__all__ = [
    "RELATIONS",
    "AMBIGUOUS",
    "MARKERS",
    "SenseOccurrence",
    "PlantedCorpus",
    "analogy_questions",
    "make_corpus",
    "tokenize",
    "sentences_from_file",
]

#: relation name -> (left word, right word) pairs; analogies ask "a is to b as c is to ?".
RELATIONS: dict[str, list[tuple[str, str]]] = {
    "gender": [
        ("king", "queen"),
        ("prince", "princess"),
        ("man", "woman"),
        ("boy", "girl"),
        ("father", "mother"),
        ("son", "daughter"),
        ("brother", "sister"),
        ("uncle", "aunt"),
        ("husband", "wife"),
        ("actor", "actress"),
        ("waiter", "waitress"),
        ("lord", "lady"),
    ],
    "plural": [
        ("cat", "cats"),
        ("dog", "dogs"),
        ("horse", "horses"),
        ("bird", "birds"),
        ("car", "cars"),
        ("book", "books"),
        ("apple", "apples"),
        ("tree", "trees"),
        ("house", "houses"),
        ("ship", "ships"),
        ("cup", "cups"),
        ("chair", "chairs"),
    ],
    "capital": [
        ("france", "paris"),
        ("germany", "berlin"),
        ("italy", "rome"),
        ("spain", "madrid"),
        ("japan", "tokyo"),
        ("china", "beijing"),
        ("egypt", "cairo"),
        ("russia", "moscow"),
        ("canada", "ottawa"),
        ("greece", "athens"),
        ("kenya", "nairobi"),
        ("peru", "lima"),
    ],
    "tense": [
        ("walk", "walked"),
        ("run", "ran"),
        ("eat", "ate"),
        ("write", "wrote"),
        ("see", "saw"),
        ("sing", "sang"),
        ("swim", "swam"),
        ("drive", "drove"),
        ("speak", "spoke"),
        ("take", "took"),
        ("give", "gave"),
        ("build", "built"),
    ],
}

# What each pair is about (shared by both words of a pair), three context nouns per pair.
_ROLE = [
    ["crown", "throne", "kingdom"],
    ["castle", "palace", "carriage"],
    ["job", "office", "coat"],
    ["school", "toys", "bike"],
    ["family", "children", "home"],
    ["baby", "cradle", "nursery"],
    ["twin", "sibling", "bedroom"],
    ["nephew", "niece", "cousin"],
    ["wedding", "spouse", "marriage"],
    ["stage", "film", "role"],
    ["restaurant", "table", "menu"],
    ["estate", "manor", "servants"],
]
_NOUN = [
    ["whiskers", "mouse", "milk"],
    ["bone", "leash", "kennel"],
    ["saddle", "hay", "stable"],
    ["feathers", "nest", "cage"],
    ["engine", "road", "wheels"],
    ["pages", "library", "author"],
    ["fruit", "juice", "orchard"],
    ["leaves", "forest", "branches"],
    ["roof", "door", "rooms"],
    ["sea", "sail", "harbour"],
    ["tea", "coffee", "saucer"],
    ["cushion", "wood", "desk"],
]
_COUNTRY = [
    ["wine", "cheese", "croissants"],
    ["beer", "sausage", "pretzels"],
    ["pasta", "opera", "pizza"],
    ["paella", "flamenco", "tapas"],
    ["sushi", "samurai", "kimonos"],
    ["dumplings", "dynasty", "pandas"],
    ["pyramids", "nile", "camels"],
    ["vodka", "tsar", "ballet"],
    ["maple", "hockey", "moose"],
    ["olives", "temples", "philosophy"],
    ["safari", "savanna", "lions"],
    ["andes", "llamas", "ruins"],
]
_VERB = [  # objects of the verb
    ["path", "trail", "beach"],
    ["race", "marathon", "track"],
    ["bread", "soup", "dinner"],
    ["letter", "story", "poem"],
    ["view", "movie", "stars"],
    ["song", "melody", "anthem"],
    ["lake", "pool", "channel"],
    ["truck", "bus", "highway"],
    ["language", "truth", "words"],
    ["bag", "taxi", "photo"],
    ["gift", "present", "money"],
    ["wall", "bridge", "tower"],
]
#: relation -> grammatical slot -> (words marking the left side, words marking the right side)
_SLOTS: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    "gender": {
        "subj": (["he"], ["she"]),
        "poss": (["his"], ["her"]),
        "obj": (["him"], ["her"]),
        "refl": (["himself"], ["herself"]),
    },
    "plural": {"det": (["a", "one"], ["two", "many"]), "be": (["is", "was"], ["are", "were"])},
    "capital": {
        "who": (["president"], ["mayor"]),
        "place": (["nation"], ["city"]),
        "area": (["border", "provinces"], ["streets", "suburbs"]),
    },
    "tense": {
        "when": (["today", "now"], ["yesterday", "earlier"]),
        "adv": (["usually", "often"], ["once", "already"]),
    },
}
_SIDE: dict[str, tuple[list[str], list[str]]] = {  # all words marking the left vs the right side
    kind: tuple(sorted({w for words in slots.values() for w in words[side]}) for side in (0, 1))
    for kind, slots in _SLOTS.items()
}
_SIDE["plural"] = (sorted([*_SIDE["plural"][0], "an"]), _SIDE["plural"][1])  # "an apple"
#: relation name -> (the words that mark its left side, the words that mark its right side), e.g. gender:
#: ((he, him, himself, his), (her, herself, she)); each occurs only in that relation's sentences.
MARKERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    k: (tuple(a), tuple(b)) for k, (a, b) in _SIDE.items()
}
_CONTEXT = {"gender": _ROLE, "plural": _NOUN, "capital": _COUNTRY, "tense": _VERB}

#: ambiguous word -> {sense label: context words of that sense}
AMBIGUOUS: dict[str, dict[str, list[str]]] = {
    "bank": {"river": ["river", "shore", "mud", "fish"], "money": ["loan", "cash", "account", "deposit"]},
    "bat": {
        "animal": ["cave", "night", "wings", "insects"],
        "sports": ["ball", "cricket", "baseball", "glove"],
    },
    "spring": {
        "season": ["flowers", "april", "blossoms", "sunshine"],
        "coil": ["coil", "metal", "mattress", "wire"],
    },
    "plant": {
        "flora": ["soil", "garden", "seeds", "pot"],
        "factory": ["factory", "workers", "machines", "steel"],
    },
}

_KIND_WEIGHTS = {"gender": 0.23, "plural": 0.23, "capital": 0.2, "tense": 0.2, "ambiguous": 0.14}


@dataclass(frozen=True)
class SenseOccurrence:
    """One occurrence of an ambiguous word: ``sentences[sentence][position] == word``, used in ``sense``."""

    sentence: int
    position: int
    word: str
    sense: str


@dataclass
class PlantedCorpus:
    """The generated corpus.

    Attributes:
        sentences: list of sentences, each a list of lowercase word strings.
        relations: relation name -> list of (a, b) word pairs planted in the text.
        ambiguous: ambiguous word -> tuple of its sense labels.
        sense_context: ambiguous word -> {sense label: tuple of the context words used with that sense}.
        senses: every occurrence of an ambiguous word with its sense label, in text order.
        seed: the seed that generated it.
    """

    sentences: list[list[str]]
    relations: dict[str, list[tuple[str, str]]]
    ambiguous: dict[str, tuple[str, ...]]
    senses: list[SenseOccurrence] = field(repr=False)
    sense_context: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict, repr=False)
    seed: int = 0

    @property
    def num_tokens(self) -> int:
        return sum(len(s) for s in self.sentences)

    def vocabulary(self) -> list[str]:
        """Distinct words, most frequent first (ties alphabetical)."""
        counts: dict[str, int] = {}
        for sentence in self.sentences:
            for word in sentence:
                counts[word] = counts.get(word, 0) + 1
        return sorted(counts, key=lambda w: (-counts[w], w))

    def analogies(self, relation: str | None = None) -> list[tuple[str, str, str, str]]:
        """Analogy questions ``(a, b, c, d)``, read "a is to b as c is to d", for one relation or all."""
        if relation is None:
            return [q for name in self.relations for q in analogy_questions(self.relations[name])]
        if relation not in self.relations:
            raise ValueError(f"relation must be one of {sorted(self.relations)} or None, got {relation!r}")
        return analogy_questions(self.relations[relation])


def analogy_questions(pairs: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """All questions ``(a, b, c, d)`` from two distinct pairs ``(a, b)`` and ``(c, d)`` of one relation.

    ``n`` pairs give ``n (n − 1)`` questions; the answer ``d`` should be nearest to ``b − a + c``.
    """
    if not isinstance(pairs, (list, tuple)) or not all(
        isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(w, str) for w in p) for p in pairs
    ):
        raise TypeError("pairs must be a list of (str, str) pairs")
    if len(pairs) < 2:
        raise ValueError(f"pairs must hold at least 2 pairs to form a question, got {len(pairs)}")
    return [(a, b, c, d) for i, (a, b) in enumerate(pairs) for j, (c, d) in enumerate(pairs) if i != j]


# W: the planted word, C: one of its context words (distinct; two per sentence, three for an ambiguous word, a
# list written without its commas as a tokenizer leaves it: "the soil, seeds and pot"), {slot}: a side word of
# that grammatical slot (_SLOTS); every template reads as an English sentence of 7 to 9 words.
_TEMPLATES = {
    "gender": [
        "the W said {subj} liked {poss} C and C",
        "{subj} told the W about {poss} C and C",
        "the W {refl} loved {poss} C and C",
        "the W brought {poss} C and C with {obj}",
    ],
    "plural": [
        "{det} W {be} near the C and the C",
        "there {be} {det} W with C and C",
        "{det} W with the C {be} by the C",
    ],
    "capital": [
        "the {who} of W praised the C and C",
        "the {place} of W and its {who} love C",
        "the {area} of W had the C and C",
        "the {who} of W praised its {area} and C",
    ],
    "tense": [
        "{when} we W the C and the C",
        "they {adv} W the C with the C",
        "{when} they {adv} W the C and C",
    ],
    "ambiguous": [
        "we passed the W near C C and C",
        "the C C and C lay by the W",
        "the W needs the C C and C",
    ],
}
_VOWELS = tuple("aeiou")


def _fill(template: str, word: str, side: int, ctx: list[str], kind: str, rng: np.random.Generator):
    """Fill one template; return the sentence and the position of the planted word."""
    out, context = [], iter(ctx)
    for token in template.split():
        if token == "W":
            out.append(word)
        elif token == "C":
            out.append(str(next(context)))
        elif token.startswith("{"):
            choices = _SLOTS[kind][token[1:-1]][side]
            out.append(choices[int(rng.integers(len(choices)))])
        else:
            out.append(token)
    for i, token in enumerate(out[:-1]):  # "a apple" -> "an apple"
        if token == "a" and out[i + 1].startswith(_VOWELS):
            out[i] = "an"
    return out, out.index(word)


def _relation_sentences(rng: np.random.Generator, kind: str, n: int) -> list[list[str]]:
    """``n`` sentences about one relation: a planted word, side words in their slots, two context words."""
    pairs, context = RELATIONS[kind], np.array(_CONTEXT[kind])
    pair = rng.integers(0, len(pairs), n)
    side = rng.integers(0, 2, n)
    ctx_words = context[pair[:, None], rng.random((n, 3)).argsort(1)[:, :2]]  # (n, 2), distinct
    template = rng.integers(0, len(_TEMPLATES[kind]), n)
    return [
        _fill(
            _TEMPLATES[kind][template[i]],
            pairs[pair[i]][side[i]],
            int(side[i]),
            list(ctx_words[i]),
            kind,
            rng,
        )[0]
        for i in range(n)
    ]


def _ambiguous_sentences(
    rng: np.random.Generator, n: int, first: int, ambiguous=None, templates=None, fill=None
):
    """``n`` sentences around one ambiguous word each; returns sentences and their sense occurrences.

    ``ambiguous``, ``templates`` and ``fill(template, word, cues) -> (sentence, position)`` default to the
    grammatical version; the earlier version passes its own.
    """
    ambiguous = AMBIGUOUS if ambiguous is None else ambiguous
    templates = _TEMPLATES["ambiguous"] if templates is None else templates
    fill = fill or (lambda template, word, cues: _fill(template, word, 0, cues, "ambiguous", rng))
    words = list(ambiguous)
    which = rng.integers(0, len(words), n)
    sense = rng.integers(0, 2, n)
    picks = rng.random((n, 4)).argsort(1)[:, :3]  # distinct
    template = rng.integers(0, len(templates), n)
    sentences, occurrences = [], []
    for i in range(n):
        word = words[which[i]]
        label = list(ambiguous[word])[sense[i]]
        sentence, pos = fill(templates[template[i]], word, [ambiguous[word][label][j] for j in picks[i]])
        sentences.append(sentence)
        occurrences.append(SenseOccurrence(first + i, pos, word, label))
    return sentences, occurrences


# --- The earlier, ungrammatical version (grammatical=False): two side words and two context words laid
# into fixed word orders ("the queen said she crown and her throne"). Kept, unchanged, for 02_word2vec,
# whose measured results were made on it.
# What each pair is about (shared by both words of a pair), three context words per pair.
_T_ROLE = [
    ["crown", "throne", "reign"],
    ["castle", "heir", "royal"],
    ["adult", "person", "human"],
    ["young", "school", "playground"],
    ["parent", "family", "children"],
    ["child", "born", "baby"],
    ["sibling", "twin", "older"],
    ["nephew", "niece", "relative"],
    ["married", "wedding", "spouse"],
    ["stage", "film", "role"],
    ["restaurant", "table", "menu"],
    ["estate", "manor", "noble"],
]
_T_NOUN = [
    ["purrs", "whiskers", "mouse"],
    ["barks", "bone", "leash"],
    ["saddle", "gallops", "hay"],
    ["feathers", "nest", "sings"],
    ["engine", "road", "wheels"],
    ["pages", "library", "author"],
    ["fruit", "juice", "orchard"],
    ["leaves", "forest", "branches"],
    ["roof", "door", "rooms"],
    ["sea", "sail", "harbour"],
    ["tea", "coffee", "saucer"],
    ["sit", "wooden", "cushion"],
]
_T_COUNTRY = [
    ["french", "wine", "cheese"],
    ["german", "beer", "sausage"],
    ["italian", "pasta", "opera"],
    ["spanish", "paella", "flamenco"],
    ["japanese", "sushi", "samurai"],
    ["chinese", "dumplings", "dynasty"],
    ["arabic", "pyramids", "nile"],
    ["russian", "vodka", "tsar"],
    ["maple", "hockey", "moose"],
    ["greek", "olives", "temples"],
    ["swahili", "safari", "savanna"],
    ["inca", "andes", "llamas"],
]
_T_VERB = [
    ["park", "path", "slowly"],
    ["race", "fast", "track"],
    ["bread", "soup", "dinner"],
    ["letter", "pen", "story"],
    ["view", "sight", "eyes"],
    ["song", "choir", "melody"],
    ["pool", "lake", "water"],
    ["truck", "highway", "bus"],
    ["language", "words", "loudly"],
    ["bag", "taxi", "photo"],
    ["gift", "present", "money"],
    ["wall", "bridge", "bricks"],
]
_T_SIDE = {  # context words marking the left vs the right side of each relation
    "gender": (["he", "his", "him", "mr"], ["she", "her", "hers", "mrs"]),
    "plural": (["a", "one", "is", "was"], ["many", "two", "are", "were"]),
    "capital": (["nation", "border", "president", "province"], ["city", "mayor", "streets", "downtown"]),
    "tense": (["today", "now", "usually", "often"], ["yesterday", "ago", "earlier", "last"]),
}
_T_CONTEXT = {"gender": _T_ROLE, "plural": _T_NOUN, "capital": _T_COUNTRY, "tense": _T_VERB}

_T_AMBIGUOUS: dict[str, dict[str, list[str]]] = {
    "bank": {"river": ["river", "shore", "mud", "fishing"], "money": ["loan", "cash", "account", "deposit"]},
    "bat": {
        "animal": ["cave", "night", "wings", "insects"],
        "sports": ["ball", "swing", "cricket", "baseball"],
    },
    "spring": {
        "season": ["flowers", "april", "warm", "bloom"],
        "coil": ["coil", "metal", "bounce", "mattress"],
    },
    "plant": {
        "flora": ["soil", "garden", "green", "seeds"],
        "factory": ["factory", "workers", "machines", "steel"],
    },
}

_T_TEMPLATES = {  # W: the planted word, S: a side word, C: a context word (two of each per sentence)
    "gender": ["the W said S C and S C", "S C and S C met the W"],
    "plural": ["S W S near the C and C", "the C of S W S C"],
    "capital": ["the S of W with S C and C", "S W has S C and C"],
    "tense": ["S we W the C and C S", "they S W C near the C S"],
    "ambiguous": ["the W C near the C C", "C and C by the W"],
}


def _t_fill(template: str, word: str, side: list[str], ctx: list[str]) -> tuple[list[str], int]:
    """Fill one template; return the sentence and the position of the planted word."""
    out, slots = [], {"S": iter(side), "C": iter(ctx)}
    for token in template.split():
        out.append(str(word if token == "W" else next(slots[token]) if token in slots else token))
    return out, template.split().index("W")


def _t_relation_sentences(rng: np.random.Generator, kind: str, n: int) -> list[list[str]]:
    """``n`` sentences about one relation: a planted word with two side words and two context words."""
    pairs, context, (left, right) = RELATIONS[kind], np.array(_T_CONTEXT[kind]), _T_SIDE[kind]
    sides = np.array([left, right])  # (2, 4)
    pair = rng.integers(0, len(pairs), n)
    side = rng.integers(0, 2, n)
    side_words = sides[side[:, None], rng.random((n, 4)).argsort(1)[:, :2]]  # (n, 2), distinct
    ctx_words = context[pair[:, None], rng.random((n, 3)).argsort(1)[:, :2]]  # (n, 2), distinct
    template = rng.integers(0, len(_T_TEMPLATES[kind]), n)
    return [
        _t_fill(
            _T_TEMPLATES[kind][template[i]], pairs[pair[i]][side[i]], list(side_words[i]), list(ctx_words[i])
        )[0]
        for i in range(n)
    ]


def _t_ambiguous_sentences(rng: np.random.Generator, n: int, first: int):
    """The earlier version's sentences around an ambiguous word (same draws as before)."""
    fill = lambda template, word, cues: _t_fill(template, word, [], cues)
    return _ambiguous_sentences(rng, n, first, _T_AMBIGUOUS, _T_TEMPLATES["ambiguous"], fill)


def make_corpus(num_sentences: int = 6_000, seed: int = 0, grammatical: bool = True) -> PlantedCorpus:
    """Generate the planted corpus: ``num_sentences`` sentences, shuffled, deterministic by seed.

    Args:
        num_sentences: how many sentences (>= 100); about 23 % each are about gender and number, 20 % each
            about capitals and tenses, 14 % use an ambiguous word.
        seed: NumPy seed; the same seed gives the same corpus.
        grammatical: True (default): grammatical sentences of 7–9 words (see the module docstring); False:
            the earlier version, 6–9 words in fixed word orders that are not English ("the queen said she
            crown and her throne"), with other context words; kept because 02_word2vec was measured on it.
    """
    num_sentences = check_int("num_sentences", num_sentences, low=100)
    seed = check_int("seed", seed, low=0)
    if not isinstance(grammatical, bool):
        raise TypeError(f"grammatical must be a bool, got {type(grammatical).__name__}")
    relation_sentences, ambiguous_sentences, ambiguous_words = (
        (_relation_sentences, _ambiguous_sentences, AMBIGUOUS)
        if grammatical
        else (_t_relation_sentences, _t_ambiguous_sentences, _T_AMBIGUOUS)
    )
    rng = np.random.default_rng(seed)
    kinds = list(_KIND_WEIGHTS)
    counts = rng.multinomial(num_sentences, list(_KIND_WEIGHTS.values()))
    sentences: list[list[str]] = []
    for kind, n in zip(kinds[:-1], counts[:-1]):
        sentences += relation_sentences(rng, kind, int(n))
    ambiguous, occurrences = ambiguous_sentences(rng, int(counts[-1]), len(sentences))
    sentences += ambiguous
    order = rng.permutation(len(sentences))
    new_index = np.empty_like(order)
    new_index[order] = np.arange(len(order))
    shuffled = [sentences[i] for i in order]
    senses = sorted(
        (SenseOccurrence(int(new_index[o.sentence]), o.position, o.word, o.sense) for o in occurrences),
        key=lambda o: (o.sentence, o.position),
    )
    return PlantedCorpus(
        shuffled,
        {k: list(v) for k, v in RELATIONS.items()},
        {w: tuple(s) for w, s in ambiguous_words.items()},
        senses,
        {w: {s: tuple(c) for s, c in senses_.items()} for w, senses_ in ambiguous_words.items()},
        seed,
    )


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+")


def tokenize(text: str, lowercase: bool = True) -> list[list[str]]:
    """Split text into sentences (at ``.``, ``!``, ``?`` followed by space, and at blank lines) of words.

    Words are runs of letters (with inner apostrophes) or of digits; punctuation is dropped; empty sentences
    are skipped.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    out = []
    for chunk in _SENTENCE_END.split(text):
        words = _WORD.findall(chunk.lower() if lowercase else chunk)
        if words:
            out.append(words)
    return out


def sentences_from_file(
    path: str | os.PathLike, lowercase: bool = True, max_bytes: int = 20_000_000
) -> list[list[str]]:
    """Read a UTF-8 text file of your own and tokenize it into sentences of words (see :func:`tokenize`).

    Raises:
        FileNotFoundError: the file does not exist (the message names the path).
        ValueError: the path is a directory, or the file is not UTF-8, larger than ``max_bytes`` or holds no
            words.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    max_bytes = check_int("max_bytes", max_bytes, low=1)
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"path: {str(p)!r} is a directory; pass the path of a UTF-8 text file")
    if p.is_file() and p.stat().st_size > max_bytes:
        raise ValueError(f"path: {str(p)!r} has {p.stat().st_size} bytes, more than max_bytes={max_bytes}")
    try:
        text = load_text_file(p)  # the collection's one loader: clear errors for missing or non-UTF-8 files
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"path: no such file {str(p)!r}; pass the path of a UTF-8 text file") from exc
    sentences = tokenize(text, lowercase=lowercase)
    if not sentences:
        raise ValueError(f"path: {str(p)!r} contains no words")
    return sentences
