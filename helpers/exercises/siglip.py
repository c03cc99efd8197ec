"""Reference answers for the exercises of ``notebooks/10_siglip.ipynb``, kept off the page.

An exercise cell passes the learner's function and one of these references to
:func:`helpers.exercises.check_answer`, which compares the two case by case and says which case fails without
showing the expected value. The references compute their answers another way than the notebook's solutions
(autograd, a measurement), so a solution is checked, not copied.

- :func:`measured_negative_ratio`, :data:`RATIO_CASES` — exercise 1 (design): a starting bias that sets the
  negatives' share of the first gradient; the check measures the share the learner's bias gives.
- :func:`text_gradient_by_autograd`, :func:`ring_gradient_cases` — exercise 2 (debug): the text gradient
  computed the ring's way, with the gradient travelling with its chunk.
- :func:`match_counts_reference`, :func:`match_count_cases` — exercise 3 (predict with the explorer, then
  verify on the trained model): how many true and other pairs a sigmoid model calls matches.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from helpers.validate import check_int, check_real

# ------------------------------------------------------------------------ exercise 1: design the bias start
RATIO_CASES = [(8, 1.0), (128, 0.5), (32_768, 0.37), (2, 3.0), (1000, 0.01)]
"""(batch, target ratio) pairs the learner's ``bias_for_ratio`` is run on."""


def measured_negative_ratio(batch: int, bias: float) -> float:
    """At the start — every cosine 0, so every logit equals ``bias`` — the gradient mass of the sigmoid loss
    on one image's ``batch − 1`` negatives divided by that on its positive, measured with autograd (float64).
    """
    batch = check_int("batch", batch, low=2)
    bias = check_real("bias", bias)
    logits = torch.full((batch,), bias, dtype=torch.float64, requires_grad=True)  # one image's row
    labels = -torch.ones(batch, dtype=torch.float64)
    labels[0] = 1.0  # column 0 is the positive
    grad = torch.autograd.grad(-F.logsigmoid(labels * logits).sum(), logits)[0].abs()
    return (grad[1:].sum() / grad[0]).item()


# --------------------------------------------------------------------- exercise 2: debug the ring's gradient
def text_gradient_by_autograd(image, text, t_prime, b, num_devices) -> torch.Tensor:
    """∂L/∂text (B, E) of the sigmoid loss of unit-length ``image`` and ``text`` (B, E), all B² pairs at once.

    ``num_devices`` is ignored: the answer does not depend on how the ring splits the batch.
    """
    leaf = text.detach().clone().requires_grad_()
    logits = torch.exp(torch.as_tensor(t_prime, dtype=image.dtype)) * image @ leaf.T + b  # (B, B)
    labels = 2 * torch.eye(len(image), dtype=image.dtype) - 1
    loss = -F.logsigmoid(labels * logits).sum() / len(image)
    return torch.autograd.grad(loss, leaf)[0]


def ring_gradient_cases(seed: int = 0) -> list[tuple]:
    """(image, text, t_prime, b, num_devices) with unit-length (8, 4) float64 features, D = 1, 2, 4, 8."""
    gen = torch.Generator().manual_seed(check_int("seed", seed, low=0))
    cases = []
    for devices in (1, 2, 4, 8):
        image = F.normalize(torch.randn(8, 4, dtype=torch.float64, generator=gen), dim=-1)
        text = F.normalize(image + torch.randn(8, 4, dtype=torch.float64, generator=gen), dim=-1)
        cases.append((image, text, 1.0, -2.0, devices))
    return cases


# ------------------------------------------------------------- exercise 3: a sigmoid model's match decisions
def match_counts_reference(cosines: torch.Tensor, t: float, b: float) -> tuple[int, int]:
    """(true pairs called matches, other pairs called matches) for a square cosine matrix whose diagonal
    holds the true pairs: a pair is called a match when its logit t·cos + b is positive (σ > 1/2)."""
    logits = t * cosines.double() + b
    called = logits > 0
    true_pairs = int(torch.diagonal(called).sum())
    return true_pairs, int(called.sum()) - true_pairs


def match_count_cases(cosines: torch.Tensor, t: float, b: float, seed: int = 0) -> list[tuple]:
    """The notebook's (10, 10) cosines at the learned (t, b) first, then at the paper's start (10, −10), then
    random matrices at settings where some pairs of each kind are called matches."""
    gen = torch.Generator().manual_seed(check_int("seed", seed, low=0))
    random = [torch.rand(n, n, generator=gen, dtype=torch.float64) * 2 - 1 for n in (1, 5, 12)]
    return [(cosines, t, b), (cosines, 10.0, -10.0)] + [(c, 8.0, -2.0) for c in random]
