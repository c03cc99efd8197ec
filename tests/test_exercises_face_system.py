"""Notebook 08's exercise checkers accept right answers and reject typical wrong ones with a message."""

import numpy as np
import pytest
import torch

from helpers.exercises import check_answer
from helpers.exercises import face_system as ex


def box_iou(a, b):
    top_left = torch.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = (bottom_right - top_left).clamp(min=0).prod(-1)
    area = lambda x: (x[:, 2:] - x[:, :2]).clamp(min=0).prod(-1)
    return inter / (area(a)[:, None] + area(b)[None, :] - inter)


def soft_nms_to_fix(boxes, scores, iou_threshold, score_threshold):  # the notebook's planted bug
    scores = scores.clone()
    order = torch.sort(scores, descending=True, stable=True).indices.tolist()
    keep = []
    for position, i in enumerate(order):
        if scores[i] < score_threshold:
            continue
        keep.append(i)
        rest = torch.tensor(order[position + 1 :], dtype=torch.long)
        overlap = box_iou(boxes[i : i + 1], boxes[rest])[0]
        scores[rest] = torch.where(overlap > iou_threshold, scores[rest] * (1 - overlap), scores[rest])
    keep = torch.tensor(keep, dtype=torch.long)
    return keep, scores[keep]


def soft_nms_fixed(boxes, scores, iou_threshold, score_threshold):
    scores = scores.clone()
    alive = scores >= score_threshold
    keep = []
    while alive.any():
        i = int(torch.where(alive, scores, -torch.inf).argmax())
        keep.append(i)
        alive[i] = False
        overlap = box_iou(boxes[i : i + 1], boxes)[0]
        decay = alive & (overlap > iou_threshold)
        scores[decay] = scores[decay] * (1 - overlap[decay])
        alive &= scores >= score_threshold
    keep = torch.tensor(keep, dtype=torch.long)
    return keep, scores[keep]


def giou_tensor(a, b):
    inter = (torch.minimum(a[:, 2:], b[:, 2:]) - torch.maximum(a[:, :2], b[:, :2])).clamp(min=0).prod(1)
    area = lambda x: (x[:, 2:] - x[:, :2]).prod(1)
    union = area(a) + area(b) - inter
    hull = (torch.maximum(a[:, 2:], b[:, 2:]) - torch.minimum(a[:, :2], b[:, :2])).prod(1)
    return inter / union - (hull - union) / hull


RIGHT_PREDICTIONS = {"touching": 0.0, "nested": 0.04, "lower": "last", "iou_loss_moves_box": False}


def test_giou_checker_judges_code_predictions_and_the_loss(capsys):
    assert ex.regress_box(ex._iou_tensor) == (0.0, 0.0), "1 − IoU has no gradient for a disjoint box"
    assert ex.regress_box(giou_tensor)[0] > 0.9
    assert ex.check_giou(giou_tensor, RIGHT_PREDICTIONS)
    out = capsys.readouterr().out
    assert out.count("✓") == 3 and "0.04" not in out
    assert not ex.check_giou(giou_tensor, {**RIGHT_PREDICTIONS, "iou_loss_moves_box": True, "touching": 0.2})
    out = capsys.readouterr().out
    assert "✗ predictions" in out and "iou_loss_moves_box" in out and "touching" in out
    assert not ex.check_giou(giou_tensor, {**RIGHT_PREDICTIONS, "nested": None})
    assert "fill in" in capsys.readouterr().out
    assert not ex.check_giou(ex._iou_tensor, RIGHT_PREDICTIONS)
    assert "plain IoU" in capsys.readouterr().out
    assert not ex.check_giou(lambda a, b: giou_tensor(a, b).detach(), RIGHT_PREDICTIONS)
    assert "no gradient" in capsys.readouterr().out


def test_iou_reference_on_known_values():
    got = [ex.iou_reference(a, b) for a, b in ex.box_cases()[:4]]
    assert abs(got[0] - 25 / 175) < 1e-12 and got[1] == 0 and abs(got[2] - 0.04) < 1e-12 and got[3] == 0


