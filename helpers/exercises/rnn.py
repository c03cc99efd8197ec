"""Reference answers for the exercises of ``notebooks/03_rnn.ipynb``, kept off the page.

An exercise cell passes the learner's function and one of these references to
:func:`helpers.exercises.check_answer`, which compares the two case by case and says which case fails without
showing the expected value. The references compute their answers another way than the notebook's solutions
(autograd, brute force), so a solution is checked, not copied.

- :func:`bptt_gradient_by_autograd`, :func:`bptt_cases`, :func:`gradient_by_name` — exercise 1 (debug): a
  back-propagation through time with one planted bug.
- :func:`gru_step_jacobian_by_autograd`, :func:`gru_jacobian_cases` — exercise 2 (extend): the GRU's step
  Jacobian ∂h(t)/∂h(t-1) in closed form.
- :func:`measured_jacobian_norm`, :data:`PREDICTION_SETTINGS` — exercise 3 (predict, then verify): three
  Jacobian norms.
- :func:`explosion_threshold_reference`, :func:`radius_feedback` — exercise 4 (design, with the notebook's
  explorer): the smallest spectral radius on the explorer's grid at which the gradient from T steps back
  reaches 1, and feedback that says whether a wrong radius is too high or too low.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from helpers.validate import check_choice, check_int

PARAM_NAMES = ("U", "W", "V", "b", "c")
"""The parameters of the notebook's NumPy RNN, in the order the exercise cases pass them."""


# ---------------------------------------------------------------------------------- exercise 1: debug BPTT
def bptt_gradient_by_autograd(X, y, h0, U, W, V, b, c, name: str) -> torch.Tensor:
    """∂L/∂(parameter ``name``) for L = Σ_t cross-entropy of h(t) = tanh(U x(t) + W h(t-1) + b), o = V h + c.

    Shapes: X (T, n_x), y (T,) long, h0 (n_h,), U (n_h, n_x), W (n_h, n_h), V (n_y, n_h), b (n_h,), c (n_y,);
    float64 tensors. Returns a tensor of the parameter's shape, computed by PyTorch's autograd.
    """
    check_choice("name", name, PARAM_NAMES)
    leaves = {k: v.detach().clone().requires_grad_(True) for k, v in zip(PARAM_NAMES, (U, W, V, b, c))}
    h, logits = h0, []
    for x in X:
        h = torch.tanh(leaves["U"] @ x + leaves["W"] @ h + leaves["b"])
        logits.append(leaves["V"] @ h + leaves["c"])
    nn.functional.cross_entropy(torch.stack(logits), y, reduction="sum").backward()
    return leaves[name].grad


def gradient_by_name(bptt: Callable) -> Callable[..., torch.Tensor]:
    """Wrap a NumPy ``bptt(X, y, h0, params) -> (loss, grads)`` so that it takes the cases of
    :func:`bptt_cases` (tensors, then a parameter name) and returns that parameter's gradient as a tensor."""

    def one_gradient(X, y, h0, U, W, V, b, c, name):
        params = {k: v.numpy() for k, v in zip(PARAM_NAMES, (U, W, V, b, c))}
        _, grads = bptt(X.numpy(), y.numpy(), h0.numpy(), params)
        return torch.as_tensor(np.asarray(grads[name], dtype=np.float64))

    return one_gradient


def bptt_cases(seed: int = 0) -> list[tuple]:
    """Argument tuples ``(X, y, h0, U, W, V, b, c, name)`` for every parameter name of two small networks:
    first one whose W is symmetric, then one whose W is not (float64; one-hot inputs; T = 7, n_h = 5)."""
    seed = check_int("seed", seed, low=0)
    gen = torch.Generator().manual_seed(seed)
    T, n_x, n_h, n_y = 7, 4, 5, 3
    cases = []
    for symmetric in (True, False):
        X = nn.functional.one_hot(torch.randint(0, n_x, (T,), generator=gen), n_x).double()
        y = torch.randint(0, n_y, (T,), generator=gen)
        h0 = 0.5 * torch.randn(n_h, generator=gen, dtype=torch.float64)
        U, V = (
            0.8 * torch.randn(shape, generator=gen, dtype=torch.float64) for shape in ((n_h, n_x), (n_y, n_h))
        )
        W = 0.6 * torch.randn(n_h, n_h, generator=gen, dtype=torch.float64)
        W = (W + W.T) / 2 if symmetric else W
        b, c = (0.3 * torch.randn(n, generator=gen, dtype=torch.float64) for n in (n_h, n_y))
        cases += [(X, y, h0, U, W, V, b, c, name) for name in PARAM_NAMES]
    return cases


