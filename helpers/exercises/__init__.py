"""Feedback for exercises: compare a learner's function with a reference on several cases, never showing
the expected values — only *where* the answer goes wrong, plus an optional hint.

Reference answers stay off the page: each notebook's checkers live in a module of this package named after
its topic (e.g. ``helpers.exercises.tokenizer``), which holds the references and calls :func:`check_answer`;
the exercise cell only calls the checker with the learner's function.

A wrong or unfinished answer prints a ``✗`` line and returns False (it never raises), so "Run all" still
works while exercises are open; solution cells ``assert`` the returned value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from helpers.validate import check_real


class Verdict:
    """Truthy when the answer is right. Shows nothing when it ends a cell (the printed line says it all)."""

    def __init__(self, ok: bool):
        self.ok = bool(ok)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Verdict({self.ok})"

    def _ipython_display_(self) -> None:
        return None


NOT_ATTEMPTED = object()
"""What :func:`attempt` returns when the learner's function failed (after printing why)."""


def attempt(name: str, candidate: Callable[..., Any], *args: Any, where: str = "") -> Any:
    """Call the learner's ``candidate(*args)``. Returns its result; or prints ✗ — *not attempted yet* for a
    ``NotImplementedError`` stub, or the exception the learner's code raised (``where`` says on which case)
    — and returns :data:`NOT_ATTEMPTED`, so that a checker reports rather than shows a traceback."""
    try:
        return candidate(*args)
    except NotImplementedError:
        print(f"✗ {name}: not attempted yet — replace the `raise NotImplementedError` with your code")
    except Exception as exc:  # the learner's bug, reported as feedback rather than a traceback
        print(f"✗ {name}: {where + ' ' if where else ''}your function raised {type(exc).__name__}: {exc}")
    return NOT_ATTEMPTED


def _is_number(x: Any) -> bool:
    """A real number, answered or expected; ``True``/``False`` are answers of another kind."""
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _compare(got: Any, want: Any, rtol: float, atol: float | torch.Tensor) -> str | None:
    """None if ``got`` matches ``want``; else a short description of the mismatch (no expected values)."""
    if isinstance(want, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"returned a {type(got).__name__}, expected a torch.Tensor"
        if tuple(got.shape) != tuple(want.shape):
            return f"returned shape {tuple(got.shape)}, which is not the expected shape"
        if want.dtype == torch.bool:
            if got.dtype != torch.bool:
                return f"returned dtype {got.dtype}, expected a boolean tensor"
            wrong = (got.cpu() != want.cpu()).nonzero()
            return (
                None
                if len(wrong) == 0
                else f"{len(wrong)} entries differ, the first at index {tuple(wrong[0].tolist())}"
            )
        got, want = got.detach().cpu().double(), want.detach().cpu().double()
        if isinstance(atol, torch.Tensor):  # an element-wise tolerance (check_answer's slack)
            close = (got - want).abs() <= atol.cpu().double() + rtol * want.abs()
        else:
            close = torch.isclose(got, want, rtol=rtol, atol=atol)
        wrong = (~close).nonzero()
        if len(wrong) == 0:
            return None
        first = tuple(wrong[0].tolist())
        return f"{len(wrong)} of {close.numel()} values are off, the first at index {first}"
    if _is_number(want):
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if not _is_number(got):
            return f"returned a {type(got).__name__}, expected a number"
        got, want = float(got), float(want)
        return None if got == want or abs(got - want) <= atol + rtol * abs(want) else "the value is off"
    try:
        same = bool(got == want)
    except Exception:  # e.g. an array or a tuple of tensors: `==` has no single truth value
        same = False
    return None if same else "the result differs"


def check_answer(
    name: str,
    candidate: Callable[..., Any],
    reference: Callable[..., Any],
    cases: Sequence[tuple],
    *,
    hint: str = "",
    explain: Callable[[Any, Any, tuple], str | None] | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    slack: Callable[..., Any] | None = None,
) -> Verdict:
    """Call ``candidate(*case)`` and ``reference(*case)`` for each case; print ✓ or ✗ with feedback.

    Args:
        name: the exercise, printed in the line.
        candidate: the learner's function.
        reference: computes the right answer (the notebook passes something that does not reveal how).
        cases: argument tuples to try.
        hint: shown after a wrong answer.
        explain: optional ``explain(got, expected, case) -> str | None``, called when a case fails; a str it
            returns replaces the generic description of the mismatch (it must not reveal the expected value).
        slack: optional ``slack(*case)`` -> a tensor like the answer (or a number), added to ``atol`` element
            by element, for answers that may differ legitimately, e.g. by clamping an input where the answer
            is steep. The candidate gets copies of tensor arguments: changing them in place cannot change
            the reference.
    Returns:
        A :class:`Verdict`, true when every case matches.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")
    if not callable(candidate) or not callable(reference):
        raise TypeError("candidate and reference must be callable")
    if not cases or not all(isinstance(c, tuple) for c in cases):
        raise ValueError("cases must be a non-empty sequence of argument tuples")
    rtol, atol = check_real("rtol", rtol, low=0), check_real("atol", atol, low=0)
    for i, args in enumerate(cases):
        copies = (a.clone() if isinstance(a, torch.Tensor) else a for a in args)
        got = attempt(name, candidate, *copies, where=f"on case {i + 1}")
        if got is NOT_ATTEMPTED:
            return Verdict(False)
        want = reference(*args)
        problem = _compare(got, want, rtol, atol if slack is None else atol + slack(*args))
        if problem is not None and explain is not None:
            problem = explain(got, want, args) or problem
        if problem is not None:
            shown = ", ".join(
                repr(a) if not isinstance(a, torch.Tensor) else f"tensor{tuple(a.shape)}" for a in args
            )
            print(f"✗ {name}: case {i + 1} ({shown}): {problem}." + (f" Hint: {hint}" if hint else ""))
            return Verdict(False)
    print(f"✓ {name}: correct on all {len(cases)} cases")
    return Verdict(True)
