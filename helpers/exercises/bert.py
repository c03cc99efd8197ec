"""Reference answers for the exercises of ``notebooks/05_bert_self_supervised.ipynb``, kept off the page.

The notebook's models share one interface: ``model(ids)`` maps token ids (B, L) to final vectors (B, L, D)
and ``model.mlm_logits(vectors)`` maps vectors to logits over the vocabulary (..., V).

- :func:`check_special_share` — exercise 1 (predict, then check by simulation): under Hugging Face's collator
  rule, which draws its random tokens from the whole vocabulary, specials included, the share of ordinary
  input positions that show a special token.
- :func:`check_sentence_log_prob` — exercise 5 (extend, with the trained causal model): the log-probability
  of a whole sentence under a next-token model, by the chain rule.
- :func:`check_pseudo_log_likelihood` — exercise 6 (extend, with the trained BERT): a masked model gives no
  left-to-right probability; its pseudo-log-likelihood masks one word at a time.

Each checker compares the learner's function with a reference on several batches and, when they differ,
says which typical mistake it matches (sign, padding counted, a mean instead of a sum, nothing masked,
special tokens scored) without showing the expected numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
    """Hugging Face's ``DataCollatorForLanguageModeling`` rule on ids whose specials are ``0 … n_special-1``:
    choose each ordinary position with probability p; of those, 80 % [MASK], 10 % a token drawn uniformly
    from the *whole* vocabulary (specials included), 10 % unchanged."""
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
