"""Notebook 08's exercise checkers accept right answers and reject typical wrong ones with a message."""

import torch

from helpers.exercises import check_answer
from helpers.exercises import face_system as ex


def box_iou(a, b):
    top_left = torch.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = (bottom_right - top_left).clamp(min=0).prod(-1)
    area = lambda x: (x[:, 2:] - x[:, :2]).clamp(min=0).prod(-1)
    return inter / (area(a)[:, None] + area(b)[None, :] - inter)


def nms_fixed(boxes, scores, iou_threshold):
    order = torch.sort(scores, descending=True, stable=True).indices
    keep = []
    for i in order.tolist():
        if not keep or box_iou(boxes[i : i + 1], boxes[keep]).max().item() <= iou_threshold:
            keep.append(i)
    return torch.tensor(keep, dtype=torch.long)


def nms_planted_bug(boxes, scores, iou_threshold):
    order = torch.sort(scores, descending=True, stable=True).indices
    keep = []
    for i in order.tolist():
        if not keep or box_iou(boxes[i : i + 1], boxes[keep[-1] : keep[-1] + 1]).item() <= iou_threshold:
            keep.append(i)
    return torch.tensor(keep, dtype=torch.long)


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


def test_nms_checker_accepts_the_fix_and_explains_the_planted_bug(capsys):
    cases = ex.nms_cases(0)
    assert check_answer("nms", nms_fixed, ex.nms_reference, cases, explain=ex.explain_nms)
    assert not check_answer("nms", nms_planted_bug, ex.nms_reference, cases, explain=ex.explain_nms)
    assert "too many" in capsys.readouterr().out
    ascending = lambda b, s, t: nms_fixed(b, -s, t)
    assert not check_answer("nms", ascending, ex.nms_reference, cases, explain=ex.explain_nms)
    assert "highest-scoring" in capsys.readouterr().out


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
    curve = {1: 0.3, 2: 0.5, 3: 0.45, 4: 0.62, 5: 0.6, 6: 0.7}
    rank1_with = curve.__getitem__
    assert ex.check_enrolment_count(lambda: 4, rank1_with, 0.6, 6)
    out = capsys.readouterr().out
    assert out.startswith("✓") and "4" not in out, "the ✓ line does not give the answer away"
    assert not ex.check_enrolment_count(lambda: 3, rank1_with, 0.6, 6)
    assert "below the target" in capsys.readouterr().out
    assert not ex.check_enrolment_count(lambda: 6, rank1_with, 0.6, 6)
    assert "fewer images" in capsys.readouterr().out
    assert not ex.check_enrolment_count(lambda: 9, rank1_with, 0.6, 6)
    assert "from 1 to 6" in capsys.readouterr().out

    def stub():
        raise NotImplementedError

    assert not ex.check_enrolment_count(stub, rank1_with, 0.6, 6)
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
