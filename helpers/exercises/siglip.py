"""Reference answers for the exercises of ``notebooks/10_siglip.ipynb``, kept off the page.

An exercise cell passes the learner's function and one of these references to
:func:`helpers.exercises.check_answer`, which compares the two case by case and says which case fails without
showing the expected value. The references compute their answers another way than the notebook's solutions
(autograd, a measurement), so a solution is checked, not copied.

- :func:`check_best_start_bias`, :data:`START_CASES` — exercise 1 (design): the starting bias that minimises
  the initial loss when the true pairs already have a cosine c > 0 (a pre-trained start); the check measures
  the slope of the loss at the learner's bias and says which way it is off.
- :func:`text_gradient_by_autograd`, :func:`ring_gradient_cases` — exercise 2 (debug): the text gradient
  computed the ring's way, with the gradient travelling with its chunk.
- :func:`check_match_counts`, :func:`match_count_cases` — exercise 3 (predict with the explorer, then
  verify on the trained model): how many true and other pairs a sigmoid model calls matches, at the learned
  bias and at the bias recalibrated for same-description captions.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from helpers.exercises import check_answer
from helpers.validate import check_int, check_real

# ------------------------------------------------------------------------ exercise 1: design the bias start
START_CASES = [(8, 10.0, 0.0), (128, 10.0, 0.3), (32_768, 10.0, 0.5), (2, 1.0, 0.9), (1000, 20.0, 0.8)]
"""(batch, t, positive_cosine) triples the learner's ``best_start_bias`` is run on."""


def _as_float(name: str, value) -> float:
    """A Python float from a number or a one-element tensor (e.g. a 0-d tensor)."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"{name} must be one number, got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    return check_real(name, value)


def initial_loss_slope(batch: int, t: float, positive_cosine: float, bias) -> float:
    """dL₀/db for one image at the start: its positive has logit t·c + b, its ``batch − 1`` negatives logit b
    (their cosines 0). Measured with autograd in float64; it increases with b, and is 0 at the best start."""
    batch = check_int("batch", batch, low=2)
    leaf = torch.tensor(_as_float("bias", bias), dtype=torch.float64, requires_grad=True)
    logits = torch.cat([(t * positive_cosine + leaf)[None], leaf.expand(batch - 1)])  # one image's row
    labels = -torch.ones(batch, dtype=torch.float64)
    labels[0] = 1.0  # column 0 is the positive
    return torch.autograd.grad(-F.logsigmoid(labels * logits).sum(), leaf)[0].item()


def best_start_bias_reference(batch: int, t: float, positive_cosine: float) -> float:
    """The bias that minimises one image's initial loss, found by bisection on :func:`initial_loss_slope`."""
    low, high = -80.0, 80.0
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (
            (middle, high) if initial_loss_slope(batch, t, positive_cosine, middle) < 0 else (low, middle)
        )
    return (low + high) / 2


def check_best_start_bias(best_start_bias, *, hint: str = ""):
    """Run the learner's ``best_start_bias(batch, t, positive_cosine)`` on :data:`START_CASES`; a wrong bias
    is reported with its direction (too high: the negatives pull harder than the positive there; too low: the
    positive pulls harder), never with the expected value. Accepts floats and one-element tensors."""

    def explain(got, want, case):
        try:
            slope = initial_loss_slope(*case, got)
        except (TypeError, ValueError) as exc:
            return f"returned something that is not one number ({exc})"
        side = (
            "too high: there the negatives pull harder"
            if slope > 0
            else "too low: there the positive pulls harder"
        )
        return f"the bias is {side} (the loss still falls if you move it {'down' if slope > 0 else 'up'})"

    def as_number(*case):
        got = best_start_bias(*case)
        return got.item() if isinstance(got, torch.Tensor) and got.numel() == 1 else got

    return check_answer(
        "the best start bias",
        as_number,
        best_start_bias_reference,
        START_CASES,
        hint=hint,
        explain=explain,
        rtol=0.0,
        atol=1e-6,
    )


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


def match_count_cases(cosines: torch.Tensor, t: float, b: float, shift: float, seed: int = 0) -> list[tuple]:
    """The notebook's (10, 10) cosines at the learned (t, b), at (t, b + shift) (the bias recalibrated for
    same-description captions) and at the paper's start (10, −10), then random matrices at settings where
    some pairs of each kind are called matches."""
    gen = torch.Generator().manual_seed(check_int("seed", seed, low=0))
    random = [torch.rand(n, n, generator=gen, dtype=torch.float64) * 2 - 1 for n in (1, 5, 12)]
    trained = [(cosines, t, b), (cosines, t, b + shift), (cosines, 10.0, -10.0)]
    return trained + [(c, 8.0, -2.0) for c in random]


def _as_count_pair(result):
    """A tuple of two ints from a tuple, list or 2-element tensor of whole numbers; else unchanged."""
    if isinstance(result, torch.Tensor):
        result = result.tolist()
    if isinstance(result, (tuple, list)) and len(result) == 2:
        values = [v.item() if isinstance(v, torch.Tensor) else v for v in result]
        if all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() for v in values
        ):
            return tuple(int(v) for v in values)
    return result


def check_match_counts(match_counts, cases: list[tuple], *, hint: str = ""):
    """Run the learner's ``match_counts(cosines, t, b)`` on ``cases``; accepts a tuple, a list or a tensor of
    two whole numbers, and says which count is wrong and in which direction."""

    def explain(got, want, case):
        if not (isinstance(got, tuple) and len(got) == 2):
            return "return two whole numbers: (true pairs called matches, other pairs called matches)"
        names = ("true pairs (the diagonal)", "other pairs (off the diagonal)")
        wrong = [
            f"the count of {n} is too {'high' if g > w else 'low'}"
            for n, g, w in zip(names, got, want)
            if g != w
        ]
        return "; ".join(wrong)

    return check_answer(
        "match counts",
        lambda *case: _as_count_pair(match_counts(*case)),
        match_counts_reference,
        cases,
        hint=hint,
        explain=explain,
    )
