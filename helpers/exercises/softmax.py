"""Reference answers and checkers for the exercises of ``notebooks/06_softmax_many_classes.ipynb``, kept off
the page.

- :func:`smoothed_gradient_reference`, :func:`smoothing_cases`, :func:`explain_smoothing` — exercise 1
  (extend): the gradient of label-smoothed cross-entropy with respect to the logits, computed here by
  autograd through ``F.cross_entropy(..., label_smoothing=ε)``.
- :func:`check_negatives_rate` — exercise 2 (design): the smallest Partial FC sample rate (to 0.01) at which
  a step samples at least a target number of negative classes; the check measures it on the learner's batches.
- :func:`eer_reference` — exercise 3: the equal error rate from scikit-learn's ROC.
- :func:`check_hardest_pair` — exercise 4 (apply, on the trained model): the genuine pair the model finds
  least alike.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import roc_curve

from helpers.exercises import NOT_ATTEMPTED, Verdict, attempt
from helpers.validate import check_int, check_real

# ------------------------------------------------------------------- exercise 1: label smoothing, extended


def smoothed_gradient_reference(logits: torch.Tensor, labels: torch.Tensor, epsilon: float) -> torch.Tensor:
    """∂/∂logits of the batch-mean label-smoothed cross-entropy, by autograd: (B, C) -> (B, C)."""
    leaf = logits.detach().clone().requires_grad_(True)
    F.cross_entropy(leaf, labels, label_smoothing=epsilon).backward()
    return leaf.grad


def smoothing_cases(seed: int = 0) -> list[tuple]:
    """(logits (B, C) float64, labels (B,), ε) cases, from small to larger, including ε = 0 and ε = 1."""
    gen = torch.Generator().manual_seed(seed)
    shapes = ((1, 2, 0.1), (4, 5, 0.0), (8, 10, 0.2), (16, 100, 1.0), (32, 7, 0.05))
    return [
        (
            torch.randn(b, c, dtype=torch.float64, generator=gen) * 3,
            torch.randint(0, c, (b,), generator=gen),
            eps,
        )
        for b, c, eps in shapes
    ]


def explain_smoothing(got, expected, case) -> str | None:
    """Name the usual slip without showing the expected gradient."""
    logits, labels, epsilon = case
    got = torch.as_tensor(got, dtype=torch.float64)
    if got.shape != expected.shape:
        return f"the gradient must have the logits' shape {tuple(expected.shape)}, got {tuple(got.shape)}"
    if torch.allclose(got, -expected, atol=1e-9):
        return "the sign is flipped: the gradient points uphill, towards a larger loss"
    if torch.allclose(got / len(labels), expected, atol=1e-9):
        return "off by a factor of B: the loss is a mean over the batch"
    plain = smoothed_gradient_reference(logits, labels, 0.0)
    if epsilon > 0 and torch.allclose(got, plain, atol=1e-9):
        return "this is the gradient without smoothing: the target is no longer one-hot"
    if not torch.allclose(got.sum(1), expected.sum(1), atol=1e-9):
        return "each row of the gradient should sum to what a row of (softmax − target)/B sums to"
    return None


# ------------------------------------------------------------------- exercise 2: design a sample rate


def _mean_negatives(rate: float, labels: torch.Tensor, num_classes: int, batch: int, draws: int, seed: int):
    gen = torch.Generator().manual_seed(seed)
    counts = []
    for _ in range(draws):
        positives = len(torch.unique(labels[torch.randint(0, len(labels), (batch,), generator=gen)]))
        counts.append(min(num_classes, max(positives, round(rate * num_classes))) - positives)
    return float(np.mean(counts))


def check_negatives_rate(
    choose_rate, labels: torch.Tensor, num_classes: int, batch: int, target: int = 500, draws: int = 50
) -> Verdict:
    """Is ``choose_rate()`` the smallest multiple of 0.01 at which a Partial FC step (K = max(positives,
    round(rate·C)) classes) samples at least ``target`` negatives on average over ``draws`` batches of
    ``labels``? Prints ✓ (without the rate: it shows under a hidden solution) or ✗ with the measured count."""
    num_classes, batch = check_int("num_classes", num_classes, 1), check_int("batch", batch, 1)
    rate = attempt("sample rate", choose_rate)
    if rate is NOT_ATTEMPTED:
        return Verdict(False)
    try:
        rate = check_real("rate", rate, 0, 1, low_open=True)
    except (TypeError, ValueError) as exc:
        print(f"✗ sample rate: {exc}")
        return Verdict(False)
    if abs(rate * 100 - round(rate * 100)) > 1e-9:
        print(f"✗ sample rate {rate}: the rate must be a multiple of 0.01 (e.g. 0.07), not finer")
        return Verdict(False)
    rate = round(rate, 2)
    got = _mean_negatives(rate, labels, num_classes, batch, draws, 0)
    if got < target:
        print(f"✗ sample rate {rate}: {got:.0f} negatives per step on average, fewer than {target}")
        return Verdict(False)
    smaller = round(rate - 0.01, 10)
    if smaller > 0 and _mean_negatives(smaller, labels, num_classes, batch, draws, 0) >= target:
        print(
            f"✗ sample rate {rate}: {got:.0f} negatives per step — enough, but a smaller rate "
            f"also reaches {target}"
        )
        return Verdict(False)
    print(f"✓ sample rate: the smallest multiple of 0.01 that samples at least {target} negatives per step")
    return Verdict(True)


# ------------------------------------------------------------------- exercise 3: the equal error rate


def eer_reference(genuine: torch.Tensor, impostor: torch.Tensor) -> float:
    """EER from scikit-learn's ROC: the mean of FAR and FRR where they are closest."""
    scores = torch.cat([genuine, impostor]).numpy()
    far, tar, _ = roc_curve(
        np.r_[np.ones(len(genuine)), np.zeros(len(impostor))], scores, drop_intermediate=False
    )
    k = np.argmin(np.abs(1 - tar - far))
    return float((far[k] + 1 - tar[k]) / 2)


