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


def test_centre_loss_reference_and_gradient():
    right = lambda x, y, c: 0.5 * (x - c[y]).pow(2).sum(1).mean()
    wrong = lambda x, y, c: (x - c[y]).pow(2).sum(1).mean()  # the ½ missing
    cases = ex.centre_cases(0)
    reference = ex.loss_and_gradient(ex.centre_reference)
    assert check_answer("centre", ex.loss_and_gradient(right), reference, cases)
    assert not check_answer("centre", ex.loss_and_gradient(wrong), reference, cases)
