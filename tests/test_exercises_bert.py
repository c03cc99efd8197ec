"""helpers/exercises/bert.py: the checkers of notebook 05's exercises accept right answers written two
ways and reject typical wrong ones with a message that names the mistake."""

import time

import torch
import torch.nn.functional as F
from torch import nn

from helpers.exercises import bert as ex

PAD, CLS, SEP, MASK = 0, 1, 2, 3
SPECIALS = [PAD, CLS, SEP, MASK]


class CausalToy(nn.Module):
    """h_t = running mean of the embeddings up to t: a causal model with the notebook's interface."""

    def __init__(self, vocab=12, d=8):
        super().__init__()
        torch.manual_seed(0)
        self.embed, self.out = nn.Embedding(vocab, d), nn.Linear(d, vocab)

    def forward(self, ids):
        x = self.embed(ids)
        return x.cumsum(1) / torch.arange(1, ids.shape[1] + 1)[None, :, None]

    def mlm_logits(self, h):
        return self.out(h)


class BidirectionalToy(CausalToy):
    """h_t = own embedding + mean of all embeddings: every position sees the whole sentence."""

    def forward(self, ids):
        x = self.embed(ids)
        return x + x.mean(1, keepdim=True)


IDS = torch.tensor([[CLS, 5, 6, 7, SEP, PAD], [CLS, 8, 9, SEP, PAD, PAD], [CLS, 4, 10, 11, 6, SEP]])


def log_prob_one_pass(model, ids):
    log_p = torch.log_softmax(model.mlm_logits(model(ids)[:, :-1]), -1)
    picked = log_p.gather(-1, ids[:, 1:, None]).squeeze(-1)
    return (picked * (ids[:, 1:] != PAD)).sum(-1)


def log_prob_by_prefix(model, ids):
    total = torch.zeros(len(ids))
    for t in range(1, ids.shape[1]):
        log_p = torch.log_softmax(model.mlm_logits(model(ids[:, :t])[:, -1]), -1)
        total += log_p[torch.arange(len(ids)), ids[:, t]] * (ids[:, t] != PAD)
    return total


def test_sentence_log_prob_accepts_two_right_answers():
    model = CausalToy()
    assert ex.check_sentence_log_prob(log_prob_one_pass, model, IDS, PAD)
    assert ex.check_sentence_log_prob(log_prob_by_prefix, model, IDS, PAD)


def test_sentence_log_prob_names_the_mistake(capsys):
    model = CausalToy()
    wrong = {
        "sign": lambda m, x: -log_prob_one_pass(m, x),
        "padding": lambda m, x: (
            torch.log_softmax(m.mlm_logits(m(x)[:, :-1]), -1).gather(-1, x[:, 1:, None]).squeeze(-1).sum(-1)
        ),
        "mean over tokens": lambda m, x: log_prob_one_pass(m, x) / (x[:, 1:] != PAD).sum(-1),
    }
    for words, fn in wrong.items():
        assert not ex.check_sentence_log_prob(fn, model, IDS, PAD)
        assert words in capsys.readouterr().out


def pll_loop(model, ids):
    scored = ~torch.isin(ids, torch.tensor(SPECIALS))
    total = torch.zeros(len(ids))
    for i in range(ids.shape[1]):
        masked = ids.clone()
        masked[:, i] = MASK
        log_p = F.log_softmax(model.mlm_logits(model(masked)[:, i]), -1)
        total += log_p[torch.arange(len(ids)), ids[:, i]] * scored[:, i]
    return total


def pll_batched(model, ids):
    b, n = ids.shape
    copies = ids[:, None, :].repeat(1, n, 1)  # (B, n, n): copy i has position i masked
    eye = torch.eye(n, dtype=torch.bool)[None].expand(b, n, n)
    copies = copies.masked_fill(eye, MASK)
    log_p = F.log_softmax(model.mlm_logits(model(copies.reshape(b * n, n))), -1).reshape(b, n, n, -1)
    diagonal = log_p[:, torch.arange(n), torch.arange(n)]  # (B, n, V): position i of copy i
    picked = diagonal.gather(-1, ids[..., None]).squeeze(-1)
    return (picked * ~torch.isin(ids, torch.tensor(SPECIALS))).sum(-1)


def test_pseudo_log_likelihood_accepts_two_right_answers():
    model = BidirectionalToy()
    assert ex.check_pseudo_log_likelihood(pll_loop, model, IDS, MASK, SPECIALS)
    assert ex.check_pseudo_log_likelihood(pll_batched, model, IDS, MASK, SPECIALS)


def test_pseudo_log_likelihood_names_the_mistake(capsys):
    model = BidirectionalToy()
    scored = lambda x: ~torch.isin(x, torch.tensor(SPECIALS))

    def unmasked(m, x):
        log_p = F.log_softmax(m.mlm_logits(m(x)), -1)
        return (log_p.gather(-1, x[..., None]).squeeze(-1) * scored(x)).sum(-1)

    wrong = {
        "sign": lambda m, x: -pll_loop(m, x),
        "still visible": unmasked,
        "mean over words": lambda m, x: pll_loop(m, x) / scored(x).sum(-1),
    }
    for words, fn in wrong.items():
        assert not ex.check_pseudo_log_likelihood(fn, model, IDS, MASK, SPECIALS)
        assert words in capsys.readouterr().out


