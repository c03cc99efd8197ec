"""Notebook 07's exercise checkers accept right answers and reject typical wrong ones with a message."""

import math

import pytest
import torch
import torch.nn.functional as F

from helpers.components.margins import margin_logits
from helpers.exercises import check_answer
from helpers.exercises import margins as ex


def easy_margin(cos_theta, labels, s, m, eps=0.0):
    c = cos_theta.gather(1, labels[:, None])
    phi = torch.where(c > 0, torch.cos(torch.acos(c.clamp(-1 + eps, 1 - eps)) + m), c)
    return s * cos_theta.scatter(1, labels[:, None], phi)


def easy_margin_root_form(cos_theta, labels, s, m):
    c = cos_theta.gather(1, labels[:, None])
    shifted = c * math.cos(m) - (1 - c**2).clamp_min(1e-12).sqrt() * math.sin(m)
    return s * cos_theta.scatter(1, labels[:, None], torch.where(c > 0, shifted, c))


@pytest.mark.parametrize("eps", [0.0, 1e-7, 1e-6, 1e-5])
def test_easy_margin_accepts_clamped_and_unclamped_forms(capsys, eps):
    assert ex.check_easy_margin(lambda c, y, s, m: easy_margin(c, y, s, m, eps))
    assert capsys.readouterr().out.startswith("✓")
    assert ex.check_easy_margin(easy_margin_root_form)
    assert capsys.readouterr().out.startswith("✓")


def test_easy_margin_names_slips(capsys):
    def everywhere(c, y, s, m):
        t = torch.cos(torch.acos(c.gather(1, y[:, None]).clamp(-1, 1)) + m)
        return s * c.scatter(1, y[:, None], t)

    def all_classes(c, y, s, m):  # the margin on every entry of the matrix, not only the target
        return torch.where(c > 0, s * torch.cos(torch.acos(c.clamp(-1, 1)) + m), s * c)

    slips = {
        "every target": everywhere,
        "factor s": lambda c, y, s, m: easy_margin(c, y, s, m) / s,
        "default fallback": ex._fallback,
        "no margin": lambda c, y, s, m: s * c,
        "non-target": lambda c, y, s, m: easy_margin(c, y, s, m) + 0.5 * (1 - F.one_hot(y, c.shape[1])),
        "wrong way": lambda c, y, s, m: easy_margin(c, y, s, -m, 1e-7),
        "a non-target logit changed": all_classes,
        "where cos θ ≤ 0": lambda c, y, s, m: (
            easy_margin(c, y, s, m) - s * F.one_hot(y, c.shape[1]) * (c <= 0)
        ),
        "NaN": lambda c, y, s, m: easy_margin(c, y, s, m) * float("nan"),
        "shape": lambda c, y, s, m: easy_margin(c, y, s, m)[:, :-1],
    }
    for words, wrong in slips.items():
        assert not ex.check_easy_margin(wrong)
        out = capsys.readouterr().out
        assert out.startswith("✗") and words in out, (words, out)
    assert not ex.check_easy_margin(lambda *args: 1 / 0)
    assert "raised ZeroDivisionError" in capsys.readouterr().out


def test_min_scale_reference_and_slips(capsys):
    for C, m, p in ex.min_scale_cases():
        s = ex.min_scale_reference(C, m, p)
        assert ex._optimum_probability(s, C, m) == pytest.approx(p, rel=1e-9)

    def right(C, m, p):
        return math.log((C - 1) * p / (1 - p)) / (math.cos(m) + 1 / (C - 1))

    cases = ex.min_scale_cases()
    assert check_answer("s", right, ex.min_scale_reference, cases, rtol=1e-6, explain=ex.explain_min_scale)
    no_margin = lambda C, m, p: (C - 1) / C * math.log((C - 1) * p / (1 - p))
    assert not check_answer(
        "s", no_margin, ex.min_scale_reference, cases, rtol=1e-6, explain=ex.explain_min_scale
    )
    assert "without a margin" in capsys.readouterr().out
    zero_others = lambda C, m, p: math.log((C - 1) * p / (1 - p)) / math.cos(m)
    assert not check_answer(
        "s", zero_others, ex.min_scale_reference, cases, rtol=1e-6, explain=ex.explain_min_scale
    )
    assert "−1/(C − 1)" in capsys.readouterr().out
    with pytest.raises(ValueError):
        ex.min_scale_reference(10, 0.5, 1.0)


