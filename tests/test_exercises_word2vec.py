"""helpers/exercises/word2vec.py: the references of notebook 02's exercises accept right answers (also ones
written differently from the notebook's solutions) and, through check_answer, reject typical wrong ones with a
message that names the failing case."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from gensim.models import KeyedVectors

from helpers.exercises import check_answer
from helpers.exercises import word2vec as ex


# ------------------------------------------------------------------ exercise 1: the subsampling threshold
def check_threshold(threshold_for_keep):
    return check_answer(
        "threshold",
        lambda f, p: ex.keep_share(f, threshold_for_keep(f, p)),
        ex.wanted_share,
        ex.THRESHOLD_CASES,
    )


def threshold_by_bisection(f, p):
    """Another right answer: search t until the keep rule gives p (the share grows with t)."""
    low, high = 1e-30, f
    for _ in range(200):
        middle = math.sqrt(low * high)
        low, high = (middle, high) if ex.keep_share(f, middle) < p else (low, middle)
    return math.sqrt(low * high)


def test_keep_share_is_the_keep_rule():
    assert ex.keep_share(0.01, 0.01) == 1.0  # f = t: √1 + 1 ≥ 1
    assert math.isclose(ex.keep_share(0.04, 0.01), 0.5 + 0.25)
    assert math.isclose(ex.keep_share(0.04, torch.tensor(0.01)), 0.75, rel_tol=1e-6)  # a 0-d float32 tensor
    for bad in (-1e-3, 0.0, float("nan"), "0.01", None, [0.01, 0.02]):
        assert math.isnan(ex.keep_share(0.04, bad))
    with pytest.raises(ValueError):
        ex.keep_share(0.0, 0.01)


def test_threshold_accepts_right_answers_written_two_ways():
    assert check_threshold(lambda f, p: f * ((math.sqrt(1 + 4 * p) - 1) / 2) ** 2)
    assert check_threshold(threshold_by_bisection)
    assert check_threshold(
        lambda f, p: np.float32(f) * ((np.sqrt(1 + 4 * p) - 1) / 2) ** 2
    )  # float32 is close


def test_threshold_rejects_typical_mistakes(capsys):
    assert not check_threshold(lambda f, p: f * p**2)  # forgot the t/f term of the rule
    assert "case 1 (0.126, 0.1): the value is off" in capsys.readouterr().out
    assert not check_threshold(lambda f, p: f * ((-math.sqrt(1 + 4 * p) - 1) / 2) ** 2)  # the other root
    assert "the value is off" in capsys.readouterr().out
    assert not check_threshold(lambda f, p: -1.0)
    assert "case 1" in capsys.readouterr().out


# --------------------------------------------------------------------- exercise 2: pairs of one sentence
def pairs_closed_form(n, window):
    return sum(2 * (n - d) * (window - d + 1) / window for d in range(1, min(window, n - 1) + 1))


def pairs_by_centre(n, window):
    """Another right answer: sum over centres of the expected number of neighbours within the drawn reach."""
    return sum(np.mean([min(r, i) + min(r, n - 1 - i) for r in range(1, window + 1)]) for i in range(n))


def test_expected_pairs_reference_matches_simulation():
    rng = np.random.default_rng(0)
    n, window = 8, 5
    counts = []
    for _ in range(20_000):
        reach = rng.integers(1, window + 1, n)
        counts.append(sum(min(r, i) + min(r, n - 1 - i) for i, r in enumerate(reach)))
    assert abs(np.mean(counts) - ex.expected_pairs_reference(n, window)) < 0.1
    assert ex.expected_pairs_reference(1, 5) == 0.0


def test_expected_pairs_accepts_right_answers():
    for answer in (pairs_closed_form, pairs_by_centre):
        assert check_answer("pairs", answer, ex.expected_pairs_reference, ex.PAIR_CASES)


def test_expected_pairs_rejects_typical_mistakes(capsys):
    full_window = lambda n, window: sum(2 * (n - d) for d in range(1, min(window, n - 1) + 1))
    assert not check_answer("pairs", full_window, ex.expected_pairs_reference, ex.PAIR_CASES)
    assert (
        "case 3 (3, 5): the value is off" in capsys.readouterr().out
    )  # cases 1, 2 hide it (n ≤ 2, window 1)
    one_side = lambda n, window: pairs_closed_form(n, window) / 2
    assert not check_answer("pairs", one_side, ex.expected_pairs_reference, ex.PAIR_CASES)
    assert "case 2 (2, 1)" in capsys.readouterr().out


# ------------------------------------------------------------------ exercise 3: hierarchical softmax
def hs_by_hand(v, inner, code, point):
    signs = 1 - 2 * torch.tensor(code, dtype=v.dtype)
    nodes = inner[point]
    slope = -signs * torch.sigmoid(-signs * (nodes @ v))
    grad_inner = torch.zeros_like(inner)
    grad_inner[point] = slope[:, None] * v
    return slope @ nodes, grad_inner


def hs_by_loop(v, inner, code, point):
    """Another right answer: one node at a time, with 1 − σ(x) for a left turn and −σ(x) for a right turn."""
    grad_v, grad_inner = torch.zeros_like(v), torch.zeros_like(inner)
    for bit, node in zip(code, point):
        x = inner[node] @ v
        weight = -(1 - torch.sigmoid(x)) if bit == 0 else torch.sigmoid(x)
        grad_v += weight * inner[node]
        grad_inner[node] += weight * v
    return grad_v, grad_inner


def check_hs(fn):
    cases = ex.hs_cases()
    return check_answer("dv", lambda *c: fn(*c)[0], ex.hs_gradient_center, cases) and check_answer(
        "dinner", lambda *c: fn(*c)[1], ex.hs_gradient_nodes, cases
    )


def test_hs_references_are_the_gradient_of_minus_log_p():
    v, inner, code, point = ex.hs_cases()[2]
    log_p = F.logsigmoid((1 - 2 * torch.tensor(code, dtype=v.dtype)) * (inner[point] @ v)).sum()
    assert torch.isclose(-log_p, ex._hs_loss(v, inner, code, point))
    untouched = [row for row in range(len(inner)) if row not in point]
    assert torch.all(ex.hs_gradient_nodes(v, inner, code, point)[untouched] == 0)


def test_hs_accepts_right_answers():
    assert check_hs(hs_by_hand)
    assert check_hs(hs_by_loop)


def test_hs_rejects_typical_mistakes(capsys):
    flipped = lambda v, inner, code, point: tuple(-g for g in hs_by_hand(v, inner, code, point))
    assert not check_hs(flipped)
    assert "dv: case 1" in capsys.readouterr().out
    no_signs = lambda v, inner, code, point: hs_by_hand(v, inner, [0] * len(code), point)  # bits ignored
    assert not check_hs(no_signs)
    assert "values are off" in capsys.readouterr().out
    dense = lambda v, inner, code, point: (hs_by_hand(v, inner, code, point)[0], torch.ones_like(inner))
    assert not check_hs(dense)
    assert "dinner: case 1" in capsys.readouterr().out


# ------------------------------------------------------------------------ exercise 4: 3CosMul
def unit_rows(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def planted_like_case(seed=0, vocab=40, dim=8, questions=30):
    rng = np.random.default_rng(seed)
    unit = unit_rows(rng.standard_normal((vocab, dim)))
    ids = np.array([rng.choice(vocab, 4, replace=False) for _ in range(questions)])
    return unit, ids


def cosmul_numpy(unit, questions):
    shifted = (1 + unit @ unit.T) / 2
    scores = shifted[questions[:, 1]] * shifted[questions[:, 2]] / (shifted[questions[:, 0]] + 1e-6)
    np.put_along_axis(scores, questions[:, :3], -np.inf, axis=1)
    return scores.argmax(1)


def cosmul_one_by_one(unit, questions):
    """Another right answer: one question at a time, the three query words skipped in a Python loop."""
    answers = []
    for a, b, c, _ in questions:
        best, best_score = -1, -math.inf
        for d in range(len(unit)):
            if d in (a, b, c):
                continue
            cos = lambda x, y: (1 + float(unit[x] @ unit[y])) / 2
            score = cos(d, b) * cos(d, c) / (cos(d, a) + 1e-6)
            if score > best_score:
                best, best_score = d, score
        answers.append(best)
    return answers


@pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`:DeprecationWarning")  # inside gensim
def test_cosmul_reference_equals_gensims_most_similar_cosmul():
    unit, questions = planted_like_case()
    keys = [f"w{i}" for i in range(len(unit))]
    kv = KeyedVectors(vector_size=unit.shape[1])
    kv.add_vectors(keys, unit.astype(np.float32))
    ours = ex.cosmul_answers(unit, questions).tolist()
    for (a, b, c, _), answer in zip(questions, ours):
        best = kv.most_similar_cosmul(positive=[keys[b], keys[c]], negative=[keys[a]], topn=1)[0][0]
        assert best == keys[answer]


def test_cosmul_cases_have_no_ties():
    unit, questions = planted_like_case(1)
    for unit_, q in ex.cosmul_cases({"model": unit}, questions):
        shifted = (1 + unit_ @ unit_.T) / 2
        scores = shifted[q[:, 1]] * shifted[q[:, 2]] / (shifted[q[:, 0]] + 1e-6)
        np.put_along_axis(scores, q[:, :3], -np.inf, axis=1)
        top2 = np.sort(scores, axis=1)[:, -2:]
        assert np.all(top2[:, 1] - top2[:, 0] > 1e-9)


def test_cosmul_accepts_right_answers():
    unit, questions = planted_like_case(2)
    cases = ex.cosmul_cases({"model": unit}, questions)
    for answer in (cosmul_numpy, cosmul_one_by_one):
        as_tensor = lambda u, q, answer=answer: torch.as_tensor(answer(u, q))
        assert check_answer("3CosMul", as_tensor, ex.cosmul_answers, cases)


def test_cosmul_rejects_typical_mistakes(capsys):
    unit, questions = planted_like_case(3)
    cases = ex.cosmul_cases({"model": unit}, questions)

    def with_queries(u, q):  # the query words not excluded
        shifted = (1 + u @ u.T) / 2
        return torch.as_tensor((shifted[q[:, 1]] * shifted[q[:, 2]] / (shifted[q[:, 0]] + 1e-6)).argmax(1))

    def unshifted(u, q):  # raw cosines: a negative cosine in the denominator flips the ranking
        cos = u @ u.T
        scores = cos[q[:, 1]] * cos[q[:, 2]] / (cos[q[:, 0]] + 1e-6)
        np.put_along_axis(scores, q[:, :3], -np.inf, axis=1)
        return torch.as_tensor(scores.argmax(1))

    for wrong in (with_queries, unshifted):
        assert not check_answer("3CosMul", wrong, ex.cosmul_answers, cases)
        assert "values are off, the first at index" in capsys.readouterr().out


def test_cosmul_cases_validate_their_input():
    with pytest.raises(ValueError):
        ex.cosmul_cases({"model": np.eye(3)}, np.zeros((2, 3), dtype=int))
    with pytest.raises(ValueError):
        ex.cosmul_cases({}, np.zeros((2, 4), dtype=int))


def test_compare_guess_says_how_far_off(capsys):
    assert "prediction" in ex.compare_guess(None)
    assert "close" in ex.compare_guess(34)
    assert "too low" in ex.compare_guess(20)
    assert "too high" in ex.compare_guess(56)


def test_explain_sign_names_a_flipped_sign_or_a_factor():
    expected = torch.tensor([1.0, -2.0, 3.0])
    assert "sign" in ex.explain_sign(-expected, expected, ())
    assert "factor" in ex.explain_sign(2 * expected, expected, ())
    assert ex.explain_sign(expected + torch.tensor([0.0, 1.0, 0.0]), expected, ()) is None
    assert ex.explain_sign(torch.zeros(2), expected, ()) is None


# ------------------------------------------------------ exercise 4: the prediction committed before coding
def test_record_prediction_wants_one_of_the_two_models(capsys):
    assert ex.record_prediction(None).startswith("✗")
    assert "must be one of" in ex.record_prediction("gensim")
    for option in ex.COSMUL_OPTIONS:
        assert ex.record_prediction(option).startswith("✓")


def test_cosmul_gains_use_the_references():
    unit, questions = planted_like_case(4)
    noisy = unit + 0.3 * np.random.default_rng(0).standard_normal(unit.shape)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    gains = ex.cosmul_gains({"ours": unit, "PPMI + SVD": noisy}, questions)
    for name, vectors in [("ours", unit), ("PPMI + SVD", noisy)]:
        cosmul = (ex.cosmul_answers(vectors, questions).numpy() == questions[:, 3]).mean()
        assert gains[name][1] == pytest.approx(cosmul)
        scores = (vectors[questions[:, 1]] - vectors[questions[:, 0]] + vectors[questions[:, 2]]) @ vectors.T
        np.put_along_axis(scores, questions[:, :3], -np.inf, axis=1)
        assert gains[name][0] == pytest.approx((scores.argmax(1) == questions[:, 3]).mean())


def test_cosmul_verdict_waits_for_a_passing_answer_then_judges(capsys):
    unit, questions = planted_like_case(5)
    noisy = unit + 0.3 * np.random.default_rng(1).standard_normal(unit.shape)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    models = {"ours": unit, "PPMI + SVD": noisy}
    assert "no prediction" in ex.cosmul_verdict(None, models, questions, passed=True)
    assert "once analogy_3cosmul passes" in ex.cosmul_verdict("ours", models, questions, passed=False)
    gains = ex.cosmul_gains(models, questions)
    shares = {name: ex.share_of_misses_fixed(*gains[name]) for name in models}
    if any(share is None for share in shares.values()):
        assert "no share to compare" in ex.cosmul_verdict("ours", models, questions, passed=True)
        return
    winner = max(shares, key=shares.get)
    loser = next(name for name in models if name != winner)
    assert "✓ your prediction was right" in ex.cosmul_verdict(winner, models, questions, passed=True)
    assert "✗ your prediction was wrong" in ex.cosmul_verdict(loser, models, questions, passed=True)


def test_share_of_misses_fixed_is_relative_to_the_misses():
    assert ex.share_of_misses_fixed(0.989, 0.998) == pytest.approx(0.009 / 0.011)
    assert ex.share_of_misses_fixed(0.759, 0.809) == pytest.approx(0.05 / 0.241)
    assert ex.share_of_misses_fixed(0.5, 0.5) == 0
    assert ex.share_of_misses_fixed(1.0, 1.0) is None


def test_cosmul_verdict_judges_the_share_of_misses_not_the_gain(capsys, monkeypatch):
    gains = {"ours": (0.989, 0.998), "PPMI + SVD": (0.759, 0.809)}  # PPMI + SVD gains more, ours fixes more
    monkeypatch.setattr(ex, "cosmul_gains", lambda models, questions: gains)
    assert "✓ your prediction was right" in ex.cosmul_verdict("ours", {}, None, passed=True)
    assert "✗ your prediction was wrong" in ex.cosmul_verdict("PPMI + SVD", {}, None, passed=True)
    gains["ours"] = (1.0, 1.0)
    line = ex.cosmul_verdict("ours", {}, None, passed=True)
    assert "no misses to fix" in line and "no share to compare" in line and "✓" not in line
    gains["ours"] = (0.989, 0.998)
    (one_line,) = ex.cosmul_verdict("ours", {}, None, passed=True).splitlines()
    assert one_line.startswith("✓") and "82%" in one_line and "21%" in one_line, one_line
