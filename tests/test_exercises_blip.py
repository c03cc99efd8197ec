"""helpers/exercises/blip.py: the checkers of notebook 11's exercises accept right answers (also ones written
differently from the notebook's solutions) and reject typical wrong ones with a message that says what is
wrong without giving the answer."""

import math

import torch

from helpers.exercises import blip as ex


# ------------------------------------------------------------------ exercise 1: chance level of the ITM loss
def entropy_answer(k):
    """A right answer: the entropy of the label share, 1/(k+1) positives."""
    share = 1 / (k + 1)
    return -(share * math.log(share) + (1 - share) * math.log(1 - share))


def test_chance_loss_reference_is_log_2_for_balanced_pairs():
    assert math.isclose(ex.chance_itm_loss_reference(1), math.log(2), rel_tol=1e-9)
    assert math.isclose(ex.chance_itm_loss_reference(2), entropy_answer(2), rel_tol=1e-9)


def test_chance_loss_accepts_other_forms(capsys):
    assert ex.check_chance_itm_loss(entropy_answer)
    assert ex.check_chance_itm_loss(lambda k: torch.tensor(math.log(k + 1) - k / (k + 1) * math.log(k)))
    assert "correct on all 4 cases" in capsys.readouterr().out


def test_chance_loss_rejects_log_2_everywhere_and_says_why(capsys):
    assert not ex.check_chance_itm_loss(lambda k: math.log(2))  # ignores the class ratio
    out = capsys.readouterr().out
    assert "case 2 (2)" in out and "can reach a lower loss" in out
    assert not ex.check_chance_itm_loss(lambda k: math.log(k + 1) - 1.0)  # below any constant head
    assert "lower than any head" in capsys.readouterr().out
    assert not ex.check_chance_itm_loss(lambda k: "0.64")
    assert "one number" in capsys.readouterr().out


# ---------------------------------------------------------------------- exercise 2: debug the mining weights
def fixed_weights(similarity, same, floor):
    banned = same | torch.eye(len(similarity), dtype=torch.bool)
    return (torch.softmax(similarity, dim=1) + floor).masked_fill(banned, 0.0)


def buggy_weights(similarity, same, floor):
    """The exercise's planted version: mask before the softmax (with 0, not −∞), floor added last."""
    weights = torch.softmax(similarity.masked_fill(same, 0.0), dim=1)
    weights.fill_diagonal_(0.0)
    return weights + floor


def test_mining_weights_accepts_fixes_in_other_forms():
    assert ex.check_mining_weights(fixed_weights)

    def scaled_exp(similarity, same, floor):  # exp(S) + floor·Σexp(S): the same proportions, unnormalised
        shifted = similarity - similarity.max(dim=1, keepdim=True).values
        weights = shifted.exp() + floor * shifted.exp().sum(dim=1, keepdim=True)
        weights[same | torch.eye(len(similarity), dtype=torch.bool)] = 0
        return 3.0 * weights

    assert ex.check_mining_weights(scaled_exp)


def test_mining_weights_rejects_the_planted_bugs_one_by_one(capsys):
    assert not ex.check_mining_weights(buggy_weights)
    assert "banned column" in capsys.readouterr().out

    def half_fixed(similarity, same, floor):  # floor now before the mask, but the early masked_fill stays
        banned = same | torch.eye(len(similarity), dtype=torch.bool)
        return (torch.softmax(similarity.masked_fill(same, 0.0), dim=1) + floor).masked_fill(banned, 0.0)

    assert not ex.check_mining_weights(half_fixed)
    out = capsys.readouterr().out
    assert "proportions" in out and "case 2" in out
    assert not ex.check_mining_weights(lambda s, same, floor: torch.ones(2))
    assert "shape" in capsys.readouterr().out


# ------------------------------------------------------------------ exercise 3: design the filter threshold
def sorted_answer(p_right, keep):
    ranked = p_right.sort(descending=True).values
    return ranked[math.ceil(keep * len(ranked) - 1e-9) - 1].item()


def test_threshold_accepts_any_value_in_the_right_interval():
    scores = torch.rand(400, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    cases = ex.threshold_cases(scores)
    assert ex.check_threshold(sorted_answer, cases)

    def just_below_next(p_right, keep):  # also right: anything above the next lower score
        t = sorted_answer(p_right, keep)
        lower = p_right[p_right < t]
        return (t + lower.max().item()) / 2 + 1e-12 if len(lower) else t

    assert ex.check_threshold(just_below_next, cases)


def test_threshold_rejects_too_high_and_too_low(capsys):
    scores = torch.rand(400, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    cases = ex.threshold_cases(scores)
    assert not ex.check_threshold(lambda p, keep: torch.quantile(p, keep).item(), cases)  # the wrong tail
    assert "removes too many right captions" in capsys.readouterr().out
    assert not ex.check_threshold(lambda p, keep: 0.0, cases)
    assert "a higher threshold would still keep enough" in capsys.readouterr().out
    assert not ex.check_threshold(lambda p, keep: None, cases)
    assert "one number" in capsys.readouterr().out


def test_chance_itm_loss_echoes_a_prediction_only_when_right(capsys):
    right = ex.chance_itm_loss_reference
    assert ex.check_chance_itm_loss(right, prediction=0.6)
    assert "your prediction for k = 2: 0.6 nats" in capsys.readouterr().out
    assert not ex.check_chance_itm_loss(lambda k: math.log(2), prediction=0.6)
    assert "your prediction" not in capsys.readouterr().out
