"""helpers/exercises/rnn.py: the references of notebook 03's exercises accept right answers (also ones written
differently from the notebook's solutions) and, through check_answer, reject typical wrong ones with a
message that names the failing case."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from helpers.exercises import check_answer
from helpers.exercises import rnn as ex


# ------------------------------------------------------------------------------- exercise 1: debug BPTT
def bptt_loop(X, y, h0, params, transpose_w=True):
    """A plain BPTT written here, independent of the notebook; transpose_w=False plants the exercise's bug."""
    U, W, V, b, c = (params[k] for k in "UWVbc")
    hs, probs, h = [h0], [], h0
    for x in X:
        h = np.tanh(U @ x + W @ h + b)
        logits = V @ h + c
        hs.append(h)
        probs.append(np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum())
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    carry, loss = np.zeros_like(h0), 0.0
    for t in range(len(X) - 1, -1, -1):
        loss -= math.log(probs[t][y[t]])
        d_out = probs[t].copy()
        d_out[y[t]] -= 1
        d_a = (1 - hs[t + 1] ** 2) * (V.T @ d_out + carry)
        grads["V"] += np.outer(d_out, hs[t + 1])
        grads["c"] += d_out
        grads["W"] += np.outer(d_a, hs[t])
        grads["U"] += np.outer(d_a, X[t])
        grads["b"] += d_a
        carry = (W.T if transpose_w else W) @ d_a
    return loss, grads


def test_bptt_cases_cover_every_parameter_of_a_symmetric_and_an_asymmetric_network():
    cases = ex.bptt_cases(0)
    assert [case[-1] for case in cases] == list(ex.PARAM_NAMES) * 2
    W_sym, W_asym = cases[0][4], cases[5][4]
    assert torch.equal(W_sym, W_sym.T)
    assert not torch.allclose(W_asym, W_asym.T)
    assert all(case[0].dtype == torch.float64 for case in cases)


def test_autograd_reference_matches_finite_differences():
    X, y, h0, U, W, V, b, c, _ = ex.bptt_cases(1)[7]
    params = {"U": U, "W": W, "V": V, "b": b, "c": c}
    got = ex.bptt_gradient_by_autograd(X, y, h0, U, W, V, b, c, "W")
    loss = lambda W_: bptt_loop(
        X.numpy(), y.numpy(), h0.numpy(), {**{k: v.numpy() for k, v in params.items()}, "W": W_}
    )[0]
    eps, numeric, W_np = 1e-6, np.zeros(W.shape), W.numpy()
    for i in np.ndindex(W.shape):
        bump = np.zeros(W.shape)
        bump[i] = eps
        numeric[i] = (loss(W_np + bump) - loss(W_np - bump)) / (2 * eps)
    assert np.allclose(got.numpy(), numeric, atol=1e-7)


def test_a_correct_bptt_passes_and_the_planted_bug_fails_where_w_is_not_symmetric(capsys):
    cases = ex.bptt_cases(0)
    assert check_answer("BPTT", ex.gradient_by_name(bptt_loop), ex.bptt_gradient_by_autograd, cases)
    buggy = lambda *args: bptt_loop(*args, transpose_w=False)
    capsys.readouterr()
    assert not check_answer("BPTT", ex.gradient_by_name(buggy), ex.bptt_gradient_by_autograd, cases)
    out = capsys.readouterr().out
    assert "case 6 (" in out and "'U'" in out, out  # cases 1–5 (symmetric W) hide the bug


def test_a_bptt_that_is_not_written_yet_is_reported_as_such(capsys):
    def stub(X, y, h0, params):
        raise NotImplementedError

    assert not check_answer("BPTT", ex.gradient_by_name(stub), ex.bptt_gradient_by_autograd, ex.bptt_cases(0))
    assert "not attempted yet" in capsys.readouterr().out


def test_bad_parameter_name():
    with pytest.raises(ValueError, match="name"):
        ex.bptt_gradient_by_autograd(*ex.bptt_cases(0)[0][:-1], "Q")


# ---------------------------------------------------------------------------- exercise 2: the GRU Jacobian
def gru_jacobian(x, h, weight_ih, weight_hh, bias_ih, bias_hh, drop_direct_path=False):
    """The closed form, with broadcasting instead of torch.diag; drop_direct_path leaves out diag(z)."""
    W_hr, W_hz, W_hn = weight_hh.chunk(3)
    i_r, i_z, i_n = (weight_ih @ x + bias_ih).chunk(3)
    a_r, a_z, a_n = (weight_hh @ h + bias_hh).chunk(3)
    r, z = torch.sigmoid(i_r + a_r), torch.sigmoid(i_z + a_z)
    n = torch.tanh(i_n + r * a_n)
    dn = (1 - n**2)[:, None] * ((a_n * r * (1 - r))[:, None] * W_hr + r[:, None] * W_hn)
    dz = (z * (1 - z))[:, None] * W_hz
    direct = torch.zeros_like(dz) if drop_direct_path else torch.diag(z)
    return direct + (h - n)[:, None] * dz + (1 - z)[:, None] * dn


def test_gru_reference_is_the_jacobian_of_nn_gru_cell():
    for case in ex.gru_jacobian_cases(3):
        x, h = case[:2]
        jac = ex.gru_step_jacobian_by_autograd(*case)
        assert jac.shape == (len(h), len(h))
        cell = nn.GRUCell(len(x), len(h)).double()
        with torch.no_grad():
            for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), case[2:]):
                getattr(cell, name).copy_(value)
            eps, column = 1e-6, torch.zeros(len(h), dtype=torch.float64)
            column[0] = eps
            numeric = (cell(x[None], (h + column)[None]) - cell(x[None], (h - column)[None]))[0] / (2 * eps)
        assert torch.allclose(jac[:, 0], numeric, atol=1e-8)


