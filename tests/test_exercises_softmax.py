"""Notebook 06's exercise checkers accept right answers and reject typical wrong ones with a message."""

import numpy as np
import torch
import torch.nn.functional as F

from helpers.exercises import softmax as ex


def colleague(logits, labels):  # the page's buggy function
    probs = torch.exp(logits) / torch.exp(logits).sum(1, keepdim=True)
    return -torch.log(probs[torch.arange(len(labels)), labels]).mean()


def max_shifted(logits, labels):  # overflow fixed, underflow not
    z = logits - logits.max(1, keepdim=True).values
    probs = torch.exp(z) / torch.exp(z).sum(1, keepdim=True)
    return -torch.log(probs[torch.arange(len(labels)), labels]).mean()


def stable(logits, labels):
    top = logits.max(1, keepdim=True).values
    log_sum = (logits - top).exp().sum(1).log() + top[:, 0]
    return (log_sum - logits[torch.arange(len(labels)), labels]).mean()


def gather_form(logits, labels):  # another correct form
    m = logits.amax(dim=1)
    lse = m + torch.log(torch.sum(torch.exp(logits.double() - m[:, None]), dim=1)).float()
    return torch.mean(lse - logits.gather(1, labels[:, None]).squeeze(1))


def with_module(logits, labels):  # the library's module form
    loss = torch.nn.CrossEntropyLoss()
    return loss(logits, labels)


def test_stable_cross_entropy_accepts_right_forms_and_names_each_failure(capsys):
    def colleague_cross_entropy(logits, labels):  # the page's name holds a forbidden word: allowed
        return stable(logits, labels)

    for right in (stable, gather_form, colleague_cross_entropy):
        assert ex.check_stable_cross_entropy(right)
        assert capsys.readouterr().out.startswith("✓")
    slips = {
        colleague: "exp overflows",
        max_shifted: "underflows to 0",
        lambda z, y: stable(z, y) * len(y): "factor of B",
        lambda z, y: stable(z - z.max(0, keepdim=True).values, y): "not the cross-entropy",
        F.cross_entropy: "without cross_entropy",
        with_module: "without CrossEntropyLoss",
        lambda z, y: stable(z, y).detach(): "no gradient",
        lambda z, y: [0.0]: "one-element tensor",
    }
    for wrong, words in slips.items():
        assert not ex.check_stable_cross_entropy(wrong)
        assert words in capsys.readouterr().out, words


def test_stable_cases_break_the_textbook_form():
    for _description, logits, labels in ex.stable_cases(0):
        assert logits.dtype == torch.float32 and len(logits) == len(labels)
    offset, far = ex.stable_cases(0)[1:3]
    assert not torch.isfinite(colleague(offset[1], offset[2])), "the offset case overflows the page's form"
    assert torch.isinf(max_shifted(far[1], far[2])), "the far-target case underflows without working in logs"


def test_negatives_rate(capsys):
    labels = torch.arange(10_000).repeat_interleave(4)
    # 1,024 draws hold about 973 distinct classes: 0.30 samples ~2,027 negatives, 0.29 ~1,927
    assert ex.check_negatives_rate(lambda: 0.3, labels, 10_000, 1_024, target=2_000)
    out = capsys.readouterr().out
    assert out.startswith("✓") and "0.3" not in out, "the ✓ line does not give the answer away"
    assert not ex.check_negatives_rate(lambda: 0.29, labels, 10_000, 1_024, target=2_000)
    assert "fewer than 2000" in capsys.readouterr().out
    assert not ex.check_negatives_rate(lambda: 0.4, labels, 10_000, 1_024, target=2_000)
    assert "smaller rate" in capsys.readouterr().out
    assert not ex.check_negatives_rate(lambda: 0.2973, labels, 10_000, 1_024, target=2_000)
    assert "multiple of 0.01" in capsys.readouterr().out
    assert ex.check_negatives_rate(lambda: 0.08, labels, 10_000, 256)  # the default target, 500
    assert not ex.check_negatives_rate(lambda: 0.0753, labels, 10_000, 256)
    assert "multiple of 0.01" in capsys.readouterr().out
    assert not ex.check_negatives_rate(lambda: "x", labels, 10_000, 256)

    def stub():
        raise NotImplementedError

    assert not ex.check_negatives_rate(stub, labels, 10_000, 256)
    assert "not attempted" in capsys.readouterr().out


def test_eer_reference_matches_a_threshold_sweep():
    for genuine, impostor in ex.eer_cases(0):
        t = torch.cat([genuine, impostor]).unique()
        far = (impostor[None] >= t[:, None]).double().mean(1)
        frr = (genuine[None] < t[:, None]).double().mean(1)
        k = (far - frr).abs().argmin()
        assert abs(float((far[k] + frr[k]) / 2) - ex.eer_reference(genuine, impostor)) < 0.015


def test_hardest_pair(capsys):
    gen = torch.Generator().manual_seed(0)
    emb = F.normalize(torch.randn(30, 8, generator=gen), dim=1)
    labels = torch.arange(10).repeat_interleave(3)
    sim = emb @ emb.T
    genuine = (labels[:, None] == labels[None]) & ~torch.eye(30, dtype=torch.bool)
    i, j = divmod(sim.masked_fill(~genuine, np.inf).argmin().item(), 30)
    assert ex.check_hardest_pair(lambda e, y: (i, j), emb, labels)
    assert f"{i}" not in capsys.readouterr().out.split(":")[0]
    assert ex.check_hardest_pair(lambda e, y: (j, i), emb, labels)
    assert not ex.check_hardest_pair(lambda e, y: (0, 3), emb, labels)
    assert "impostor" in capsys.readouterr().out
    other = next((a, b) for a, b in zip(*genuine.nonzero(as_tuple=True)) if {a.item(), b.item()} != {i, j})
    assert not ex.check_hardest_pair(lambda e, y: other, emb, labels)
    assert "scores lower" in capsys.readouterr().out
    assert not ex.check_hardest_pair(lambda e, y: (4, 4), emb, labels)
    assert not ex.check_hardest_pair(lambda e, y: "ab", emb, labels)