def giou_pair(a, b):
    inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
    area = lambda box: (box[2] - box[0]) * (box[3] - box[1])
    union = area(a) + area(b) - inter
    hull = (max(a[2], b[2]) - min(a[0], b[0])) * (max(a[3], b[3]) - min(a[1], b[1]))
    return inter / union - (hull - union) / hull


def test_giou_reference_known_values_and_checker_messages(capsys):
    cases = ex.box_cases()
    got = [ex.giou_reference(a, b) for a, b in cases]
    # disjoint: the hull is 30 x 30 and the union 200; nested: GIoU = IoU; touching: the hull is the union
    assert abs(got[1] - (0 - 700 / 900)) < 1e-12 and abs(got[2] - 0.04) < 1e-12 and got[3] == 0
    assert got[5] < got[1] < 0, "farther apart, more negative"
    assert check_answer("giou", giou_pair, ex.giou_reference, cases, explain=ex.explain_giou)
    assert not check_answer("giou", ex.iou_reference, ex.giou_reference, cases, explain=ex.explain_giou)
    assert "plain IoU" in capsys.readouterr().out
    flipped = lambda a, b: 2 * ex.iou_reference(a, b) - giou_pair(a, b)
    assert not check_answer("giou", flipped, ex.giou_reference, cases, explain=ex.explain_giou)
    assert "wrong sign" in capsys.readouterr().out


def test_soft_nms_checker_accepts_the_fix_and_explains_the_planted_bug(capsys):
    chain = ex.soft_nms_cases(0)[0]
    kept, final = ex.soft_nms_reference(*chain)
    assert kept.tolist() == [0, 2, 1] and abs(float(final[1]) - 0.8) < 1e-6, "the far end keeps its score"
    assert soft_nms_to_fix(*chain)[0].tolist() == [0, 1, 2], "the bug picks the decayed middle box first"
    assert ex.check_soft_nms(soft_nms_fixed)
    assert not ex.check_soft_nms(soft_nms_to_fix)
    assert "order differ" in capsys.readouterr().out

    def original_scores(boxes, scores, iou_threshold, score_threshold):
        kept, _ = soft_nms_fixed(boxes, scores, iou_threshold, score_threshold)
        return kept, scores[kept]

    assert not ex.check_soft_nms(original_scores)
    assert "not the decayed ones" in capsys.readouterr().out

    def rescaled(boxes, scores, iou_threshold, score_threshold):
        kept, final = soft_nms_fixed(boxes, scores, iou_threshold, score_threshold)
        return kept, final * 0.99

    assert not ex.check_soft_nms(rescaled)
    assert "final scores differ" in capsys.readouterr().out
    assert not ex.check_soft_nms(lambda b, s, t, u: soft_nms_fixed(b, s, t, u)[0])
    assert "tuple" in capsys.readouterr().out


def test_rank_reference_counts_ties_for_the_probe():
    scores = torch.tensor([[0.9, 0.9, 0.1], [0.2, 0.8, 0.5]])
    assert ex.rank_reference(scores, torch.tensor([1, 0]), 1) == 0.5
    assert ex.rank_reference(scores, torch.tensor([1, 0]), 3) == 1.0
    assert len(ex.rank_cases(0)) == 3


def rank_by_person(scores, gallery_labels, probe_labels, k):
    persons = int(max(gallery_labels.max(), probe_labels.max())) + 1
    best = torch.full((len(scores), persons), -float("inf"))
    for person in range(persons):
        if (gallery_labels == person).any():
            best[:, person] = scores[:, gallery_labels == person].max(1).values
    true_score = best.gather(1, probe_labels[:, None])
    return ((best > true_score).sum(1) < k).double().mean().item()


def test_rank_multi_reference_and_checker(capsys):
    # person 0 has images 0 and 1, person 1 image 2; the probe is person 1
    scores = torch.tensor([[0.9, 0.8, 0.7]])
    gallery, probe = torch.tensor([0, 0, 1]), torch.tensor([1])
    assert ex.rank_multi_reference(scores, gallery, probe, 1) == 0.0
    assert ex.rank_multi_reference(scores, gallery, probe, 2) == 1.0, "rank 2 among persons, 3 among images"
    cases = ex.rank_multi_cases(0)
    explain = ex.explain_rank_multi
    assert check_answer("rank", rank_by_person, ex.rank_multi_reference, cases, explain=explain)
    by_image = lambda s, g, p, k: (g[s.topk(k, 1).indices] == p[:, None]).any(1).double().mean().item()
    assert not check_answer("rank", by_image, ex.rank_multi_reference, cases, explain=explain)
    assert "ranks gallery images" in capsys.readouterr().out


