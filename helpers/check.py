"""The derivation-check convention: compute both sides, print one line on success, raise on failure.

Every check prints ``✓ <name>: <what was compared>`` and returns the measured discrepancy, or raises
``AssertionError`` showing both sides. Checks always compare two computed quantities, never a constant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from helpers.validate import check_int, check_real


def _as_float64(x, name: str) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().to(torch.float64).numpy()  # move, then cast: MPS has no float64
    if isinstance(x, (np.ndarray, float, int, np.floating, np.integer, list, tuple)):
        try:
            return np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError) as exc:  # e.g. strings or ragged nested lists
            raise TypeError(f"{name} must hold numbers of one rectangular shape: {exc}") from exc
    raise TypeError(f"{name} must be a tensor, array, number or sequence of numbers, got {type(x).__name__}")


class Measured(float):
    """A float returned by a check. It shows nothing when it ends a notebook cell, so a check's output is
    exactly its one printed line, yet it can still be used as a number."""

    def _ipython_display_(self) -> None:
        return None


def _check_name(name) -> None:
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")


def _fmt(x: float) -> str:
    return f"{x:.3g}" if x != 0 else "0"


def check_close(name: str, got, expected, *, rtol: float = 1e-5, atol: float = 1e-8) -> float:
    """Check ``|got - expected| <= atol + rtol * |expected|`` element-wise; print one line; return max |diff|.

    Args:
        name: what is being checked, printed in the line.
        got, expected: tensors, arrays or numbers of the same shape (compared in float64).
        rtol, atol: relative and absolute tolerance, as in ``numpy.allclose``.
    Raises:
        AssertionError: shapes differ or some element is out of tolerance (both values are shown).
    """
    _check_name(name)
    rtol, atol = check_real("rtol", rtol, low=0), check_real("atol", atol, low=0)
    a, b = _as_float64(got, "got"), _as_float64(expected, "expected")
    if a.shape != b.shape:
        raise AssertionError(f"✗ {name}: shapes differ, got {a.shape} vs expected {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise AssertionError(f"✗ {name}: non-finite values\n  got      = {a}\n  expected = {b}")
    diff = np.abs(a - b)
    max_diff = float(diff.max()) if diff.size else 0.0
    ok = np.all(diff <= atol + rtol * np.abs(b))
    if not ok:
        worst = np.unravel_index(int(np.argmax(diff - rtol * np.abs(b))), diff.shape) if diff.ndim else ()
        raise AssertionError(
            f"✗ {name}: max |diff| = {_fmt(max_diff)} exceeds atol={atol:g} + rtol={rtol:g}·|expected|\n"
            f"  got      = {np.array2string(a, precision=6, threshold=20)}\n"
            f"  expected = {np.array2string(b, precision=6, threshold=20)}\n"
            f"  worst at index {worst}: got {a[worst]!r}, expected {b[worst]!r}"
        )
    scale = float(np.abs(b).max()) if b.size else 0.0
    relative = f" (relative {max_diff / scale:.2g})" if rtol > 0 and scale > 0 and max_diff > 0 else ""
    print(f"✓ {name}: max |diff| = {_fmt(max_diff)}{relative}")
    return Measured(max_diff)


def check_less(name: str, smaller, larger, *, factor: float = 1.0) -> float:
    """Check ``smaller < factor * larger`` for two computed scalars; print one line; return their ratio.

    ``factor`` states a safety margin, e.g. ``factor=0.1`` demands ``smaller`` be ten times below ``larger``.
    """
    _check_name(name)
    factor = check_real("factor", factor, low=0, low_open=True)
    s, l = _as_float64(smaller, "smaller"), _as_float64(larger, "larger")
    if s.size != 1 or l.size != 1:
        raise ValueError(f"smaller and larger must be scalars, got shapes {s.shape} and {l.shape}")
    s, l = float(s.item()), float(l.item())  # .item(): size-1 arrays of any ndim
    ratio = s / l if l != 0 else float("inf")
    if not s < factor * l:
        raise AssertionError(f"✗ {name}: expected {_fmt(s)} < {factor:g} × {_fmt(l)} (ratio {_fmt(ratio)})")
    bar = f"{factor:g} × " if factor != 1.0 else ""
    print(f"✓ {name}: {_fmt(s)} < {bar}{_fmt(l)} (ratio {_fmt(ratio)})")
    return Measured(ratio)


def finite_difference_grad(
    fn: Callable[..., torch.Tensor], inputs: Sequence[torch.Tensor], eps: float = 1e-6
) -> list[torch.Tensor]:
    """Central finite differences of the scalar ``fn(*inputs)`` with respect to every input (float64).

    Costs two evaluations of ``fn`` per input element, so keep inputs small (a few hundred elements).
    """
    eps = check_real("eps", eps, low=0, low_open=True)
    grads = []
    inputs = [x.detach().clone(memory_format=torch.contiguous_format) for x in inputs]  # view(-1): contiguous
    for x in inputs:
        g = torch.zeros_like(x)
        flat, gflat = x.view(-1), g.view(-1)
        for j in range(flat.numel()):
            orig = flat[j].item()
            flat[j] = orig + eps
            plus = float(fn(*inputs))
            flat[j] = orig - eps
            minus = float(fn(*inputs))
            flat[j] = orig
            gflat[j] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def check_gradients(
    name: str,
    fn: Callable[..., torch.Tensor],
    inputs: Sequence[torch.Tensor],
    analytic: Sequence[torch.Tensor] | None = None,
    *,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    max_elements: int = 2000,
) -> float:
    """Compare gradients of a scalar function three ways: hand-derived, autograd, finite differences.

    Args:
        name: printed in the line.
        fn: maps ``*inputs`` to a scalar tensor.
        inputs: float64 tensors (finite differences need double precision).
        analytic: optional hand-derived gradients, one per input, same shapes.
    Returns:
        The largest discrepancy found among the comparisons made.
    """
    _check_name(name)
    if not callable(fn):
        raise TypeError("fn must be callable")
    rtol, atol = check_real("rtol", rtol, low=0), check_real("atol", atol, low=0)
    max_elements = check_int("max_elements", max_elements, low=1)
    inputs = list(inputs)
    if not inputs or not all(isinstance(x, torch.Tensor) for x in inputs):
        raise TypeError("inputs must be a non-empty sequence of tensors")
    if any(x.dtype != torch.float64 for x in inputs):
        raise ValueError("inputs must be float64 tensors (finite differences need double precision)")
    total = sum(x.numel() for x in inputs)
    if total > max_elements:
        raise ValueError(
            f"inputs have {total} elements in all; finite differences allow at most "
            f"max_elements={max_elements}"
        )
    if analytic is not None and len(analytic) != len(inputs):
        raise ValueError(f"analytic must hold one gradient per input ({len(inputs)}), got {len(analytic)}")
    leaves = [x.detach().clone().requires_grad_(True) for x in inputs]
    out = fn(*leaves)
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        raise ValueError("fn must return a scalar tensor")
    if out.requires_grad:  # an input fn ignores has gradient zero
        auto = torch.autograd.grad(out, leaves, allow_unused=True)
        auto = [torch.zeros_like(x) if g is None else g for g, x in zip(auto, leaves)]
    else:  # fn ignores all its inputs
        auto = [torch.zeros_like(x) for x in leaves]
    numeric = finite_difference_grad(fn, inputs, eps)
    worst, parts = 0.0, []
    for label, ref in (("finite differences", numeric),) + (
        (("hand-derived", analytic),) if analytic is not None else ()
    ):
        for a, r in zip(auto, ref):
            a64, r64 = a.detach().cpu().double(), torch.as_tensor(r).detach().cpu().double()
            if a64.shape != r64.shape:
                raise AssertionError(
                    f"✗ {name}: {label} gradient shape {tuple(r64.shape)} vs autograd {tuple(a64.shape)}"
                )
            d = (a64 - r64).abs()
            if not torch.all(d <= atol + rtol * r64.abs()):
                raise AssertionError(
                    f"✗ {name}: autograd vs {label}: max |diff| = {_fmt(float(d.max()))}\n"
                    f"  autograd = {a64}\n  {label} = {r64}"
                )
            worst = max(worst, float(d.max()) if d.numel() else 0.0)
        parts.append(label)
    print(f"✓ {name}: autograd = {' = '.join(parts)} (max |diff| = {_fmt(worst)})")
    return Measured(worst)