def test_gru_cases_include_a_nearly_closed_update_gate():
    x, h, weight_ih, weight_hh, bias_ih, bias_hh = ex.gru_jacobian_cases(0)[-1]
    n_h = len(h)
    z = torch.sigmoid(weight_ih[n_h : 2 * n_h] @ x + bias_ih[n_h : 2 * n_h] + weight_hh[n_h : 2 * n_h] @ h)
    assert (z > 0.9).float().mean() > 0.5


def test_gru_closed_form_passes_and_a_missing_direct_path_fails(capsys):
    cases = ex.gru_jacobian_cases(0)
    assert check_answer("GRU", gru_jacobian, ex.gru_step_jacobian_by_autograd, cases, atol=1e-10)
    wrong = lambda *args: gru_jacobian(*args, drop_direct_path=True)
    capsys.readouterr()
    assert not check_answer("GRU", wrong, ex.gru_step_jacobian_by_autograd, cases, atol=1e-10)
    assert "case 1 (" in capsys.readouterr().out
    transposed = lambda *args: gru_jacobian(*args).T
    assert not check_answer("GRU", transposed, ex.gru_step_jacobian_by_autograd, cases, atol=1e-10)


# --------------------------------------------------------------------------- exercise 3: predict, then verify
CLOSED_FORMS = {
    "rnn_at_rest": 0.95**40,
    "lstm_forget_2": 1 / (1 + math.exp(-2.0)) ** 50,
    "nilpotent_chain": 0.5**9 * math.sqrt(2.5),  # (DW)^10 = 0.5^9 DW, ‖DW‖₂ = ‖(1, 1)‖·‖(1, -0.5)‖
}


def test_measured_norms_equal_their_closed_forms():
    for setting in ex.PREDICTION_SETTINGS:
        assert math.isclose(ex.measured_jacobian_norm(setting), CLOSED_FORMS[setting], rel_tol=1e-9), setting


def test_measuring_leaves_torch_global_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ex.measured_jacobian_norm("lstm_forget_2")
    assert torch.equal(torch.rand(3), expected)


def test_predictions_are_checked_within_two_percent(capsys):
    cases = [(s,) for s in ex.PREDICTION_SETTINGS]
    assert check_answer("norms", CLOSED_FORMS.get, ex.measured_jacobian_norm, cases, rtol=0.02)
    off_by_one_step = {**CLOSED_FORMS, "rnn_at_rest": 0.95**41}  # 5 % low: one factor too many
    capsys.readouterr()
    assert not check_answer("norms", off_by_one_step.get, ex.measured_jacobian_norm, cases, rtol=0.02)
    assert "case 1 ('rnn_at_rest')" in capsys.readouterr().out
    nilpotent_guess = {**CLOSED_FORMS, "nilpotent_chain": 0.0}  # "ρ(W) = 0, so it vanishes"
    assert not check_answer("norms", nilpotent_guess.get, ex.measured_jacobian_norm, cases, rtol=0.02)


def test_unknown_setting():
    with pytest.raises(ValueError, match="setting"):
        ex.measured_jacobian_norm("gru")


# ---------------------------------------------------------------------- exercise 4: design with the explorer
def test_radius_grid_is_the_explorer_slider():
    grid = ex.radius_grid()
    assert len(grid) == 57 and grid[0] == 0.2 and grid[-1] == 3.0
    assert np.allclose(np.diff(grid), 0.05)


def test_explosion_threshold_finds_the_smallest_grid_radius(capsys):
    norm = lambda radius, length: radius**length  # reaches 1 exactly at radius 1, for every length
    threshold = ex.explosion_threshold_reference(norm)
    assert threshold(20) == 1.0 and threshold(80) == 1.0
    assert ex.explosion_threshold_reference(lambda r, n: 0.0)(20) is None
    assert check_answer("radius", lambda length: 1.0, threshold, [(20,), (80,)], atol=1e-9)
    capsys.readouterr()
    assert not check_answer("radius", lambda length: 1.05, threshold, [(20,), (80,)], atol=1e-9)
    assert "case 1 (20)" in capsys.readouterr().out


def test_explosion_threshold_depends_on_the_length():
    norm = lambda radius, length: (radius / (1 + 10 / length)) ** length  # longer chains explode sooner
    threshold = ex.explosion_threshold_reference(norm)
    assert threshold(80) < threshold(20)


def test_radius_feedback_says_too_high_or_too_low_without_the_answer(capsys):
    norm = lambda radius, length: (radius / (1 + 10 / length)) ** length
    threshold = ex.explosion_threshold_reference(norm)
    explain = ex.radius_feedback()
    right = {T: threshold(T) for T in (20, 80)}
    assert check_answer("radius", right.get, threshold, [(20,), (80,)], explain=explain, atol=1e-9)
    for wrong, word in ((right[20] + 0.05, "too high"), (right[20] - 0.05, "too low")):
        capsys.readouterr()
        answer = {**right, 20: wrong}
        assert not check_answer("radius", answer.get, threshold, [(20,), (80,)], explain=explain, atol=1e-9)
        out = capsys.readouterr().out
        assert word in out and "T = 20" in out, out
        assert f"{right[20]:g}" not in out.replace(f"{wrong:g}", ""), out  # the right radius is not shown


def test_radius_feedback_flags_values_off_the_slider_and_leaves_other_answers_alone():
    explain = ex.radius_feedback()
    assert "not a slider position" in explain(1.23, 1.5, (20,))
    assert explain("1.5", 1.5, (20,)) is None  # not a number: check_answer's own message
    assert explain(True, 1.5, (20,)) is None
    assert explain(1.5, None, (20,)) is None  # no radius on the slider reaches 1