def eer_cases(seed: int = 0) -> list[tuple]:
    gen = torch.Generator().manual_seed(seed)
    return [
        (torch.randn(n, generator=gen) + shift, torch.randn(m, generator=gen))
        for n, m, shift in ((50, 50, 3.0), (200, 200, 1.0), (500, 500, 0.0))
    ]


# ------------------------------------------------------------------- exercise 4: the hardest genuine pair


def check_hardest_pair(find_pair, embeddings: torch.Tensor, labels: torch.Tensor) -> Verdict:
    """Does ``find_pair(embeddings, labels)`` return (i, j), a genuine pair (same label, i ≠ j) whose cosine
    similarity is the smallest of all genuine pairs? ``embeddings`` (N, d) unit rows, ``labels`` (N,).
    Accepts either order and any of several tied pairs; prints ✓ or ✗."""
    pair = attempt("hardest pair", find_pair, embeddings, labels)
    if pair is NOT_ATTEMPTED:
        return Verdict(False)
    try:
        i, j = (int(v) for v in pair)
    except (TypeError, ValueError):
        print(f"✗ hardest pair: expected two indices (i, j), got {pair!r}")
        return Verdict(False)
    n = len(labels)
    if not (0 <= i < n and 0 <= j < n) or i == j:
        print(f"✗ hardest pair: indices must be two different numbers in [0, {n}), got ({i}, {j})")
        return Verdict(False)
    if labels[i] != labels[j]:
        print(f"✗ hardest pair: images {i} and {j} show different identities — that is an impostor pair")
        return Verdict(False)
    similarity = embeddings @ embeddings.T
    genuine = (labels[:, None] == labels[None, :]) & ~torch.eye(n, dtype=torch.bool)
    lowest = similarity[genuine].min()
    if similarity[i, j] > lowest + 1e-6:
        print(
            f"✗ hardest pair: genuine, cosine {similarity[i, j]:.3f}, but another genuine pair scores lower"
        )
        return Verdict(False)
    print("✓ hardest pair: a genuine pair with the lowest cosine of all genuine pairs")
    return Verdict(True)
