"""Reference answers and checkers for the exercises of ``notebooks/08_face_recognition_system.ipynb``,
kept off the page.

- :func:`giou_reference`, :func:`box_cases`, :func:`explain_giou` — exercise 1 (extend): the generalised IoU
  of Rezatofighi et al. (2019), which the notebook does not build; :func:`iou_reference` is the plain IoU.
- :func:`nms_reference`, :func:`nms_cases`, :func:`explain_nms` — exercise 2 (debug): a non-maximum
  suppression with a planted bug; the reference is the textbook loop that rescans the remaining boxes.
- :func:`rank_multi_reference`, :func:`rank_multi_cases`, :func:`explain_rank_multi` — exercise 3 (extend):
  the rank-k identification rate against a gallery of several images per person, each person scored by
  their best-matching image (max fusion); :func:`rank_reference` is the one-image-per-person rate.
- :func:`check_enrolment_count` — exercise 4 (design, on the trained system): the fewest enrolment images
  per person at which the end-to-end rank-1 reaches a target; the check measures it with the learner's count.
- :func:`batch_hard_reference`, :func:`batch_hard_cases`, :func:`explain_batch_hard`,
  :func:`loss_and_gradient` — exercise 5 (extend): the batch-hard triplet loss of Hermans et al. (2017) and
  its gradient. :func:`centre_reference` and :func:`centre_cases` (the centre loss) are kept for reuse.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from helpers.validate import check_int, check_real

# ------------------------------------------------------------------- exercise 1: IoU of two boxes


def box_cases() -> list[tuple]:
    """Pairs of boxes ``(x1, y1, x2, y2)``: overlapping, disjoint, nested, touching, a generic pair, and a
    disjoint pair far apart."""
    return [
        ((0, 0, 10, 10), (5, 5, 15, 15)),
        ((0, 0, 10, 10), (20, 20, 30, 30)),
        ((0, 0, 10, 10), (2, 2, 4, 4)),
        ((0, 0, 10, 10), (10, 0, 20, 10)),
        ((1.5, 2.0, 7.0, 9.5), (3.0, 1.0, 8.0, 6.0)),
        ((0, 0, 10, 10), (80, 80, 90, 90)),
    ]


def iou_reference(a, b) -> float:
    """IoU of two boxes from the area of their intersection box (empty when it has no extent)."""
    a, b = torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)
    extent = (torch.minimum(a[2:], b[2:]) - torch.maximum(a[:2], b[:2])).clamp(min=0)
    inter = extent.prod()
    area = lambda box: (box[2:] - box[:2]).prod()
    return float(inter / (area(a) + area(b) - inter))


def giou_reference(a, b) -> float:
    """Generalised IoU (Rezatofighi et al., 2019): the IoU minus the share of the smallest box enclosing both
    that their union leaves empty. In (-1, 1]; equal to the IoU when one box holds the other."""
    a, b = torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)
    inter = (torch.minimum(a[2:], b[2:]) - torch.maximum(a[:2], b[:2])).clamp(min=0).prod()
    area = lambda box: (box[2:] - box[:2]).prod()
    union = area(a) + area(b) - inter
    hull = (torch.maximum(a[2:], b[2:]) - torch.minimum(a[:2], b[:2])).prod()
    return float(inter / union - (hull - union) / hull)


def explain_giou(got, expected, case) -> str | None:
    """Name the usual slips: the plain IoU, a value outside (-1, 1], the penalty's sign, the wrong area."""
    a, b = case
    try:
        got = float(got)
    except (TypeError, ValueError):
        return None
    iou = iou_reference(a, b)
    if abs(got - iou) < 1e-9 and abs(expected - iou) > 1e-9:
        return "that is the plain IoU: the term for the enclosing box is missing"
    if not -1 < got <= 1:
        return f"returned {got:.4g}, but GIoU lies in (-1, 1]"
    if abs(got - (2 * iou - expected)) < 1e-9:
        return "the enclosing-box term has the wrong sign: it can only lower the IoU"
    return "the value is off: check which area the empty part of the enclosing box is divided by"


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


def _person_scores(scores: torch.Tensor, gallery_labels: torch.Tensor, num_persons: int, how: str):
    """(P, G) image scores -> (P, persons) scores by ``how`` ('amax' or 'mean'); absent persons -inf."""
    index = gallery_labels.long()[None].expand(len(scores), -1)
    start = torch.full((len(scores), num_persons), -math.inf, dtype=torch.float64)
    if how == "mean":
        start = torch.zeros_like(start)
    person = start.scatter_reduce(1, index, scores.double(), reduce=how, include_self=False)
    present = torch.zeros(num_persons, dtype=torch.bool)
    present[gallery_labels.long()] = True
    return person.masked_fill(~present, -math.inf)


def rank_multi_reference(
    scores: torch.Tensor, gallery_labels: torch.Tensor, probe_labels: torch.Tensor, k: int
) -> float:
    """Fraction of probes whose true person is among the k best persons, a person scored by their best
    gallery image (ties count for the probe). scores (P, G), gallery_labels (G,), probe_labels (P,)."""
    persons = int(max(gallery_labels.max(), probe_labels.max())) + 1
    person = _person_scores(scores, gallery_labels, persons, "amax")
    true_score = person.gather(1, probe_labels.long()[:, None])
    return float(((person > true_score).sum(1) < k).double().mean())