# ---------------------------------------------------------------------------- exercise 2: the GRU Jacobian
def gru_step_jacobian_by_autograd(x, h, weight_ih, weight_hh, bias_ih, bias_hh) -> torch.Tensor:
    """∂h(t)/∂h(t-1) of one ``nn.GRUCell`` step with these weights (PyTorch's layout, rows [r; z; n]).

    Shapes: x (n_in,), h (n_h,), weight_ih (3 n_h, n_in), weight_hh (3 n_h, n_h), biases (3 n_h,).
    Returns (n_h, n_h): entry (i, j) is ∂h(t)_i/∂h(t-1)_j.
    """
    n_in, n_h = weight_ih.shape[1], weight_hh.shape[1]
    cell = nn.GRUCell(n_in, n_h).to(weight_ih.dtype)
    with torch.no_grad():
        for name, value in zip(
            ("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (weight_ih, weight_hh, bias_ih, bias_hh)
        ):
            getattr(cell, name).copy_(value)
    return torch.autograd.functional.jacobian(lambda state: cell(x[None], state[None])[0], h.detach())


def gru_jacobian_cases(seed: int = 0) -> list[tuple]:
    """Argument tuples ``(x, h, weight_ih, weight_hh, bias_ih, bias_hh)`` (float64): small random weights, a
    larger network, and one whose update gate is nearly closed (z ≈ 1) for most units."""
    seed = check_int("seed", seed, low=0)
    gen = torch.Generator().manual_seed(seed)
    cases = []
    for n_in, n_h, scale, update_bias in ((3, 4, 0.5, 0.0), (5, 8, 1.0, 0.0), (2, 6, 0.7, 4.0)):
        draw = lambda *shape: scale * torch.randn(*shape, generator=gen, dtype=torch.float64)  # noqa: B023
        bias_ih = draw(3 * n_h)
        bias_ih[n_h : 2 * n_h] += update_bias
        cases.append(
            (
                draw(n_in),
                torch.tanh(draw(n_h)),
                draw(3 * n_h, n_in),
                draw(3 * n_h, n_h),
                bias_ih,
                draw(3 * n_h),
            )
        )
    return cases


# --------------------------------------------------------------------------- exercise 3: predict, then verify
PREDICTION_SETTINGS = ("rnn_at_rest", "lstm_forget_2", "nilpotent_chain")
"""The three settings whose Jacobian norm the learner predicts (described in the notebook's exercise 3)."""


def measured_jacobian_norm(setting: str) -> float:
    """The spectral norm the learner predicts in exercise 3, measured with autograd (or by multiplying out).

    - ``'rnn_at_rest'``: tanh RNN, 16 units, W = 0.95 Q with Q orthogonal, zero input and bias, h(0) = 0:
      ‖∂h(40)/∂h(0)‖₂.
    - ``'lstm_forget_2'``: ``nn.LSTM(4, 16)`` with recurrent weights zeroed, every forget-gate bias
      (b_ih + b_hh) equal to 2, zero input: ‖∂c(50)/∂c(0)‖₂.
    - ``'nilpotent_chain'``: W = [[1, 1], [-1, -1]] and D = diag(1, 0.5): ‖(D W)^10‖₂.
    """
    check_choice("setting", setting, PREDICTION_SETTINGS)
    with torch.random.fork_rng():  # the layers draw their other weights from torch's global generator
        torch.manual_seed(
            0
        )  # the norms do not depend on those weights; the caller's stream is left as it was
        return _measure(setting)


def _measure(setting: str) -> float:
    if setting == "rnn_at_rest":
        n, steps = 16, 40
        rnn = nn.RNN(1, n).double()
        with torch.no_grad():
            rnn.weight_hh_l0.copy_(0.95 * torch.linalg.qr(torch.randn(n, n, dtype=torch.float64))[0])
            rnn.bias_ih_l0.zero_()
            rnn.bias_hh_l0.zero_()
        inputs = torch.zeros(steps, 1, 1, dtype=torch.float64)
        last = lambda h0: rnn(inputs, h0.view(1, 1, n))[1].flatten()
        return float(
            torch.linalg.matrix_norm(
                torch.autograd.functional.jacobian(last, torch.zeros(n, dtype=torch.float64)), 2
            )
        )
    if setting == "lstm_forget_2":
        n, steps = 16, 50
        lstm = nn.LSTM(4, n).double()
        with torch.no_grad():
            lstm.weight_hh_l0.zero_()
            lstm.bias_ih_l0[n : 2 * n] = 2.0  # gate order i, f, g, o
            lstm.bias_hh_l0[n : 2 * n] = 0.0
        inputs, zeros = (
            torch.zeros(steps, 1, 4, dtype=torch.float64),
            torch.zeros(1, 1, n, dtype=torch.float64),
        )
        last_cell = lambda c0: lstm(inputs, (zeros, c0.view(1, 1, n)))[1][1].flatten()
        jac = torch.autograd.functional.jacobian(last_cell, torch.zeros(n, dtype=torch.float64))
        return float(torch.linalg.matrix_norm(jac, 2))
    chain = np.linalg.matrix_power(np.diag([1.0, 0.5]) @ np.array([[1.0, 1.0], [-1.0, -1.0]]), 10)
    return float(np.linalg.norm(chain, 2))


# ------------------------------------------------------------------- exercise 4: design with the explorer
def radius_grid(low: float = 0.2, high: float = 3.0, step: float = 0.05) -> np.ndarray:
    """The spectral radii the notebook's explorer slider offers: low, low + step, …, high (rounded)."""
    return np.round(np.arange(low, high + step / 2, step), 10)


def explosion_threshold_reference(
    gradient_norm_at: Callable[[float, int], float], grid: np.ndarray | None = None
) -> Callable[[int], float | None]:
    """The reference of exercise 4 as a function of the length T alone.

    Args:
        gradient_norm_at: ``(radius, length) -> ‖∂h(T)/∂h(0)‖₂`` for the explorer's network (T = length).
        grid: radii to try, in increasing order (default :func:`radius_grid`).
    Returns:
        ``threshold(length)``: the smallest radius of the grid at which the norm is at least 1, or None.
    """
    radii = radius_grid() if grid is None else np.asarray(grid, dtype=np.float64)

    def threshold(length: int) -> float | None:
        return next((float(r) for r in radii if gradient_norm_at(float(r), length) >= 1.0), None)

    return threshold


def radius_feedback(grid: np.ndarray | None = None) -> Callable[[object, object, tuple], str | None]:
    """Feedback for exercise 4, for :func:`helpers.exercises.check_answer`'s ``explain``: says whether a wrong
    radius is off the slider, too high or too low, without naming the right one.

    The expected radius is the smallest on the grid whose norm reaches 1, so every grid radius below it falls
    short and every one above it is more than needed.

    Args:
        grid: the slider's radii (default :func:`radius_grid`).
    Returns:
        ``explain(got, expected, case) -> str | None``; None leaves check_answer's own message.
    """
    radii = radius_grid() if grid is None else np.asarray(grid, dtype=np.float64)

    def explain(got, expected, case: tuple) -> str | None:
        length = case[0]
        if isinstance(got, bool) or not isinstance(got, (int, float, np.integer, np.floating)):
            return None
        got = float(got)
        if not np.isclose(radii, got, rtol=0, atol=1e-9).any():
            step = float(np.diff(radii).min()) if len(radii) > 1 else 0.0
            return f"{got:g} is not a slider position ({radii[0]:g} to {radii[-1]:g} in steps of {step:g})"
        if expected is None:
            return None
        if got > expected:
            return f"too high for T = {length}: a smaller radius on the slider already reaches a norm of 1"
        return f"too low for T = {length}: at {got:g} the gradient reaching k = 0 is still below 1"

    return explain
