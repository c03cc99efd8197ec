"""Reference answers for the exercises of ``notebooks/11_blip.ipynb``, kept off the page.

An exercise cell passes the learner's function to one of the checkers below, which compares it with a
reference case by case (through :func:`helpers.exercises.check_answer`) and says which case fails and how,
without showing the expected value. The references compute their answers another way than a learner would
(a numerical search, a brute-force count), so a solution is checked, not copied.

- :func:`check_chance_itm_loss` — exercise 1 (predict, then verify): the lowest ITM loss a head that ignores
  the pair can reach when every positive comes with ``k`` negatives (``k = 1``: the notebook's log 2).
- :func:`check_mining_weights`, :func:`mining_weight_cases` — exercise 2 (debug): BLIP's sampling weights for
  hard negatives; any positive rescaling of a row is accepted, since sampling only needs proportions.
- :func:`check_threshold`, :func:`threshold_cases` — exercise 3 (design, on the trained filter): the largest
  filter threshold that still keeps a required share of the right captions.
"""

from __future__ import annotations

import math

import torch

from helpers.exercises import check_answer
from helpers.validate import check_int, check_real

# ----------------------------------------------------------- exercise 1: the chance level of the ITM loss
CHANCE_CASES = [(1,), (2,), (3,), (10,)]
"""Numbers of negatives per positive the learner's ``chance_itm_loss`` is run on."""


def constant_head_loss(k: int, p_match: float) -> float:
    """Mean ITM cross-entropy when the head says ``P(match) = p_match`` to every pair and each positive
    comes with ``k`` negatives."""
    k = check_int("k", k, low=1)
    p = check_real("p_match", p_match, 0, 1)
    if p in (0.0, 1.0):
        return math.inf
    return -(math.log(p) + k * math.log(1 - p)) / (k + 1)


def chance_itm_loss_reference(k: int) -> float:
    """The minimum of :func:`constant_head_loss` over ``p_match``, found by golden-section search."""
    low, high = 1e-12, 1 - 1e-12
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(200):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        low, high = (low, b) if constant_head_loss(k, a) < constant_head_loss(k, b) else (a, high)
    return constant_head_loss(k, (low + high) / 2)


