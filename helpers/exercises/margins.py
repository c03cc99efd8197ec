"""Reference answers and checkers for the exercises of ``notebooks/07_normalized_softmax_margins.ipynb``, kept
off the page.

- :func:`easy_margin_reference`, :func:`easy_margin_cases`, :func:`explain_easy_margin`,
  :func:`check_easy_margin` — exercise 1 (extend):
  ArcFace logits with InsightFace's ``easy_margin`` option (``recognition/arcface_torch/losses.py``).
- :func:`min_scale_reference`, :func:`min_scale_cases`, :func:`explain_min_scale`, :func:`check_min_scale` —
  exercise 2 (predict, then verify): the smallest scale at which ArcFace's target probability at the
  regular-simplex optimum reaches P, and the learner's prediction of it for the sweep's task.
- :func:`check_fixed_arcface` — exercise 3 (debug): an arccos-free ArcFace head with planted bugs that the
  page does not describe (the weights normalised along the wrong axis, the margin on every class, an infinite
  slope at cos θ = ±1).
- :func:`impostor_share_reference`, :func:`impostor_share_cases`, :func:`explain_impostor_share`,
  :func:`check_tail_share` — exercise 4 (predict, then verify, on the trained models): the share of impostor
  pairs whose cosine passes a threshold, and the prediction of where SphereFace-style's share lies at
  softmax's FAR-10⁻³ threshold.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from helpers.exercises import NOT_ATTEMPTED, Verdict, attempt, check_answer
from helpers.validate import check_int, check_real

# ------------------------------------------------------------------- exercise 1: ArcFace's easy margin

CLAMP_ALLOWANCE = 1e-4
"""A clamp of the cosine up to this far inside [−1, 1] (e.g. ``CLAMP_EPS`` = 1e-7, or 1e-6) counts as
correct: near cos θ = ±1 the slope of arccos is unbounded, so the checkers allow the change such a clamp
makes there."""


def _arcface_target(cos_target: torch.Tensor, m: float) -> torch.Tensor:
    sin_target = (1 - cos_target**2).clamp_min(0).sqrt()
    return cos_target * math.cos(m) - sin_target * math.sin(m)


def _with_target(cos_theta: torch.Tensor, labels: torch.Tensor, target: torch.Tensor, s: float):
    return s * cos_theta.scatter(1, labels[:, None], target)


def _matches(got: torch.Tensor, form, cos_theta: torch.Tensor, *args, rtol=1e-6, atol=1e-9) -> torch.Tensor:
    """(B, C) bool: where ``got`` equals ``form(cos_theta, *args)`` up to rtol/atol plus what a clamp of the
    cosines by at most :data:`CLAMP_ALLOWANCE` changes (clamped or not, a right answer matches)."""
    want = form(cos_theta, *args)
    edge = 1 - CLAMP_ALLOWANCE
    slack = (want - form(cos_theta.clamp(-edge, edge), *args)).abs()
    return (got.detach().double() - want).abs() <= atol + rtol * want.abs() + slack


def easy_margin_reference(cos_theta: torch.Tensor, labels: torch.Tensor, s: float, m: float) -> torch.Tensor:
    """(B, C) cosines, (B,) labels -> (B, C) logits: s·cos(θ + m) at the target where cos θ > 0, s·cos θ at
    the target elsewhere and at every other class (InsightFace's ``easy_margin`` branch)."""
    cos_target = cos_theta.gather(1, labels[:, None])
    target = torch.where(cos_target > 0, _arcface_target(cos_target, m), cos_target)
    return _with_target(cos_theta, labels, target, s)


def _fallback(cos_theta, labels, s, m):
    """InsightFace's default instead: cos θ − m·sin m once θ > π − m."""
    cos_target = cos_theta.gather(1, labels[:, None])
    target = torch.where(
        cos_target > math.cos(math.pi - m), _arcface_target(cos_target, m), cos_target - m * math.sin(m)
    )
    return _with_target(cos_theta, labels, target, s)


def _unscaled(cos_theta, labels, s, m):
    """The easy margin without the factor s."""
    return easy_margin_reference(cos_theta, labels, s, m) / s


def _margin_everywhere(cos_theta, labels, s, m):
    """The margin on every target, also where cos θ ≤ 0."""
    return _with_target(cos_theta, labels, _arcface_target(cos_theta.gather(1, labels[:, None]), m), s)


def _margin_wrong_way(cos_theta, labels, s, m):
    """cos(θ − m) where cos θ > 0: the angle moved towards the class weight instead of away."""
    return easy_margin_reference(cos_theta, labels, s, -m)


def easy_margin_cases(seed: int = 0) -> list[tuple]:
    """(cos_theta (B, C) float64, labels (B,), s, m) cases; targets on both sides of cos θ = 0 and at ±1."""
    gen = torch.Generator().manual_seed(seed)
    cases = []
    for batch, classes, s, m in ((6, 4, 1.0, 0.5), (32, 10, 16.0, 0.3), (64, 20, 64.0, 0.8)):
        cos_theta = torch.rand(batch, classes, dtype=torch.float64, generator=gen) * 2 - 1
        labels = torch.randint(0, classes, (batch,), generator=gen)
        cos_theta[0, labels[0]], cos_theta[1, labels[1]] = 1.0, -1.0  # the ends, where √(1 − cos²) = 0
        cases.append((cos_theta, labels, s, m))
    return cases


def explain_easy_margin(got, expected, case) -> str | None:
    """Name the usual slip without showing the expected logits."""
    cos_theta, labels, s, m = case
    if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        return f"the logits must be a tensor of the cosines' shape {tuple(cos_theta.shape)}"
    got = got.detach().double()
    if not torch.isfinite(got).all():
        return "NaN or inf in the logits: 1 − cos²θ can round below 0 at cos θ = ±1; clamp it before the root"
    slips = (
        (_unscaled, "off by the factor s: every logit is multiplied by s"),
        (_fallback, "InsightFace's default fallback (cos θ − m·sin m beyond π − m), not the easy margin"),
        (_margin_everywhere, "the margin acts on every target; the easy margin drops it where cos θ ≤ 0"),
        (_margin_wrong_way, "the margin moves θ the wrong way: the target logit must drop, not rise"),
        (lambda c, y, s_, m_: s_ * c, "no margin at all: the target logit is still s·cos θ where cos θ > 0"),
    )
    for form, words in slips:
        if _matches(got, form, cos_theta, labels, s, m).all():
            return words
    right = _matches(got, easy_margin_reference, cos_theta, labels, s, m)
    on_target = F.one_hot(labels, cos_theta.shape[1]).bool()
    if not right[~on_target].all():
        return "a non-target logit changed: only each row's target class gets the margin"
    positive = (cos_theta.gather(1, labels[:, None]) > 0).squeeze(1)
    wrong = ~right.gather(1, labels[:, None]).squeeze(1)
    side = "cos θ > 0" if (wrong & positive).any() else "cos θ ≤ 0"
    return f"target logits are off where {side}"


def _clamp_slack(cos_theta, labels, s, m):
    """(B, C): how much the easy-margin logits change when the cosines are clamped by
    :data:`CLAMP_ALLOWANCE`: what a right answer that clamps may differ by."""
    edge = 1 - CLAMP_ALLOWANCE
    clamped = easy_margin_reference(cos_theta.clamp(-edge, edge), labels, s, m)
    return (easy_margin_reference(cos_theta, labels, s, m) - clamped).abs()


_NOT_ASKED = object()
JUMP_TOLERANCE = 0.05  # a prediction of the step within this counts (e.g. 0.5 for sin 0.5 ≈ 0.479)


def easy_margin_curve(candidate, m: float = 0.5, step_degrees: float = 0.1) -> tuple[float, float, bool]:
    """Walk θ_y from 0° to 180° (s = 1, two classes) through ``candidate`` -> (where its target logit changes
    most between neighbouring angles, in degrees; that change, after minus before; whether the target logit
    never rises, by more than 1e-9, along the way)."""
    theta = torch.arange(0.0, 180.0 + step_degrees / 2, step_degrees, dtype=torch.float64)
    cos_target = torch.cos(torch.deg2rad(theta))
    cos_theta = torch.stack([cos_target, torch.zeros_like(cos_target)], 1)  # the other class at 90°
    labels = torch.zeros(len(theta), dtype=torch.long)
    with torch.no_grad():
        target = candidate(cos_theta, labels, 1.0, m)[:, 0].double()
    change = target.diff()
    jump = int(change.abs().argmax())
    return float(theta[jump : jump + 2].mean()), float(change[jump]), bool((change <= 1e-9).all())


def check_easy_margin(candidate, seed: int = 0, jump=_NOT_ASKED, monotonic=_NOT_ASKED) -> Verdict:
    """Exercise 1: does ``candidate(cos_theta, labels, s, m)`` give the easy-margin logits on
    :func:`easy_margin_cases`, with or without a clamp of the cosine (up to :data:`CLAMP_ALLOWANCE`)? Prints
    ✓, or ✗ naming the case and what is wrong. With ``jump`` (the target logit / s just after its jump minus
    just before, at m = 0.5) and ``monotonic`` (bool), the learner's predictions, a right function is then
    walked along θ (:func:`easy_margin_curve`) and each prediction judged (the jump within
    :data:`JUMP_TOLERANCE`), without
    printing the measured values."""
    ok = check_answer(
        "ArcFace easy margin",
        candidate,
        easy_margin_reference,
        easy_margin_cases(seed),
        explain=explain_easy_margin,
        rtol=1e-6,
        atol=1e-9,
        slack=_clamp_slack,
    )
    if not ok or (jump is _NOT_ASKED and monotonic is _NOT_ASKED):
        return Verdict(ok)
    if isinstance(jump, bool) or not isinstance(jump, (int, float)) or not isinstance(monotonic, bool):
        print("✗ predictions: set JUMP to a number and MONOTONIC to True or False, before running")
        return Verdict(False)
    _, measured_jump, measured_monotonic = easy_margin_curve(candidate)
    wrong = []
    if abs(jump - measured_jump) > JUMP_TOLERANCE:
        if abs(abs(jump) - abs(measured_jump)) <= JUMP_TOLERANCE:
            wrong.append("JUMP has the right size but the wrong sign: after minus before, as θ grows")
        else:
            wrong.append(
                f"JUMP is more than {JUMP_TOLERANCE} away from the step your function's target logit takes"
            )
    if monotonic != measured_monotonic:
        wrong.append("MONOTONIC is not what your function does between 0° and 180°")
    if wrong:
        print("✗ predictions: " + "; ".join(wrong) + " — plot your function's target logit against θ")
        return Verdict(False)
    print("✓ predictions: the jump's size and sign, and the monotonicity, as you said")
    return Verdict(True)


# ------------------------------------------------------------------- exercise 2: the smallest s with a margin


def _optimum_probability(s: float, num_classes: int, m: float) -> float:
    """ArcFace's target probability with the weights at a regular simplex (pairwise cosines −1/(C − 1)) and
    the feature on its class weight (θ_y = 0, so the target logit is s·cos m)."""
    logits = torch.full((num_classes,), -s / (num_classes - 1), dtype=torch.float64)
    logits[0] = s * math.cos(m)
    return torch.softmax(logits, 0)[0].item()


def min_scale_reference(num_classes: int, margin: float, target_probability: float) -> float:
    """The smallest s at which :func:`_optimum_probability` reaches ``target_probability``, by bisection."""
    num_classes = check_int("num_classes", num_classes, low=2)
    margin = check_real("margin", margin, 0, math.pi / 2, high_open=True)
    target_probability = check_real(
        "target_probability", target_probability, 0, 1, low_open=True, high_open=True
    )
    low, high = 0.0, 1_000.0
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (
            (mid, high) if _optimum_probability(mid, num_classes, margin) < target_probability else (low, mid)
        )
    return high


def min_scale_cases() -> list[tuple]:
    """(C, m, P) cases from small to large, including m = 0 (Step 3's bound)."""
    return [(10, 0.5, 0.9), (200, 0.3, 0.99), (1_000, 0.0, 0.99), (5_000, 0.5, 0.999)]


def explain_min_scale(got, expected, case) -> str | None:
    """Name the usual slip without showing the expected scale."""
    num_classes, m, p = case
    try:
        got = float(got)
    except (TypeError, ValueError):
        return f"return one number, got {type(got).__name__}"
    odds = math.log((num_classes - 1) * p / (1 - p))
    if m > 0 and math.isclose(got, (num_classes - 1) / num_classes * odds, rel_tol=1e-4):
        return "this is Step 3's bound without a margin: at the optimum the target logit is s·cos m, not s"
    if m > 0 and math.isclose(got, odds / math.cos(m), rel_tol=1e-4):
        return "the other classes' cosines at the simplex are −1/(C − 1), not 0"
    return "too small: the target probability stays below P" if got < expected else "larger than needed"


PREDICTION_CASE = (100, 0.5, 0.9)
"""(C, m, P) of exercise 2's prediction: the s × m sweep's task (C = 100, m = 0.5) and P = 0.9."""
PREDICTION_TOLERANCE = 0.1  # a prediction within 10 % of the value counts as right


def check_min_scale(candidate, prediction) -> Verdict:
    """Exercise 2: is ``prediction`` (a number written down before computing: the smallest s for
    :data:`PREDICTION_CASE`) there, is ``candidate(num_classes, margin, target_probability)`` right on
    :func:`min_scale_cases`, and how far was the prediction from the value? Prints ✓ or ✗ lines; the Verdict
    is true when the function is right and the prediction within :data:`PREDICTION_TOLERANCE`."""
    name = "smallest s with an ArcFace margin"
    num_classes, margin, probability = PREDICTION_CASE
    if isinstance(prediction, bool) or not isinstance(prediction, (int, float)) or not prediction > 0:
        print(
            f"✗ {name}: commit to a prediction first: set PREDICTION to a number > 0, your smallest s for "
            f"C = {num_classes}, m = {margin}, P = {probability}, before writing the function"
        )
        return Verdict(False)
    if not check_answer(
        name, candidate, min_scale_reference, min_scale_cases(), rtol=1e-6, explain=explain_min_scale
    ):
        return Verdict(False)
    value = min_scale_reference(*PREDICTION_CASE)
    without = (num_classes - 1) / num_classes * math.log((num_classes - 1) * probability / (1 - probability))
    error = prediction / value - 1
    line = (
        f"your prediction {prediction:g} vs the smallest s {value:.2f} for C = {num_classes}, m = {margin}, "
        f"P = {probability} ({error:+.0%}; without the margin, Step 3: {without:.2f})"
    )
    held = abs(error) <= PREDICTION_TOLERANCE
    if held:  # the value is left out of a ✓ line: a committed solution's output must not give it away
        print(
            f"✓ your prediction is within {PREDICTION_TOLERANCE:.0%} of the smallest s for "
            f"C = {num_classes}, m = {margin}, P = {probability} (print your function's value to compare)"
        )
    else:
        print(f"✗ {line} — more than {PREDICTION_TOLERANCE:.0%} off")
    return Verdict(held)


# ------------------------------------------------------------------- exercise 3: debug an ArcFace head


def _debug_cases(seed: int = 0) -> list[tuple]:
    gen = torch.Generator().manual_seed(seed)
    weight = torch.randn(12, 8, dtype=torch.float64, generator=gen)
    labels = torch.randint(0, 12, (20,), generator=gen)
    random_features = torch.randn(20, 8, dtype=torch.float64, generator=gen)
    on_weights = 3 * weight[labels]  # every feature exactly on its class weight: cos θ_y = 1
    return [(random_features, weight, labels, 16.0, 0.5), (on_weights, weight, labels, 16.0, 0.5)]


def _arcface_from_cosines(cos_theta, labels, s, m):
    """(B, C) cosines -> ArcFace logits s·cos(θ_y + m) at the target (no clamp, no fallback), s·cos θ
    elsewhere."""
    return _with_target(cos_theta, labels, _arcface_target(cos_theta.gather(1, labels[:, None]), m), s)


def check_fixed_arcface(fixed) -> Verdict:
    """Does ``fixed(features (B, d), weight (C, d), labels (B,), s, m)`` give ArcFace's logits s·cos(θ_y + m)
    at the target and s·cos θ elsewhere (θ + m ≤ π here), with a finite gradient even where a feature lies
    exactly on its class weight? A clamp of the cosine up to :data:`CLAMP_ALLOWANCE` counts as correct.
    Prints ✓ or ✗ naming one bug that remains (the cosines first, then the margin's reach, then the gradient,
    then the target values), never the fix."""
    name = "fixed ArcFace head"
    for k, (features, weight, labels, s, m) in enumerate(_debug_cases()):
        where = (
            " where each feature lies exactly on its class weight (cos θ_y = 1)" if k else " on random input"
        )
        leaf = features.clone().requires_grad_(True)
        got = attempt(name, fixed, leaf, weight, labels, s, m)
        if got is NOT_ATTEMPTED:
            return Verdict(False)
        cos_theta = F.normalize(features, dim=1) @ F.normalize(weight, dim=1).T
        want = _arcface_from_cosines(cos_theta, labels, s, m)
        if not isinstance(got, torch.Tensor) or got.shape != want.shape:
            print(f"✗ {name}: the logits must be a (B, C) = {tuple(want.shape)} tensor")
            return Verdict(False)
        off_target = ~F.one_hot(labels, weight.shape[0]).bool()
        values = got.detach().double()
        seen = off_target & torch.isfinite(values)  # NaN is judged below, with the gradient
        plain = (values - s * cos_theta).abs() <= 1e-6 * (1 + s * cos_theta.abs())
        unscaled = (values - cos_theta).abs() <= 1e-6 * (1 + cos_theta.abs())
        if not plain[seen].all() and unscaled[seen].all():
            print(f"✗ {name}: the non-target logits are cos θ, not s·cos θ: every logit is multiplied by s")
            return Verdict(False)
        if not plain[seen].all():
            everywhere = _matches(values, lambda c, s_, m_: s_ * _arcface_target(c, m_), cos_theta, s, m)
            if everywhere[seen].all():
                print(f"✗ {name}: the non-target logits carry the margin too{where}")
            else:
                print(
                    f"✗ {name}: the non-target logits are not s·cos θ{where}, with or without a margin: "
                    "the cosines themselves are off"
                )
            return Verdict(False)
        (grad,) = torch.autograd.grad(F.cross_entropy(got, labels), leaf, allow_unused=True)
        if not torch.isfinite(values).all() or grad is None or not torch.isfinite(grad).all():
            print(f"✗ {name}: the logits or their gradient are not finite{where}")
            return Verdict(False)
        if not _matches(values, _arcface_from_cosines, cos_theta, labels, s, m, rtol=1e-5, atol=1e-5).all():
            at = " at cos θ_y = 1" if k else ""
            if _matches(values, _arcface_from_cosines, cos_theta, labels, s, -m, rtol=1e-5, atol=1e-5).all():
                print(f"✗ {name}: the target logits are cos(θ − m){at}: the margin must lower them")
            else:
                print(f"✗ {name}: the target logits are off{at}")
            return Verdict(False)
    print(f"✓ {name}: right cosines, margin on the target only, finite values and gradient at cos θ = 1")
    return Verdict(True)


# ------------------------------------------------------------------- exercise 4: the impostor tail

PREDICTIONS = ("above", "below")


def _impostor_cosines(embeddings: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """(N, d) rows, (N,) labels -> cosines of every pair i < j with different labels (rows used as given)."""
    cos = embeddings.double() @ embeddings.double().T
    upper = torch.ones_like(cos, dtype=torch.bool).triu(1)
    return cos[upper & (labels[:, None] != labels[None, :])]


def impostor_share_reference(embeddings: torch.Tensor, labels: torch.Tensor, threshold: float) -> float:
    """The share of impostor pairs (i < j, different labels) whose cosine is above ``threshold``:
    (N, d) unit rows, (N,) labels -> a float in [0, 1]."""
    return (_impostor_cosines(embeddings, labels) > float(threshold)).double().mean().item()


def impostor_share_cases(seed: int = 0) -> list[tuple]:
    """(unit embeddings (N, d) float64, labels (N,), threshold) small random cases."""
    gen = torch.Generator().manual_seed(seed)
    cases = []
    for n, d, k, threshold in ((6, 3, 2, 0.0), (40, 4, 5, 0.3), (60, 8, 3, -0.2)):
        emb = F.normalize(torch.randn(n, d, dtype=torch.float64, generator=gen), dim=1)
        cases.append((emb, torch.arange(n) % k, threshold))
    return cases


def explain_impostor_share(got, expected, case) -> str | None:
    """Name the usual slip without showing the expected share."""
    embeddings, labels, threshold = case
    try:
        got = float(got)
    except (TypeError, ValueError):
        return f"return one number (a share), got {type(got).__name__}"
    cos = embeddings.double() @ embeddings.double().T
    upper = torch.ones_like(cos, dtype=torch.bool).triu(1)
    above = cos > float(threshold)
    impostor = upper & (labels[:, None] != labels[None, :])
    slips = {
        "a count, not a share: divide by the number of impostor pairs": float((above & impostor).sum()),
        "a share of the pairs below the threshold, not above": 1 - expected,
        "genuine pairs (same label) were counted too: keep only different labels": float(
            above[upper].double().mean()
        ),
    }
    for words, value in slips.items():
        if math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-12) and not math.isclose(got, expected):
            return words
    return "too large" if got > expected else "too small"


def check_tail_share(
    share_fn, prediction, embeddings, labels, threshold, far=1e-3, model="SphereFace-style"
) -> Verdict:
    """Exercise 4: is ``share_fn(embeddings, labels, threshold)`` right (small cases, then the trained
    ``model``'s embeddings), and did ``prediction`` ("above" or "below" ``far``) hold for the measured share?
    Prints ✓ or ✗ lines; the returned Verdict is true when both hold."""
    name = "impostor share"
    if prediction not in PREDICTIONS:
        print(f"✗ {name}: commit to a prediction first: set prediction to 'above' or 'below'")
        return Verdict(False)
    cases = [*impostor_share_cases(), (embeddings, labels, threshold)]
    if not check_answer(
        name, share_fn, impostor_share_reference, cases, rtol=1e-9, atol=1e-12, explain=explain_impostor_share
    ):
        return Verdict(False)
    measured = impostor_share_reference(embeddings, labels, threshold)
    actual = "above" if measured > far else "below"
    line = f"{model} lets {measured:.1e} of its impostor pairs pass softmax's FAR = {far:g} threshold"
    if prediction != actual:
        print(
            f"✗ prediction {prediction!r} did not hold: {line}; "
            "histogram both models' impostor angles to see why"
        )
        return Verdict(False)
    print(f"✓ your prediction held for {model} (your function measures the share: print it to see it)")
    return Verdict(True)
