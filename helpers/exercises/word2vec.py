"""Reference answers for the exercises of ``notebooks/02_word2vec.ipynb``, kept off the page.

An exercise cell passes the learner's function and one of these references to
:func:`helpers.exercises.check_answer`, which compares the two case by case and says which case fails without
showing the expected value. The references compute their answers another way than a learner would write them
(autograd, a forward check, brute force), so a solution is checked, not copied.

- :func:`keep_share`, :func:`wanted_share`, :data:`THRESHOLD_CASES` — exercise 1 (design): the subsampling
  threshold ``t`` at which a word of relative frequency ``f`` keeps a share ``p`` of its occurrences; the
  check applies the keep rule to the learner's ``t``, so every correct form of the answer passes.
- :func:`expected_pairs_reference`, :data:`PAIR_CASES` — exercise 2 (predict, then verify): the expected
  number of skip-gram pairs of one sentence under word2vec's reduced windows, by enumerating the windows.
- :func:`hs_gradient_center`, :func:`hs_gradient_nodes`, :func:`hs_cases` — exercise 3 (extend): the
  gradients of hierarchical softmax's loss for one (centre, word) pair, by autograd.
- :func:`cosmul_answers`, :func:`cosmul_cases` — exercise 4 (apply to the trained vectors): Levy & Goldberg's
  3CosMul analogy rule, written after gensim's ``KeyedVectors.most_similar_cosmul``;
  :func:`record_prediction` and :func:`cosmul_verdict` take the learner's prediction (for which model
  3CosMul fixes the larger share of the 3CosAdd misses) before any code is written and judge it, with
  :func:`cosmul_gains`, once the answer passes.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from helpers.validate import check_int, check_real

# ------------------------------------------------------------ exercise 1: design the subsampling threshold
THRESHOLD_CASES = [(0.126, 0.1), (0.05, 0.5), (1e-3, 0.25), (0.3, 0.9), (2e-6, 0.02), (0.01, 0.999)]
"""(relative frequency f, wanted share p) pairs the learner's ``threshold_for_keep(f, p)`` is run on."""


def keep_share(f: float, t) -> float:
    """The share of a word's occurrences that subsampling keeps, ``min(1, √(t/f) + t/f)`` (word2vec.c and
    gensim), for relative frequency ``f`` and threshold ``t``. A ``t`` that is not a positive number gives
    NaN, so the check reports the value as off rather than raising."""
    f = check_real("f", f, low=0, low_open=True)
    if isinstance(t, (str, bytes)):  # a number written as text is not a number
        return float("nan")
    try:
        t = np.asarray(t.detach().cpu() if isinstance(t, torch.Tensor) else t, dtype=np.float64)
    except (TypeError, ValueError):  # not a number at all
        return float("nan")
    if t.size != 1 or not np.isfinite(t.item()) or t.item() <= 0:
        return float("nan")
    t = t.item()
    return float(min(1.0, np.sqrt(t / f) + t / f))


def wanted_share(f: float, p: float) -> float:
    """What :func:`keep_share` must return for the learner's threshold: the share ``p`` asked for."""
    return check_real("p", p, low=0, high=1, low_open=True, high_open=True)


# ------------------------------------------------------------- exercise 2: expected pairs of one sentence
PAIR_CASES = [(1, 5), (2, 1), (3, 5), (8, 5), (8, 1), (20, 3), (6, 10), (50, 7)]
"""(sentence length n, window) pairs the learner's ``expected_pairs(n, window)`` is run on."""


def expected_pairs_reference(n: int, window: int) -> float:
    """Expected number of (centre, context) pairs from a sentence of ``n`` kept words when every centre
    draws its reduced window ``r`` uniformly from 1..window: each window is enumerated with probability
    1/window, position by position (no closed form used)."""
    n, window = check_int("n", n, low=1), check_int("window", window, low=1)
    total = 0.0
    for position in range(n):
        for reach in range(1, window + 1):
            left, right = min(reach, position), min(reach, n - 1 - position)
            total += (left + right) / window
    return total


# --------------------------------------------------------- exercise 3: hierarchical-softmax gradients
def _hs_loss(v, inner, code, point):
    """−log p(w|c) = −Σ_j log σ(s_j u_{n_j}·v), s_j = 1 − 2 b_j: v (d,), inner (V−1, d), code/point (L,)."""
    signs = 1 - 2 * torch.as_tensor(code, dtype=v.dtype)
    return -F.logsigmoid(signs * (inner[torch.as_tensor(point)] @ v)).sum()


