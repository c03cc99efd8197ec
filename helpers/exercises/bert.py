"""Reference answers for the exercises of ``notebooks/05_bert_self_supervised.ipynb``, kept off the page.

The notebook's models share one interface: ``model(ids)`` maps token ids (B, L) to final vectors (B, L, D)
and ``model.mlm_logits(vectors)`` maps vectors to logits over the vocabulary (..., V).

- :func:`check_special_share` — exercise 1 (predict, then check by simulation): under Hugging Face's collator
  rule (transcribed here: the library is not installed), which draws its random tokens from the whole
  vocabulary, specials included, the share of ordinary input positions that show a special token.
- :func:`check_best_span` — exercise 3 (extractive QA): the highest-scoring allowed answer span, checked on
  small passages (ties included) and on one long passage under a time limit, so a loop over every pair fails.
- :func:`check_sentence_log_prob` — exercise 5 (extend, with the trained causal model): the log-probability
  of a whole sentence under a next-token model, by the chain rule.
- :func:`check_pseudo_log_likelihood` — exercise 6 (extend, with the trained BERT): a masked model gives no
  left-to-right probability; its pseudo-log-likelihood masks one word at a time.

Each checker compares the learner's function with a reference on several batches and, when they differ,
says which typical mistake it matches (sign, padding counted, a mean instead of a sum, nothing masked,
special tokens scored) without showing the expected numbers.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from helpers.exercises import Verdict, check_answer


def _device(model) -> torch.device:
    return next(model.parameters()).device


def _token_log_probs(model, ids: torch.Tensor) -> torch.Tensor:
    """(B, L) ids -> (B, L - 1): log p(ids[:, t] | ids[:, :t]) read from one forward pass, t = 1 … L-1."""
    ids = ids.to(_device(model))
    with torch.inference_mode():
        log_p = F.log_softmax(model.mlm_logits(model(ids)[:, :-1]).double(), dim=-1)
    return log_p.gather(-1, ids[:, 1:, None]).squeeze(-1).cpu()


def sentence_log_prob_reference(model, ids: torch.Tensor, pad_id: int = 0) -> torch.Tensor:
    """(B,) sum over the tokens after the first of log p(token | the tokens before it); no padding."""
    return (_token_log_probs(model, ids) * (ids[:, 1:].cpu() != pad_id)).sum(-1)


def _explain_log_prob(model, pad_id: int) -> Callable:
    def explain(got, want, case):
        if not isinstance(got, torch.Tensor) or got.shape != want.shape:
            return None
        got = got.detach().double().cpu()
        ids = case[1].cpu()
        per_token = _token_log_probs(model, ids)
        real = ids[:, 1:] != pad_id
        close = lambda other: torch.allclose(got, other, rtol=1e-4, atol=1e-4)
        if close(-want):
            return "the sign is flipped: a log-probability is ≤ 0 (you returned a loss)"
        if close(per_token.sum(-1)):
            return "padding positions were counted; a [PAD] target should add nothing"
        if close(want / real.sum(-1)):
            return "this is the mean over tokens; the probability of a sentence is a product, so add"
        if (got > 1e-9).any():
            return "some values are positive, so they cannot be log-probabilities"
        return None

    return explain


def check_sentence_log_prob(candidate: Callable, model, ids: torch.Tensor, pad_id: int = 0) -> Verdict:
    """Exercise 5: ``candidate(model, ids) -> (B,)`` log-probabilities of sentences under a causal model."""
    model.eval()
    cases = [(model, ids[:1]), (model, ids[:3]), (model, ids)]
    return check_answer(
        "sentence log-probability",
        candidate,
        lambda m, x: sentence_log_prob_reference(m, x, pad_id),
        cases,
        rtol=1e-4,
        atol=1e-4,
        explain=_explain_log_prob(model, pad_id),
        hint="the chain rule: log P(x₁ … x_n) = Σ_t log p(x_t | x_<t); the output at t − 1 scores token t",
    )


def pseudo_log_likelihood_reference(
    model, ids: torch.Tensor, mask_id: int, special_ids: Sequence[int]
) -> torch.Tensor:
    """(B,) sum over the non-special positions i of log p(ids[i] | the sentence with only i masked)."""
    ids = ids.to(_device(model))
    scored = ~torch.isin(ids, torch.tensor(list(special_ids), dtype=torch.long, device=ids.device))
    total = torch.zeros(len(ids), dtype=torch.float64, device=ids.device)
    with torch.inference_mode():
        for i in range(ids.shape[1]):
            masked = ids.clone()
            masked[:, i] = mask_id
            log_p = F.log_softmax(model.mlm_logits(model(masked)[:, i]).double(), dim=-1)
            total += log_p.gather(-1, ids[:, i, None]).squeeze(-1) * scored[:, i]
    return total.cpu()


def _explain_pll(model, mask_id: int, special_ids: Sequence[int]) -> Callable:
    def explain(got, want, case):
        if not isinstance(got, torch.Tensor) or got.shape != want.shape:
            return None
        got, ids = got.detach().double().cpu(), case[1].to(_device(model))
        close = lambda other: torch.allclose(got, other, rtol=1e-4, atol=1e-4)
        scored = ~torch.isin(ids, torch.tensor(list(special_ids), dtype=torch.long, device=ids.device))
        if close(-want):
            return "the sign is flipped: a log-likelihood is ≤ 0 (you returned a loss)"
        with torch.inference_mode():
            log_p = F.log_softmax(model.mlm_logits(model(ids)).double(), dim=-1)
        unmasked = log_p.gather(-1, ids[..., None]).squeeze(-1).cpu()
        scored = scored.cpu()
        if close((unmasked * scored).sum(-1)):
            return "the word being scored is still visible: replace it by [MASK] first"
        if close(want / scored.sum(-1)):
            return "this is the mean over words; the pseudo-log-likelihood adds them"
        if close(pseudo_log_likelihood_reference(model, ids, mask_id, [])):
            return "special tokens ([CLS], [SEP], [PAD]) were scored too; score only the words"
        return None

    return explain


def check_pseudo_log_likelihood(
    candidate: Callable, model, ids: torch.Tensor, mask_id: int, special_ids: Sequence[int]
) -> Verdict:
    """Exercise 6: ``candidate(model, ids) -> (B,)`` pseudo-log-likelihoods under a masked language model."""
    model.eval()
    cases = [(model, ids[:1]), (model, ids[:3]), (model, ids)]
    return check_answer(
        "pseudo-log-likelihood",
        candidate,
        lambda m, x: pseudo_log_likelihood_reference(m, x, mask_id, special_ids),
        cases,
        rtol=1e-4,
        atol=1e-4,
        explain=_explain_pll(model, mask_id, special_ids),
        hint="one forward pass per word position, each with that position (and only it) hidden",
    )


def collator_inputs(
    ids: torch.Tensor, vocab_size: int, mask_id: int, n_special: int, p: float, generator: torch.Generator
) -> torch.Tensor:
    """A transcription (not the library's code: ``transformers`` is not installed) of the rule of Hugging
    Face's ``DataCollatorForLanguageModeling`` on ids whose specials are ``0 … n_special-1``: choose each
    ordinary position with probability p; of those, 80 % [MASK], 10 % a token drawn uniformly from the
    *whole* vocabulary (specials included), 10 % unchanged."""
    shape = ids.shape
    chosen = (torch.rand(shape, generator=generator) < p) & (ids >= n_special)
    masked = chosen & (torch.rand(shape, generator=generator) < 0.8)
    replaced = chosen & ~masked & (torch.rand(shape, generator=generator) < 0.5)
    out = ids.clone()
    out[masked] = mask_id
    out[replaced] = torch.randint(vocab_size, (int(replaced.sum()),), generator=generator)
    return out


def simulated_special_share(p: float, vocab_size: int, n_special: int, n: int = 400_000) -> float:
    """Share of ordinary input positions that show a special id after the collator rule (simulated)."""
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(n_special, vocab_size, (n,), generator=gen)
    shown = collator_inputs(ids, vocab_size, mask_id=n_special - 1, n_special=n_special, p=p, generator=gen)
    return float((shown < n_special).double().mean())


#: (p, vocab_size, n_special): small vocabularies, where the random draws' specials are not negligible
SPECIAL_SHARE_CASES = [(0.5, 6, 3), (0.3, 10, 5), (0.15, 8, 4)]


def _explain_special_share(got, want, case):
    p, vocab_size, n_special = case
    if not isinstance(got, (int, float)):
        return "return one number (a float)"
    if abs(got - 0.8 * p) < 4e-3:
        return "only [MASK] is counted; a random replacement can also draw a special id"
    if abs(got - p * (0.8 + 0.1 * (n_special - 1) / vocab_size)) < 4e-3:
        return "[MASK] is a special id too, and the random draw can pick it"
    if abs(got - p * (0.8 + 0.1 * n_special / (vocab_size - n_special))) < 4e-3:
        return "the random token is drawn from the whole vocabulary, not from the ordinary ids"
    if got > p + 1e-9:
        return "more than the chosen share: only chosen positions can change"
    return None


def check_special_share(candidate: Callable) -> Verdict:
    """Exercise 1: ``candidate(p, vocab_size, n_special) -> float``, checked against a simulation."""
    return check_answer(
        "share of inputs showing a special token",
        candidate,
        simulated_special_share,
        SPECIAL_SHARE_CASES,
        rtol=0,
        atol=4e-3,
        explain=_explain_special_share,
        hint="split the chosen positions by what the collator does to them; which of them show a special id?",
    )


# --- exercise 3: the best answer span -------------------------------------------------------------------

#: the long passage: a loop over its n·(n+1)/2 allowed pairs takes far longer than the limit
LONG_SPAN_N, SPAN_TIME_LIMIT_S = 4_000, 2.0


def brute_force_span(
    start_scores: torch.Tensor, end_scores: torch.Tensor, max_length: int
) -> tuple[int, int]:
    """Reference for small passages: every allowed (i, j), i ≤ j < min(n, i + max_length), tried in turn."""
    n = len(start_scores)
    pairs = [(i, j) for i in range(n) for j in range(i, min(n, i + max_length))]
    return max(pairs, key=lambda ij: float(start_scores[ij[0]] + end_scores[ij[1]]))


def best_span_score(start_scores: torch.Tensor, end_scores: torch.Tensor, max_length: int) -> float:
    """max over allowed spans of s_i + e_j, one vectorised pass per span length d = j − i (O(n·L))."""
    s, e, n = start_scores.double(), end_scores.double(), len(start_scores)
    return max(float((s[: n - d] + e[d:]).max()) for d in range(min(n, max_length)))


def span_cases() -> list[tuple[torch.Tensor, torch.Tensor, int]]:
    """Small passages (start scores (n,), end scores (n,), max_length): random, all negative, all tied."""
    gen = torch.Generator().manual_seed(4)
    cases = [
        (torch.randn(n, generator=gen), torch.randn(n, generator=gen), m)
        for n, m in [(1, 1), (6, 2), (12, 4), (30, 30), (25, 1)]
    ]
    negative = [-1 - torch.randn(8, generator=gen).abs() for _ in range(2)]  # every allowed score < 0
    return [*cases, (*negative, 2), (torch.zeros(5), torch.zeros(5), 3)]  # the last: all spans tie


def _span_problem(got, start_scores, end_scores, max_length) -> str | None:
    """None when ``got`` is an allowed span of the highest score (any of tied ones); else what is wrong."""
    is_int = lambda v: isinstance(v, (int, np.integer)) and not isinstance(v, bool)
    if not (isinstance(got, tuple) and len(got) == 2 and all(is_int(v) for v in got)):
        return f"returned {type(got).__name__}; return a pair (i, j) of Python ints (int(...) of a tensor)"
    (i, j), n = (int(v) for v in got), len(start_scores)
    if not (0 <= i < n and 0 <= j < n):
        return f"({i}, {j}) lies outside the passage of {n} tokens"
    if j < i:
        return "the end comes before the start (rows and columns swapped?)"
    if j >= i + max_length:
        return (
            f"the span is longer than max_length = {max_length} tokens (the end is at most max_length − 1 on)"
        )
    best = best_span_score(start_scores, end_scores, max_length)
    if float(start_scores[i].double() + end_scores[j].double()) < best - 1e-5 * max(1.0, abs(best)):
        return "an allowed span, but not the highest-scoring one"
    return None


class _TooSlow(BaseException):
    """Raised by the timer inside a learner's function (BaseException: an `except Exception` keeps it)."""


def _call_with_time_limit(fn: Callable, args: tuple, seconds: float):
    """fn(*args), raising _TooSlow after ``seconds``: interrupted by a timer signal where one is available
    (Unix, main thread), otherwise measured after the call returns."""
    use_timer = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if use_timer:

        def on_timer(signum, frame):
            raise _TooSlow

        previous = signal.signal(signal.SIGALRM, on_timer)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.perf_counter()
    try:
        result = fn(*args)
    finally:
        if use_timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    if time.perf_counter() - started > seconds:
        raise _TooSlow
    return result


def check_best_span(candidate: Callable, time_limit_s: float = SPAN_TIME_LIMIT_S) -> Verdict:
    """Exercise 3: ``candidate(start_scores, end_scores, max_length) -> (i, j)``, on the small passages of
    :func:`span_cases`, then on a long one (n = LONG_SPAN_N, any length allowed) within ``time_limit_s``."""
    name = "best answer span"
    hint = "score every (start, end) pair at once with a broadcast sum, then mask the invalid pairs"
    gen = torch.Generator().manual_seed(5)
    long_case = (
        torch.randn(LONG_SPAN_N, generator=gen),
        torch.randn(LONG_SPAN_N, generator=gen),
        LONG_SPAN_N,
    )
    cases = [*span_cases(), long_case]
    for number, case in enumerate(cases, start=1):
        is_long = case is long_case
        try:
            got = _call_with_time_limit(candidate, case, time_limit_s) if is_long else candidate(*case)
        except NotImplementedError:
            print(f"✗ {name}: not attempted yet — replace the `raise NotImplementedError` with your code")
            return Verdict(False)
        except _TooSlow:
            print(
                f"✗ {name}: right on the {len(cases) - 1} small passages, but the long one "
                f"(n = {LONG_SPAN_N:,}, max_length = {LONG_SPAN_N:,}) took over {time_limit_s:g} s: "
                f"a Python loop over every (start, end) pair is too slow. Hint: {hint}"
            )
            return Verdict(False)
        except Exception as exc:  # the learner's bug, reported as feedback
            print(f"✗ {name}: case {number} raised {type(exc).__name__}: {exc}")
            return Verdict(False)
        problem = _span_problem(got, *case)
        if problem is not None:
            n, max_length = len(case[0]), case[2]
            print(f"✗ {name}: case {number} (n = {n}, max_length = {max_length}): {problem}. Hint: {hint}")
            return Verdict(False)
    print(f"✓ {name}: correct on all {len(cases)} cases, the long passage (n = {LONG_SPAN_N:,}) in time")
    return Verdict(True)