def buggy(features, weight, labels, s, m):  # the notebook's colleague_arcface_logits: three bugs
    cos_theta = F.normalize(features, dim=1) @ F.normalize(weight, dim=0).T
    sin_theta = (1 - cos_theta**2).sqrt()
    return s * (cos_theta * math.cos(m) - sin_theta * math.sin(m))


def two_bugs_left(features, weight, labels, s, m):  # the normalisation fixed
    cos_theta = F.normalize(features, dim=1) @ F.normalize(weight, dim=1).T
    sin_theta = (1 - cos_theta**2).sqrt()
    return s * (cos_theta * math.cos(m) - sin_theta * math.sin(m))


def test_easy_margin_predictions_are_judged_without_the_values(capsys):
    at, step, monotonic = ex.easy_margin_curve(ex.easy_margin_reference)
    assert abs(at - 90) < 0.1 and abs(step - math.sin(0.5)) < 5e-3 and monotonic is False
    assert ex.check_easy_margin(ex.easy_margin_reference, 0, 0.48, False)
    out = capsys.readouterr().out
    assert out.count("✓") == 2 and "0.48" not in out
    assert not ex.check_easy_margin(ex.easy_margin_reference, 0, -0.48, False)
    assert "wrong sign" in capsys.readouterr().out
    assert not ex.check_easy_margin(ex.easy_margin_reference, 0, 0.48, True)
    assert "MONOTONIC" in capsys.readouterr().out
    assert not ex.check_easy_margin(ex.easy_margin_reference, 0, None, None)
    assert "before running" in capsys.readouterr().out


def test_debug_checker_names_each_bug(capsys):
    assert not ex.check_fixed_arcface(buggy)
    assert "cosines themselves are off" in capsys.readouterr().out
    assert not ex.check_fixed_arcface(two_bugs_left)
    assert "carry the margin too" in capsys.readouterr().out

    def one_bug_left(features, weight, labels, s, m):
        cos_theta = F.normalize(features, dim=1) @ F.normalize(weight, dim=1).T
        c = cos_theta.gather(1, labels[:, None])
        t = c * math.cos(m) - (1 - c**2).clamp_min(0).sqrt() * math.sin(m)
        return s * cos_theta.scatter(1, labels[:, None], t)

    assert not ex.check_fixed_arcface(one_bug_left)
    assert "not finite" in capsys.readouterr().out

    def fixed(features, weight, labels, s, m):
        cos_theta = F.normalize(features, dim=1) @ F.normalize(weight, dim=1).T
        return margin_logits(cos_theta, labels, s, m2=m)

    assert ex.check_fixed_arcface(fixed)
    assert capsys.readouterr().out.startswith("✓")

    def clamped(eps, sign=1.0):
        def head(features, weight, labels, s, m):
            cos_theta = F.normalize(features, dim=1) @ F.normalize(weight, dim=1).T
            c = cos_theta.gather(1, labels[:, None]).clamp(-1 + eps, 1 - eps)
            return s * cos_theta.scatter(1, labels[:, None], torch.cos(torch.acos(c) + sign * m))

        return head

    for eps in (1e-7, 1e-6, 1e-5):  # any small clamp is a right answer
        assert ex.check_fixed_arcface(clamped(eps))
        assert capsys.readouterr().out.startswith("✓")

    def root_clamped(features, weight, labels, s, m):  # clamping 1 − c² away from 0 instead
        cos_theta = F.normalize(features, dim=1) @ F.normalize(weight, dim=1).T
        c = cos_theta.gather(1, labels[:, None])
        t = c * math.cos(m) - (1 - c**2).clamp_min(1e-12).sqrt() * math.sin(m)
        return s * cos_theta.scatter(1, labels[:, None], t)

    assert ex.check_fixed_arcface(root_clamped)
    assert capsys.readouterr().out.startswith("✓")
    assert not ex.check_fixed_arcface(clamped(1e-7, sign=-1.0))
    assert "cos(θ − m)" in capsys.readouterr().out
    assert not ex.check_fixed_arcface(clamped(0.0))  # arccos at exactly 1: infinite slope
    assert "not finite" in capsys.readouterr().out

    def stub(*args):
        raise NotImplementedError

    assert not ex.check_fixed_arcface(stub)
    assert "not attempted" in capsys.readouterr().out