def _as_float(value):
    """A float from a number or a one-element tensor; anything else unchanged (the comparison reports it)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    return value


def check_chance_itm_loss(chance_itm_loss, *, hint: str = "", prediction=None):
    """Run the learner's ``chance_itm_loss(k)`` on :data:`CHANCE_CASES`; a wrong value is reported as below
    what any head can reach (impossible) or above what a constant head reaches (not the lowest). Once the
    function is right, a ``prediction`` for k = 2 (a number in nats, written down before) is compared with it.
    """

    def explain(got, want, case):
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            return "return one number, the loss in nats"
        if got < want:
            return "the value is lower than any head that ignores the pair can reach"
        return "a head that always says the same P(match) can reach a lower loss than this"

    verdict = check_answer(
        "chance level of the ITM loss",
        lambda k: _as_float(chance_itm_loss(k)),
        chance_itm_loss_reference,
        CHANCE_CASES,
        hint=hint,
        explain=explain,
        rtol=1e-6,
        atol=1e-9,
    )
    if verdict and prediction is not None:
        value = chance_itm_loss_reference(2)
        print(f"  your prediction for k = 2: {prediction} nats; the chance level: {value:.4f} nats")
    return verdict


# ------------------------------------------------------------------ exercise 2: debug the mining weights
def mining_probabilities_reference(
    similarity: torch.Tensor, same: torch.Tensor, floor: float
) -> torch.Tensor:
    """(B, B) sampling probabilities of BLIP's rule, each row normalised: softmax of the row plus ``floor``,
    then zero on the diagonal and on ``same``."""
    banned = same.bool() | torch.eye(len(similarity), dtype=torch.bool)
    weights = (torch.softmax(similarity.double(), dim=1) + floor).masked_fill(banned, 0.0)
    return weights / weights.sum(dim=1, keepdim=True)


def mining_weight_cases(seed: int = 0) -> list[tuple]:
    """(similarity (B, B), same (B, B) bool, floor) cases: sharp and flat rows, with and without masks."""
    gen = torch.Generator().manual_seed(check_int("seed", seed, low=0))
    cases = []
    for size, scale, floor, masked in ((4, 1.0, 1e-4, False), (6, 14.0, 1e-4, True), (5, 3.0, 0.1, True)):
        similarity = scale * torch.randn(size, size, dtype=torch.float64, generator=gen)
        same = torch.zeros(size, size, dtype=torch.bool)
        if masked:
            same[0, 1] = same[1, 0] = same[2, 3] = same[3, 2] = True
        cases.append((similarity, same, floor))
    return cases


def check_mining_weights(mining_weights, cases: list[tuple] | None = None, *, hint: str = ""):
    """Run the learner's ``mining_weights(similarity, same, floor)``; each returned row is normalised before
    the comparison (sampling needs only proportions). Says whether a banned column gets weight, a row has a
    negative weight or no weight at all, or the allowed columns' proportions are off."""
    cases = mining_weight_cases() if cases is None else cases

    def normalised(similarity, same, floor):
        weights = mining_weights(similarity, same, floor)
        if not isinstance(weights, torch.Tensor) or weights.shape != similarity.shape:
            return weights
        weights = weights.double()
        return weights / weights.sum(dim=1, keepdim=True)

    def explain(got, want, case):
        similarity, same, _ = case
        if not isinstance(got, torch.Tensor) or got.shape != similarity.shape:
            return f"return a tensor of the similarity's shape {tuple(similarity.shape)}"
        banned = same | torch.eye(len(similarity), dtype=torch.bool)
        if not torch.isfinite(got).all():
            return "a row has no weight at all (or a non-finite one)"
        if (got < 0).any():
            return "some weights are negative"
        if (got[banned] > 0).any():
            return "a banned column (the positive, or a pair marked `same`) can still be drawn"
        return "the allowed columns get the wrong proportions (compare them with P_ε of Step 4)"

    return check_answer(
        "mining weights",
        normalised,
        mining_probabilities_reference,
        cases,
        hint=hint,
        explain=explain,
        rtol=1e-6,
        atol=1e-9,
    )


# ------------------------------------------------------------- exercise 3: design the filter's threshold
def threshold_cases(p_right: torch.Tensor) -> list[tuple]:
    """(p_right, keep) cases: the trained filter's scores of the right captions at three targets, and two
    small hand-made ones (one with ties)."""
    scores = torch.as_tensor(p_right, dtype=torch.float64)
    small = torch.tensor([0.9, 0.2, 0.6, 0.4, 0.8], dtype=torch.float64)
    ties = torch.tensor([0.5, 0.5, 0.5, 0.1], dtype=torch.float64)
    return [(scores, 0.9), (scores, 0.95), (scores, 0.99), (small, 0.6), (ties, 0.7)]


def _kept_share(p_right: torch.Tensor, threshold: float) -> float:
    return (p_right >= threshold).double().mean().item()


def threshold_verdict(p_right: torch.Tensor, keep: float, threshold) -> str | None:
    """None if ``threshold`` keeps (``p ≥ threshold``) at least ``keep`` of ``p_right`` and raising it past
    the lowest kept score would not; else what is wrong. Every threshold that keeps that same set is right."""
    threshold = _as_float(threshold)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool):
        return "return one number, the threshold"
    if _kept_share(p_right, threshold) < keep:
        return "this threshold removes too many right captions: fewer than `keep` of them are kept"
    lowest_kept = p_right[p_right >= threshold].min().item()  # raising t past it drops this score level
    if (p_right > lowest_kept).double().mean().item() >= keep:
        return "a higher threshold would still keep enough right captions (and remove more wrong ones)"
    return None


def check_threshold(pick_threshold, cases: list[tuple], *, hint: str = ""):
    """Run the learner's ``pick_threshold(p_right, keep)`` on ``cases`` (from :func:`threshold_cases`)."""

    def run(p_right, keep):
        return threshold_verdict(p_right, keep, pick_threshold(p_right, keep))

    return check_answer(
        "filter threshold",
        run,
        lambda p_right, keep: None,
        cases,
        hint=hint,
        explain=lambda got, want, case: got,
    )