def test_not_attempted_is_reported(capsys):
    def todo(model, ids):
        raise NotImplementedError

    assert not ex.check_sentence_log_prob(todo, CausalToy(), IDS, PAD)
    assert "not attempted" in capsys.readouterr().out


def test_special_share_accepts_right_answers_written_two_ways():
    by_formula = lambda p, v, s: p * (0.8 + 0.1 * s / v)
    by_parts = lambda p, v, s: 0.8 * p + 0.1 * p * s / v  # [MASK] + the random draws that land on a special
    assert ex.check_special_share(by_formula)
    assert ex.check_special_share(by_parts)


def test_special_share_rejects_typical_mistakes(capsys):
    assert not ex.check_special_share(lambda p, v, s: 0.8 * p)
    assert "a random replacement can also draw a special id" in capsys.readouterr().out
    assert not ex.check_special_share(lambda p, v, s: p * (0.8 + 0.1 * (s - 1) / v))
    assert "[MASK] is a special id too" in capsys.readouterr().out
    assert not ex.check_special_share(lambda p, v, s: p * (0.8 + 0.1 * s / (v - s)))
    assert "whole vocabulary" in capsys.readouterr().out
    assert not ex.check_special_share(lambda p, v, s: "0.4")
    assert "one number" in capsys.readouterr().out


def test_collator_rule_draws_specials_and_never_chooses_them():
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(0, 6, (200_000,), generator=gen)
    out = ex.collator_inputs(ids, vocab_size=6, mask_id=2, n_special=3, p=0.5, generator=gen)
    assert torch.equal(out[ids < 3], ids[ids < 3])  # specials untouched
    assert abs(float((out[ids >= 3] < 3).double().mean()) - 0.5 * (0.8 + 0.1 * 3 / 6)) < 4e-3


def span_broadcast(start, end, max_length, last_of_ties=False):
    n = len(start)
    scores = start[:, None] + end[None, :]
    offset = torch.arange(n)[None, :] - torch.arange(n)[:, None]
    scores = scores.masked_fill((offset < 0) | (offset >= max_length), float("-inf"))
    flat = scores.flatten()
    if last_of_ties:  # another valid tie-break: the last of the best cells
        flat = flat.flip(0)
    index = int(flat.argmax()) if not last_of_ties else n * n - 1 - int(flat.argmax())
    return index // n, index % n


def span_by_length(start, end, max_length):
    # O(n·L): for each span length d, the best start; then the best length
    best = None
    for d in range(min(len(start), max_length)):
        sums = start[: len(start) - d] + end[d:]
        i = int(sums.argmax())
        if best is None or float(sums[i]) > best[0]:
            best = (float(sums[i]), i, i + d)
    return best[1], best[2]


def test_best_span_accepts_right_answers_and_either_tie_break():
    assert ex.check_best_span(span_broadcast)
    assert ex.check_best_span(lambda s, e, m: span_broadcast(s, e, m, last_of_ties=True))
    assert ex.check_best_span(span_by_length)
    for case in ex.span_cases()[:4]:  # the reference on the page's old small cases agrees
        assert span_broadcast(*case) == ex.brute_force_span(*case)


def test_best_span_names_the_mistake(capsys):
    def swapped(s, e, m):
        i, j = span_broadcast(s, e, m)
        return j, i

    def as_tensors(s, e, m):
        i, j = span_broadcast(s, e, m)
        return torch.tensor(i), torch.tensor(j)

    def window_too_long(s, e, m):
        return span_broadcast(s, e, m + 1)

    def zero_masked(s, e, m):  # masks with 0 instead of -inf: a negative best can lose to an invalid cell
        n = len(s)
        scores = s[:, None] + e[None, :]
        offset = torch.arange(n)[None, :] - torch.arange(n)[:, None]
        scores = scores.masked_fill((offset < 0) | (offset >= m), 0.0)
        return int(scores.argmax()) // n, int(scores.argmax()) % n

    wrong = {
        swapped: "before the start",
        as_tensors: "Python ints",
        window_too_long: "longer than max_length",
        zero_masked: "longer than max_length",
        lambda s, e, m: (0, 0): "not the highest-scoring",
    }
    for fn, words in wrong.items():
        assert not ex.check_best_span(fn)
        out = capsys.readouterr().out
        assert out.startswith("✗ best answer span") and words in out, out


def test_best_span_brute_force_fails_on_time(capsys):
    started = time.perf_counter()
    assert not ex.check_best_span(ex.brute_force_span, time_limit_s=0.5)
    assert time.perf_counter() - started < 30
    assert "too slow" in capsys.readouterr().out
