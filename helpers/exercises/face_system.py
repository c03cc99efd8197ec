"""Reference answers and checkers for the exercises of ``notebooks/08_face_recognition_system.ipynb``,
kept off the page.

- :func:`iou_reference`, :func:`box_cases` — exercise 1: the IoU of two boxes in plain arithmetic.
- :func:`nms_reference`, :func:`nms_cases`, :func:`explain_nms` — exercise 2 (debug): a non-maximum
  suppression with a planted bug; the reference is the textbook loop that rescans the remaining boxes.
- :func:`rank_reference`, :func:`rank_cases` — exercise 3: the rank-k identification rate (one CMC point).
- :func:`check_enrolment_count` — exercise 4 (design, on the trained system): the fewest enrolment images
  per person at which the end-to-end rank-1 reaches a target; the check measures it with the learner's count.
- :func:`centre_reference`, :func:`centre_cases`, :func:`loss_and_gradient` — exercise 5: the centre loss
  and its gradient.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from helpers.validate import check_int, check_real

# ------------------------------------------------------------------- exercise 1: IoU of two boxes


def box_cases() -> list[tuple]:
    """Pairs of boxes ``(x1, y1, x2, y2)``: overlapping, disjoint, nested, touching, and a generic pair."""
    return [
        ((0, 0, 10, 10), (5, 5, 15, 15)),
        ((0, 0, 10, 10), (20, 20, 30, 30)),
        ((0, 0, 10, 10), (2, 2, 4, 4)),
        ((0, 0, 10, 10), (10, 0, 20, 10)),
        ((1.5, 2.0, 7.0, 9.5), (3.0, 1.0, 8.0, 6.0)),
    ]


def iou_reference(a, b) -> float:
    """IoU of two boxes from the area of their intersection box (empty when it has no extent)."""
    a, b = torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)
    extent = (torch.minimum(a[2:], b[2:]) - torch.maximum(a[:2], b[:2])).clamp(min=0)
    inter = extent.prod()
    area = lambda box: (box[2:] - box[:2]).prod()
    return float(inter / (area(a) + area(b) - inter))


# ------------------------------------------------------------------- exercise 2: debug an NMS


def nms_reference(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """The textbook loop: pick the best remaining box, drop every remaining box overlapping it by more than
    the threshold, repeat. Ties in score: the earlier index first. -> LongTensor of kept indices."""
    remaining, keep = list(range(len(boxes))), []
    while remaining:
        best = max(remaining, key=lambda i: (float(scores[i]), -i))
        keep.append(best)
        remaining = [
            i
            for i in remaining
            if i != best and iou_reference(boxes[i].tolist(), boxes[best].tolist()) <= iou_threshold
        ]
    return torch.tensor(keep, dtype=torch.long)


def nms_cases(seed: int = 0) -> list[tuple]:
    """(boxes (N, 4), scores (N,), IoU threshold): first a face box, a far box and a second box on the face
    (in decreasing score), then random clusters."""
    first = torch.tensor([[0.0, 0, 10, 10], [40, 40, 50, 50], [5, 0, 15, 10]])
    cases = [(first, torch.tensor([0.9, 0.8, 0.7]), 0.1)]
    gen = torch.Generator().manual_seed(seed)
    for clusters, per, threshold in ((2, 5, 0.3), (4, 10, 0.5), (3, 12, 0.2)):
        centres = torch.rand(clusters, 2, generator=gen).repeat(per, 1) * 60
        centres = centres + torch.randn(clusters * per, 2, generator=gen) * 4
        sides = 8 + 12 * torch.rand(clusters * per, 1, generator=gen)
        boxes = torch.cat([centres - sides / 2, centres + sides / 2], 1)
        cases.append((boxes, torch.rand(clusters * per, generator=gen), threshold))
    return cases


def explain_nms(got, expected, case) -> str | None:
    """Say how the kept list differs (too many, too few, the order) without listing the expected indices."""
    boxes, scores, _ = case
    got = torch.as_tensor(got).long().flatten()
    if len(got) and int(got[0]) != int(expected[0]):
        return "the first kept box must be the highest-scoring one"
    if len(got) > len(expected):
        extra = [int(i) for i in got if int(i) not in set(expected.tolist())]
        return (
            f"kept {len(got)} boxes, {len(got) - len(expected)} too many (e.g. box {extra[0]} overlaps a box "
            "kept earlier by more than the threshold)"
            if extra
            else f"kept {len(got)} boxes, some more than once"
        )
    if len(got) < len(expected):
        return f"kept {len(got)} boxes, {len(expected) - len(got)} too few: a box was suppressed wrongly"
    if sorted(got.tolist()) == sorted(expected.tolist()):
        return "the right boxes, in the wrong order: kept boxes come in decreasing score"
    return None


# ------------------------------------------------------------------- exercise 3: rank-k identification rate


def rank_reference(scores: torch.Tensor, true_index: torch.Tensor, k: int) -> float:
    """Fraction of probes whose true gallery entry is among their k highest scores (ties count for it)."""
    true_score = scores.gather(1, true_index[:, None])
    return float(((scores > true_score).sum(1) < k).double().mean())


def rank_cases(seed: int = 0) -> list[tuple]:
    """(scores (probes, gallery), true index (probes,), k) random cases; the notebook adds one of its own."""
    gen = torch.Generator().manual_seed(seed)
    return [
        (torch.randn(30, 10, generator=gen), torch.randint(0, 10, (30,), generator=gen), k)
        for k in (1, 3, 10)
    ]


# ------------------------------------------------------------------- exercise 4: design the enrolment


def check_enrolment_count(
    choose_count: Callable[[], int], rank1_with: Callable[[int], float], target: float, most: int
) -> bool:
    """Is ``choose_count()`` the fewest enrolment images per person (1 … ``most``) at which
    ``rank1_with(count)`` — the end-to-end rank-1 with a gallery of that many images' mean embedding — reaches
    ``target``? Prints ✓ (without the count) or ✗ with the rank-1 the learner's count gives."""
    most = check_int("most", most, 1)
    target = check_real("target", target, 0, 1)
    try:
        count = choose_count()
    except NotImplementedError:
        print("✗ enrolment count: not attempted yet — replace the `raise NotImplementedError` with your code")
        return False
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= most:
        print(f"✗ enrolment count: return an int from 1 to {most}, got {count!r}")
        return False
    reached = rank1_with(count)
    if reached < target:
        print(f"✗ enrolment count {count}: rank-1 {reached:.3f}, below the target {target:.3f}")
        return False
    if any(rank1_with(fewer) >= target for fewer in range(1, count)):
        print(f"✗ enrolment count {count}: rank-1 {reached:.3f} reaches the target, but fewer images do too")
        return False
    print("✓ enrolment count: the fewest images per person that reach the target rank-1")
    return True


# ------------------------------------------------------------------- exercise 5: centre loss


def centre_reference(features: torch.Tensor, labels: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
    """(1/B) Σ ½‖x_i − c_{y_i}‖², through ``F.mse_loss`` with a sum."""
    return F.mse_loss(features, centres[labels], reduction="sum") / (2 * len(features))


def loss_and_gradient(loss: Callable) -> Callable:
    """Wrap ``loss(features, labels, centres)`` so it returns its value and its gradient w.r.t. the features,
    flattened into one tensor (the checker compares both)."""

    def run(features, labels, centres):
        features = features.clone().requires_grad_(True)
        value = loss(features, labels, centres)
        return torch.cat([value.reshape(1), torch.autograd.grad(value, features)[0].flatten()])

    return run


def centre_cases(seed: int = 0) -> list[tuple]:
    """(features (B, 4), labels (B,), centres (3, 4)) for B = 1, 5, 16."""
    gen = torch.Generator().manual_seed(seed)
    return [
        (
            torch.randn(b, 4, generator=gen),
            torch.randint(0, 3, (b,), generator=gen),
            torch.randn(3, 4, generator=gen),
        )
        for b in (1, 5, 16)
    ]