def test_enrolment_checker(capsys):
    rates = {1: 0.4, 2: 0.62, 3: 0.7, 4: 0.8, 5: 0.82}
    named = {c: torch.arange(100) < 100 * r for c, r in rates.items()}  # exact rates over 100 faces
    named_with = named.__getitem__
    want = ex.enrolment_count_reference(named_with, 0.66, 5)
    assert want == 4, "3 reaches 0.7 but 0.7 − 0.046 < 0.66"
    right = ex.enrolment_count_reference
    assert ex.check_enrolment_count(right, named_with, 0.66, 5, 4)
    out = capsys.readouterr().out
    assert out.count("✓") == 2 and "4" not in out, "the ✓ lines do not give the answer away"
    assert ex.check_enrolment_count(right, named_with, 0.66, 5, 1), (
        "a missed prediction is reported, not failed"
    )
    assert "off by more than one" in capsys.readouterr().out
    assert not ex.check_enrolment_count(lambda *a: 4, named_with, 0.66, 5, 4)
    assert "made-up system" in capsys.readouterr().out, "a typed-in count fails on the made-up systems"
    no_error = lambda s, t, m: next((c for c in range(1, m + 1) if np.mean(s(c)) >= t), None)
    assert not ex.check_enrolment_count(no_error, named_with, 0.66, 5, 4)
    assert "standard error" in capsys.readouterr().out
    never_none = lambda system, target, most: ex.enrolment_count_reference(system, target, most) or most
    assert not ex.check_enrolment_count(never_none, named_with, 0.66, 5, 4)
    assert "no count reaches the target" in capsys.readouterr().out
    unreachable = ex.check_enrolment_count(right, named_with, 0.99, 5, 4)
    assert unreachable and "nothing to compare" in capsys.readouterr().out
    assert not ex.check_enrolment_count(right, named_with, 0.66, 5, None)
    assert "PREDICTED_COUNT" in capsys.readouterr().out

    def stub(*args):
        raise NotImplementedError

    assert not ex.check_enrolment_count(stub, named_with, 0.66, 5, 4)
    assert "not attempted" in capsys.readouterr().out


def batch_hard(embeddings, labels, margin):
    distance = torch.cdist(embeddings, embeddings).pow(2)
    same = labels[:, None] == labels[None]
    positive = torch.where(same, distance, torch.zeros_like(distance)).max(1).values
    negative = torch.where(same, torch.full_like(distance, float("inf")), distance).min(1).values
    return torch.relu(positive - negative + margin).mean()


def test_batch_hard_reference_matches_pytorch_metric_learning():
    from pytorch_metric_learning import distances, losses, miners, reducers

    squared = distances.LpDistance(normalize_embeddings=False, p=2, power=2)
    for embeddings, labels, margin in ex.batch_hard_cases(0):
        triplets = miners.BatchHardMiner(distance=squared)(embeddings, labels)
        library = losses.TripletMarginLoss(margin=margin, distance=squared, reducer=reducers.MeanReducer())
        assert torch.allclose(
            library(embeddings, labels, triplets), ex.batch_hard_reference(embeddings, labels, margin)
        )


def test_batch_hard_checker_accepts_a_right_answer_and_names_slips(capsys):
    cases, reference = ex.batch_hard_cases(0), ex.loss_and_gradient(ex.batch_hard_reference)
    run = lambda loss: check_answer(
        "batch hard", ex.loss_and_gradient(loss), reference, cases, explain=ex.explain_batch_hard
    )
    assert run(batch_hard)
    assert not run(lambda e, y, m: batch_hard(e, y, m) * len(y))
    assert "sums over the anchors" in capsys.readouterr().out
    assert not run(lambda e, y, m: ex._batch_hard(e, y, m, squared=False))
    assert "not squared" in capsys.readouterr().out
    assert not run(lambda e, y, m: ex._batch_hard(e, y, m, hardest=False))
    assert "easiest" in capsys.readouterr().out