def _hs_autograd(v, inner, code, point):
    leaves = [v.detach().clone().requires_grad_(), inner.detach().clone().requires_grad_()]
    return torch.autograd.grad(_hs_loss(*leaves, code, point), leaves)


def hs_gradient_center(v, inner, code, point) -> torch.Tensor:
    """∂ℓ/∂v_c (d,) of ℓ = −log p(w | c) in a hierarchical softmax, by autograd."""
    return _hs_autograd(v, inner, code, point)[0]


def hs_gradient_nodes(v, inner, code, point) -> torch.Tensor:
    """∂ℓ/∂inner (V−1, d): non-zero only on the rows of the nodes on the word's path, by autograd."""
    return _hs_autograd(v, inner, code, point)[1]


def hs_cases(seed: int = 0) -> list[tuple]:
    """(v (d,), inner (V−1, d), code (L,), point (L,)) float64 cases: paths of 1 to 6 distinct inner nodes
    with random branch bits, vectors large enough that σ is far from 1/2 somewhere."""
    gen = torch.Generator().manual_seed(check_int("seed", seed, low=0))
    cases = []
    for path_length, dim, nodes in [(1, 3, 4), (3, 5, 9), (6, 8, 15), (4, 2, 30)]:
        v = torch.randn(dim, dtype=torch.float64, generator=gen)
        inner = torch.randn(nodes, dim, dtype=torch.float64, generator=gen)
        point = torch.randperm(nodes, generator=gen)[:path_length].tolist()
        code = torch.randint(0, 2, (path_length,), generator=gen).tolist()
        cases.append((v, inner, code, point))
    return cases


# -------------------------------------------------------------------- exercise 4: 3CosMul analogies
COSMUL_EPSILON = 1e-6
"""The ε of 3CosMul's denominator, gensim's value (Levy & Goldberg used 10⁻³)."""


def cosmul_answers(unit, questions) -> torch.Tensor:
    """(Q,) id of the answer to each question (a, b, c, ?) by 3CosMul: the word d ∉ {a, b, c} maximising
    cos′(d, b)·cos′(d, c) / (cos′(d, a) + ε), with cos′ = (1 + cos)/2, as gensim's ``most_similar_cosmul``.

    Args:
        unit: (V, d) rows of unit length.
        questions: (Q, 4) word ids (a, b, c, expected d); the fourth column is not used.
    """
    unit = torch.as_tensor(unit, dtype=torch.float64)
    questions = torch.as_tensor(questions, dtype=torch.long)
    shifted = (1 + unit @ unit.T) / 2  # (V, V) cos′ of every pair
    a, b, c = questions[:, 0], questions[:, 1], questions[:, 2]
    scores = shifted[b] * shifted[c] / (shifted[a] + COSMUL_EPSILON)  # (Q, V)
    scores.scatter_(1, questions[:, :3], -torch.inf)
    return scores.argmax(1)


def cosmul_cases(named_unit_vectors: dict, questions, seed: int = 0) -> list[tuple]:
    """(unit (V, d) float64 array, questions (Q, 4) int array) cases: each of the notebook's models, then
    random unit vectors of the same vocabulary size; none of them has a tie for the best answer."""
    questions = np.asarray(questions, dtype=np.int64)
    if questions.ndim != 2 or questions.shape[1] != 4:
        raise ValueError(f"questions must have shape (Q, 4), got {questions.shape}")
    cases = [(np.asarray(unit, dtype=np.float64), questions) for unit in named_unit_vectors.values()]
    if not cases:
        raise ValueError("named_unit_vectors must hold at least one model")
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    random = rng.standard_normal((len(cases[0][0]), 16))
    cases.append((random / np.linalg.norm(random, axis=1, keepdims=True), questions))
    return cases


# ----------------------------------------------------------------- feedback shared by the exercises
def compare_guess(guess, n: int = 8, window: int = 5) -> str:
    """Exercise 2's verify step: how far the learner's prediction ``guess`` (a number committed to before
    computing) is from the expected pair count of a sentence of ``n`` words; returns the printed line."""
    if guess is None:
        line = "✗ write your prediction into my_guess first (a number), then rerun this cell"
    else:
        guess = check_real("guess", guess, low=0)
        truth = expected_pairs_reference(n, window)
        error = (guess - truth) / truth
        verdict = "close (within 10 %)" if abs(error) <= 0.1 else ("too high" if error > 0 else "too low")
        line = f"your guess {guess:g} vs the expected {truth:.2f} pairs: {error:+.0%}, {verdict}"
    print(line)
    return line


