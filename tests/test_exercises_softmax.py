"""Notebook 06's exercise checkers accept right answers and reject typical wrong ones with a message."""

import numpy as np
import torch
import torch.nn.functional as F

from helpers.exercises import check_answer
from helpers.exercises import softmax as ex


def right_gradient(logits, labels, epsilon):
    c = logits.shape[1]
    target = (1 - epsilon) * F.one_hot(labels, c) + epsilon / c
    return (torch.softmax(logits, 1) - target) / len(labels)


def test_smoothing_accepts_the_solution_and_names_slips(capsys):
    cases = ex.smoothing_cases(0)
    assert check_answer(
        "g", right_gradient, ex.smoothed_gradient_reference, cases, explain=ex.explain_smoothing
    )
    slips = {
        "sign": lambda z, y, e: -right_gradient(z, y, e),
        "factor of B": lambda z, y, e: right_gradient(z, y, e) * len(y),
        "without smoothing": lambda z, y, e: right_gradient(z, y, 0.0),
    }
    for words, wrong in slips.items():
        assert not check_answer(
            "g", wrong, ex.smoothed_gradient_reference, cases, explain=ex.explain_smoothing
        )
        assert words in capsys.readouterr().out


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