def rank_multi_cases(seed: int = 0) -> list[tuple]:
    """(scores (P, G), gallery labels (G,), probe labels (P,), k): random galleries of 8 persons with 1 to 6
    images each, so that ranking images instead of persons, or averaging a person's scores, goes wrong."""
    gen = torch.Generator().manual_seed(seed)
    cases = []
    for k in (1, 2, 3):
        counts = torch.randint(1, 7, (8,), generator=gen)
        gallery = torch.repeat_interleave(torch.arange(8), counts)
        gallery = gallery[torch.randperm(len(gallery), generator=gen)]
        probes = torch.randint(0, 8, (40,), generator=gen)
        cases.append((torch.randn(40, len(gallery), generator=gen), gallery, probes, k))
    return cases


def explain_rank_multi(got, expected, case) -> str | None:
    """Say whether the answer ranked gallery images, or averaged each person's scores, instead of persons
    scored by their best image."""
    scores, gallery, probes, k = case
    try:
        got = float(got)
    except (TypeError, ValueError):
        return None
    true_best = _person_scores(scores, gallery, int(max(gallery.max(), probes.max())) + 1, "amax")
    true_best = true_best.gather(1, probes.long()[:, None])
    by_image = float(((scores.double() > true_best).sum(1) < k).double().mean())
    persons = int(max(gallery.max(), probes.max())) + 1
    mean = _person_scores(scores, gallery, persons, "mean")
    by_mean = float(((mean > mean.gather(1, probes.long()[:, None])).sum(1) < k).double().mean())
    if abs(got - by_image) < 1e-9 and abs(expected - by_image) > 1e-9:
        return "that ranks gallery images: a person with several close images takes several of the k places"
    if abs(got - by_mean) < 1e-9 and abs(expected - by_mean) > 1e-9:
        return "that averages each person's scores; here a person counts with their best-matching image"
    return None


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
    """Wrap ``loss(features, *rest)`` (e.g. ``(features, labels, centres)`` or ``(embeddings, labels,
    margin)``) so it returns its value and its gradient w.r.t. the first argument, flattened into one tensor
    (the checker compares both)."""

    def run(features, *rest):
        features = features.clone().requires_grad_(True)
        value = loss(features, *rest)
        return torch.cat([value.reshape(1), torch.autograd.grad(value, features)[0].flatten()])

    return run


# ------------------------------------------------------------------- exercise 5: batch-hard triplet loss


def _batch_hard(embeddings, labels, margin, squared=True, hardest=True, reduce="mean", own_class=False):
    """The batch-hard triplet loss and the variants a learner may write by mistake (for explain)."""
    distance = (embeddings[:, None] - embeddings[None]).pow(2).sum(-1)  # (B, B) squared distances
    if not squared:
        distance = (distance + 1e-12).sqrt()
    same = labels[:, None] == labels[None]
    others = ~same if hardest else ~same | torch.eye(len(labels), dtype=torch.bool)  # the easiest: not itself
    if hardest:
        positive = distance.masked_fill(others, -math.inf).amax(1)
        negative = (distance if own_class else distance.masked_fill(same, math.inf)).amin(1)
    else:
        positive = distance.masked_fill(others, math.inf).amin(1)
        negative = distance.masked_fill(same, -math.inf).amax(1)
    loss = (positive - negative + margin).clamp(min=0)
    return loss.mean() if reduce == "mean" else loss.sum()


def batch_hard_reference(embeddings: torch.Tensor, labels: torch.Tensor, margin: float) -> torch.Tensor:
    """Hermans et al. (2017), with the squared distances of the notebook's Step 4: each embedding is an
    anchor with its farthest same-label embedding and its nearest other-label one; mean over anchors of
    [d(a, p) - d(a, n) + margin]_+. embeddings (B, d), labels (B,), every label at least twice."""
    return _batch_hard(embeddings, labels, margin)


def batch_hard_cases(seed: int = 0) -> list[tuple]:
    """(embeddings (B, 4) float64, labels (B,), margin): B = 6, 12, 16 with every label at least twice, the
    embeddings spread about one centre per label so that some anchors meet the margin and some do not."""
    gen = torch.Generator().manual_seed(seed)
    cases = []
    for classes, per, margin in ((3, 2, 1.0), (4, 3, 0.5), (4, 4, 2.0)):
        labels = torch.arange(classes).repeat_interleave(per)
        labels = labels[torch.randperm(len(labels), generator=gen)]
        centres = 2 * torch.randn(classes, 4, generator=gen, dtype=torch.float64)  # some anchors satisfied
        embeddings = centres[labels] + torch.randn(len(labels), 4, generator=gen, dtype=torch.float64)
        cases.append((embeddings, labels, margin))
    return cases


def explain_batch_hard(got, expected, case) -> str | None:
    """Compare the loss value (first entry) with the usual slips: distances not squared, the easiest pairs,
    a sum over anchors, negatives that include the anchor's own label."""
    embeddings, labels, margin = case
    if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        return None
    value, want = float(got[0].detach()), float(expected[0].detach())
    slips = {
        "the distances are not squared (Step 4's triplet loss uses squared distances)": {"squared": False},
        "that picks the easiest positive and negative, not the hardest": {"hardest": False},
        "that sums over the anchors; take the mean": {"reduce": "sum"},
        "the negatives include embeddings of the anchor's own label": {"own_class": True},
    }
    for message, change in slips.items():
        slip = float(_batch_hard(embeddings, labels, margin, **change))
        if abs(value - slip) < 1e-9 and abs(want - slip) > 1e-9:
            return message
    if abs(value - want) < 1e-9:
        return "the loss is right but its gradient is off: is something detached or computed in NumPy?"
    return None


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
