"""Reference answers and checkers for the exercises of ``notebooks/06_softmax_many_classes.ipynb``, kept off
the page.

- :func:`check_stable_cross_entropy`, :func:`stable_cases` — exercise 1 (debug): a hand-written softmax
  cross-entropy that overflows and underflows in float32 once logits grow, compared with ``F.cross_entropy``
  in loss and gradient on cases that break the textbook form.
- :func:`check_negatives_rate` — exercise 2 (design): the smallest Partial FC sample rate (to 0.01) at which
  a step samples at least a target number of negative classes; the check measures it on the learner's batches.
- :func:`eer_reference` — exercise 3: the equal error rate from scikit-learn's ROC.
- :func:`check_hardest_pair` — exercise 4 (apply, on the trained model): the genuine pair the model finds
  least alike.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import roc_curve

from helpers.exercises import NOT_ATTEMPTED, Verdict, attempt
from helpers.validate import check_int, check_real

# ------------------------------------------------------------------- exercise 1: a cross-entropy that breaks

FORBIDDEN = (  # the library's stable forms would hide the lesson
    "cross_entropy",
    "log_softmax",
    "logsumexp",
    "nll_loss",
    "CrossEntropyLoss",
    "LogSoftmax",
    "NLLLoss",
)


def stable_cases(seed: int = 0) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    """(description, float32 logits (B, C), labels (B,)) cases, from harmless to the ones that break a
    textbook softmax: a large shared offset (overflow), a target far below its row's largest logit
    (underflow), and 10,000 classes at the logit scale of features that have grown."""
    gen = torch.Generator().manual_seed(seed)
    small = torch.randn(4, 5, generator=gen)
    offset = torch.randn(6, 8, generator=gen) + 1000.0
    far = torch.randn(5, 7, generator=gen)
    far_labels = torch.randint(0, 7, (5,), generator=gen)
    far[torch.arange(5), far_labels] -= 200.0  # each target 200 below the rest of its row
    many = torch.randn(8, 10_000, generator=gen) * 50.0
    return [
        ("small logits", small, torch.randint(0, 5, (4,), generator=gen)),
        ("logits near +1000", offset, torch.randint(0, 8, (6,), generator=gen)),
        ("each target's logit 200 below its row's largest", far, far_labels),
        ("10,000 classes, logits of spread 50", many, torch.randint(0, 10_000, (8,), generator=gen)),
    ]


def _loss_and_gradient(fn: Callable, logits: torch.Tensor, labels: torch.Tensor):
    leaf = logits.detach().clone().requires_grad_(True)
    loss = fn(leaf, labels)
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        return loss, None
    if loss.requires_grad:
        loss.reshape(()).backward()
    return loss.detach().reshape(()), leaf.grad


def check_stable_cross_entropy(fn: Callable) -> Verdict:
    """Exercise 1 (debug). ``fn(logits, labels)`` must give the batch-mean softmax cross-entropy in float32
    on every case of :func:`stable_cases` — finite, equal to ``F.cross_entropy`` (relative 1e-5), and with
    the same gradient through autograd — without the library's own stable forms (:data:`FORBIDDEN`).
    Prints ✓ or ✗ with the first failing case and what went wrong there."""
    name = "cross-entropy"
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        source = ""
    used = [word for word in FORBIDDEN if re.search(rf"(?<!\w){word}\b", source)]  # not inside a name
    if used:
        print(f"✗ {name}: fix it yourself, without {', '.join(used)}: the library's version is the answer")
        return Verdict(False)
    for description, logits, labels in stable_cases():
        result = attempt(name, _loss_and_gradient, fn, logits, labels, where=f"on {description},")
        if result is NOT_ATTEMPTED:
            return Verdict(False)
        loss, grad = result
        if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
            print(f"✗ {name}: return the loss as a one-element tensor (a batch mean), got {loss!r}")
            return Verdict(False)
        want, want_grad = _loss_and_gradient(F.cross_entropy, logits, labels)
        value = float(loss)
        if not math.isfinite(value):
            if value > 0 and description.startswith("each target"):
                why = "the target's probability underflows to 0 in float32 before its log is taken"
            elif description.startswith("logits near"):
                why = "exp overflows float32 (exp(89) is already beyond its largest number, 3.4e38)"
            else:
                why = "some exp overflows or some probability underflows in float32"
            print(f"✗ {name}: on {description}, your loss is {value}: {why}")
            return Verdict(False)
        if abs(value - float(want)) > 1e-5 * abs(float(want)) + 1e-4:
            if abs(value - float(want) * len(labels)) <= 1e-5 * abs(float(want) * len(labels)) + 1e-4:
                problem = "off by a factor of B: the loss is a mean over the batch"
            else:
                problem = "finite, but not the cross-entropy (what did your change do to each row's softmax?)"
            print(f"✗ {name}: on {description}, your loss is {problem}")
            return Verdict(False)
        if grad is None:
            print(f"✗ {name}: on {description}, the loss has no gradient: keep it a function of the logits")
            return Verdict(False)
        if not torch.isfinite(grad).all():
            print(f"✗ {name}: on {description}, the loss is right but its gradient holds nan or inf")
            return Verdict(False)
        if not torch.allclose(grad, want_grad, rtol=1e-4, atol=1e-6):
            print(f"✗ {name}: on {description}, the loss is right but its gradient is not")
            return Verdict(False)
    print(
        f"✓ {name}: finite and equal to the cross-entropy, gradients too, on all {len(stable_cases())} cases"
    )
    return Verdict(True)


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