def test_centre_loss_reference_and_gradient():
    right = lambda x, y, c: 0.5 * (x - c[y]).pow(2).sum(1).mean()
    wrong = lambda x, y, c: (x - c[y]).pow(2).sum(1).mean()  # the ½ missing
    cases = ex.centre_cases(0)
    reference = ex.loss_and_gradient(ex.centre_reference)
    assert check_answer("centre", ex.loss_and_gradient(right), reference, cases)
    assert not check_answer("centre", ex.loss_and_gradient(wrong), reference, cases)


def _fusion_case(max_hits):
    """A system case in which max fusion names exactly the probes where max_hits is True."""
    persons = 4
    probe_labels = torch.arange(len(max_hits)) % persons
    gallery_labels = torch.arange(persons).repeat_interleave(2)  # two images per person
    scores = torch.zeros(len(max_hits), len(gallery_labels))
    for i, (person, hit) in enumerate(zip(probe_labels.tolist(), max_hits)):
        scores[i, 2 * (person if hit else (person + 1) % persons)] = 1.0
    return scores, gallery_labels, probe_labels, 1


def test_fusion_prediction_is_judged_without_the_values(capsys):
    max_hits = torch.ones(100, dtype=torch.bool)  # max fusion names every probe, the mean only 30
    mean_named = torch.arange(100) < 30
    case = _fusion_case(max_hits)
    assert ex.rank_multi_reference(*case) == 1.0
    assert ex.check_fusion_prediction(True, 1.0, case, mean_named)
    out = capsys.readouterr().out
    assert out.startswith("✓") and "0.3" not in out
    assert not ex.check_fusion_prediction(False, 1.0, case, mean_named)
    assert "not what your function measures" in capsys.readouterr().out
    assert not ex.check_fusion_prediction(None, 1.0, case, mean_named)
    assert "before running" in capsys.readouterr().out


def test_fusion_prediction_uses_the_paired_standard_error(capsys):
    # 0.0125 apart over 800 probes: two independent samples would put one standard error near 0.020, but
    # when the methods disagree on 10 probes only, all one way, the paired one is 0.0039 and the run decides
    mean_named = torch.arange(800) % 5 != 0  # 0.8
    max_hits = mean_named.clone()
    max_hits[torch.nonzero(~mean_named).flatten()[:10]] = True
    case = _fusion_case(max_hits)
    assert ex.check_fusion_prediction(True, ex.rank_multi_reference(*case), case, mean_named)
    assert not ex.check_fusion_prediction(False, ex.rank_multi_reference(*case), case, mean_named)
    capsys.readouterr()
    # disagreeing on 20 probes, 10 each way: no difference, either answer accepted
    max_hits = mean_named.clone()
    max_hits[torch.nonzero(~mean_named).flatten()[:10]] = True
    max_hits[torch.nonzero(mean_named).flatten()[:10]] = False
    case = _fusion_case(max_hits)
    for predicted in (True, False):
        assert ex.check_fusion_prediction(predicted, ex.rank_multi_reference(*case), case, mean_named)
        assert "accepted either way" in capsys.readouterr().out
    assert not ex.check_fusion_prediction(None, 0.8, case, mean_named)  # still asks for a prediction
    with pytest.raises(ValueError, match="mean_named"):
        ex.check_fusion_prediction(True, 0.8, case, mean_named[:5])


def test_enrolment_checker_accepts_numpy_integers(capsys):
    named = {c: torch.arange(100) < 100 * r for c, r in {1: 0.4, 2: 0.62, 3: 0.7, 4: 0.8, 5: 0.82}.items()}

    def as_numpy(system, target, most):
        count = ex.enrolment_count_reference(system, target, most)
        return None if count is None else np.int64(count)

    assert ex.check_enrolment_count(as_numpy, named.__getitem__, 0.66, 5, np.int64(4))
    assert capsys.readouterr().out.count("✓") == 2