def share_above(embeddings, labels, threshold):
    cos = embeddings @ embeddings.T
    impostor = torch.ones_like(cos, dtype=torch.bool).triu(1) & (labels[:, None] != labels[None, :])
    return (cos[impostor] > threshold).double().mean().item()


def test_impostor_share_reference_matches_a_double_loop():
    for emb, labels, threshold in ex.impostor_share_cases(0):
        rows, hits, total = emb.tolist(), 0, 0
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                if labels[i] != labels[j]:
                    total += 1
                    hits += sum(a * b for a, b in zip(rows[i], rows[j])) > threshold
        assert ex.impostor_share_reference(emb, labels, threshold) == pytest.approx(hits / total)


def test_tail_share_checker_needs_a_prediction_and_names_slips(capsys):
    emb, labels, _ = ex.impostor_share_cases(1)[-1]
    threshold = 0.999  # no random pair in 8-d is that close: share 0, so "below" holds
    assert not ex.check_tail_share(share_above, None, emb, labels, threshold)
    assert "commit to a prediction" in capsys.readouterr().out
    assert ex.check_tail_share(share_above, "below", emb, labels, threshold)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(line.startswith("✓") for line in out)
    assert not ex.check_tail_share(share_above, "above", emb, labels, threshold)
    assert "did not hold" in capsys.readouterr().out

    def with_genuine(e, y, t):
        cos = e @ e.T
        return (cos[torch.ones_like(cos, dtype=torch.bool).triu(1)] > t).double().mean().item()

    slips = {
        "a count": lambda e, y, t: share_above(e, y, t) * ex._impostor_cosines(e, y).numel(),
        "below the threshold": lambda e, y, t: 1 - share_above(e, y, t),
        "genuine pairs": with_genuine,
    }
    for words, wrong in slips.items():
        assert not ex.check_tail_share(wrong, "below", emb, labels, threshold)
        assert words in capsys.readouterr().out, words


def test_min_scale_checker_needs_a_prediction_and_compares_it(capsys):
    def right(C, m, p):
        return math.log((C - 1) * p / (1 - p)) / (math.cos(m) + 1 / (C - 1))

    for missing in (None, "7", True, -1.0):
        assert not ex.check_min_scale(right, missing)
        assert "commit to a prediction" in capsys.readouterr().out
    value = ex.min_scale_reference(*ex.PREDICTION_CASE)
    assert ex.check_min_scale(right, round(value, 1))
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(line.startswith("✓") for line in out)
    assert not ex.check_min_scale(right, 4.0)  # far off: the function is right, the prediction is not
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("✓") and out[1].startswith("✗") and "off" in out[1]
    assert not ex.check_min_scale(lambda C, m, p: 1.0, value)
    assert "too small" in capsys.readouterr().out


def test_easy_margin_jump_tolerates_a_rounded_prediction_and_names_the_sign(capsys):
    assert ex.check_easy_margin(ex.easy_margin_reference, 0, 0.5, False), "sin 0.5 ≈ 0.479, rounded to 0.5"
    capsys.readouterr()
    assert not ex.check_easy_margin(ex.easy_margin_reference, 0, -0.5, False)
    assert "wrong sign" in capsys.readouterr().out
    assert not ex.check_easy_margin(ex.easy_margin_reference, 0, 1.0, False)
    assert "more than" in capsys.readouterr().out


def test_debug_checker_names_a_missing_scale(capsys):
    def unscaled(features, weight, labels, s, m):
        return margin_logits(F.normalize(features, dim=1) @ F.normalize(weight, dim=1).T, labels, s, m2=m) / s

    assert not ex.check_fixed_arcface(unscaled)
    assert "multiplied by s" in capsys.readouterr().out