def explain_sign(got, expected, case) -> str | None:
    """``check_answer`` ``explain=`` callback: names a flipped sign or a constant factor, never the value."""
    got_t, expected_t = (
        torch.as_tensor(got, dtype=torch.float64),
        torch.as_tensor(expected, dtype=torch.float64),
    )
    if got_t.shape != expected_t.shape:
        return None
    if torch.allclose(got_t, -expected_t, rtol=1e-5, atol=1e-8) and expected_t.abs().max() > 0:
        return "the sign is flipped: you have the gradient of +log p, or the branch signs the wrong way round"
    scale = (got_t * expected_t).sum() / (expected_t * expected_t).sum().clamp_min(1e-300)
    if torch.allclose(got_t, scale * expected_t, rtol=1e-5, atol=1e-8) and abs(float(scale) - 1) > 1e-3:
        return "right direction, wrong size: off by a constant factor (a missing or extra factor?)"
    return None


# ------------------------------------------------------ exercise 4: the prediction made before computing
COSMUL_OPTIONS = ("ours", "PPMI + SVD")
"""The models a learner can name in exercise 4's prediction (the keys of the notebook's ``cosmul_models``)."""


def record_prediction(prediction) -> str:
    """Exercise 4, step 1: check that the learner committed to one of :data:`COSMUL_OPTIONS` before
    computing anything; returns (and prints) the line that says so."""
    if prediction is None:
        line = (
            "✗ write your prediction into my_prediction first ('ours' or 'PPMI + SVD'), then rerun this cell"
        )
    elif prediction not in COSMUL_OPTIONS:
        line = f"✗ my_prediction must be one of {COSMUL_OPTIONS}, got {prediction!r}"
    else:
        line = f"✓ prediction recorded: 3CosMul fixes the larger share of the misses of {prediction!r}"
    print(line)
    return line


def _cosadd_answers(unit, questions) -> torch.Tensor:
    """(Q,) answers by 3CosAdd: the word d ∉ {a, b, c} nearest (cosine) to b − a + c."""
    unit = torch.as_tensor(unit, dtype=torch.float64)
    questions = torch.as_tensor(questions, dtype=torch.long)
    scores = (unit[questions[:, 1]] - unit[questions[:, 0]] + unit[questions[:, 2]]) @ unit.T
    scores.scatter_(1, questions[:, :3], -torch.inf)
    return scores.argmax(1)


def cosmul_gains(named_unit_vectors: dict, questions) -> dict:
    """{model: (3CosAdd accuracy, 3CosMul accuracy)} by the references, for the (V, d) unit rows of each
    model and the (Q, 4) question ids."""
    questions = torch.as_tensor(np.asarray(questions), dtype=torch.long)
    return {
        name: tuple(
            float((rule(unit, questions) == questions[:, 3]).double().mean())
            for rule in (_cosadd_answers, cosmul_answers)
        )  # fmt: skip
        for name, unit in named_unit_vectors.items()
    }


def share_of_misses_fixed(add: float, mul: float) -> float | None:
    """Share of the 3CosAdd misses (accuracy ``add``) that 3CosMul (accuracy ``mul``) removes; None when
    3CosAdd misses nothing (no share to measure)."""
    return None if add >= 1 else (mul - add) / (1 - add)


def cosmul_verdict(prediction, named_unit_vectors: dict, questions, passed: bool) -> str:
    """Exercise 4, step 2: once the learner's 3CosMul passes its check (``passed``), measure the share of each
    model's 3CosAdd misses that 3CosMul removes and say whether the recorded prediction (the model with the
    larger share) was right; returns (and prints) the verdict."""
    if prediction not in COSMUL_OPTIONS:
        line = "✗ no prediction recorded: set my_prediction before writing analogy_3cosmul"
    elif not passed:
        line = "the verdict on your prediction comes once analogy_3cosmul passes its check"
    else:
        gains = cosmul_gains(named_unit_vectors, questions)
        shares = {name: share_of_misses_fixed(add, mul) for name, (add, mul) in gains.items()}
        if any(share is None for share in shares.values()):
            nothing = [name for name, share in shares.items() if share is None]
            lines = [f"{', '.join(nothing)}: no misses to fix with 3CosAdd; there is no share to compare"]
        else:
            winner = max(shares, key=shares.get)
            verdict = "✓ your prediction was right" if prediction == winner else "✗ your prediction was wrong"
            measured = " and ".join(
                f"{shares[name]:.0%} of those of {name!r} (3CosAdd {add:.3f} → 3CosMul {mul:.3f})"
                for name, (add, mul) in gains.items()
            )
            lines = [
                f"{verdict}: 3CosMul fixes a larger share of the misses of {winner!r} — {measured}. "
                "Can you say why?"
            ]
        line = "\n".join(lines)
    print(line)
    return line
