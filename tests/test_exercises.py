"""Tests for helpers/exercises.py: check_answer's feedback lines and its Verdict."""

import numpy as np
import pytest
import torch

from helpers.exercises import Verdict, check_answer

# distinctive numbers: if they appear in the printed feedback, the expected answer leaked
SECRET = 8675.309
SECRET_TENSOR = torch.tensor([[SECRET, 1234.5], [-4321.25, 777.125]])
LEAKS = ("8675", "1234.5", "4321", "777.1")


def run(capsys, *args, **kwargs):
    verdict = check_answer(*args, **kwargs)
    out = capsys.readouterr().out
    assert isinstance(verdict, Verdict)
    assert out.count("\n") == 1, f"exactly one feedback line expected, got {out!r}"
    for leak in LEAKS:
        assert leak not in out, f"the expected value leaked into the feedback: {out!r}"
    return verdict, out


def double(x):
    return 2 * x


# ------------------------------------------------------------------------------------------ right
def test_right_tensor_answer(capsys):
    verdict, out = run(capsys, "doubling", lambda x: x + x, double, [(torch.ones(3),), (torch.randn(2, 4),)])
    assert verdict and verdict.ok is True
    assert out.startswith("✓ doubling") and "2 cases" in out and "✗" not in out


def test_right_number_answers(capsys):
    assert run(capsys, "ints", lambda n: n * n, lambda n: n**2, [(1,), (7,), (12,)])[0]
    assert run(capsys, "floats within rtol", lambda x: x * (1 + 1e-7), lambda x: x, [(3.5,), (1e6,)])[0]
    assert run(capsys, "numpy scalar", lambda x: np.float64(x) / 2, lambda x: x / 2, [(3,)])[0]
    assert run(
        capsys, "0-d tensor for a number", lambda x: torch.tensor(x) * 2, lambda x: float(x * 2), [(2.5,)]
    )[0]
    assert run(capsys, "infinity", lambda: float("inf"), lambda: float("inf"), [()])[0]


def test_right_bool_and_other_answers(capsys):
    mask = lambda n: torch.ones(n, n, dtype=torch.bool).tril()
    assert run(
        capsys,
        "bool tensor",
        lambda n: torch.arange(n)[None, :] <= torch.arange(n)[:, None],
        mask,
        [(1,), (4,)],
    )[0]
    assert run(capsys, "strings", lambda s: s.upper(), lambda s: s.upper(), [("abc",)])[0]
    assert run(capsys, "lists", lambda n: list(range(n)), lambda n: [*range(n)], [(3,)])[0]


def test_tolerances_are_used(capsys):
    off = lambda x: x + 1e-3
    assert not run(capsys, "tight", off, lambda x: x, [(torch.ones(2),)])[0]
    assert run(capsys, "loose", off, lambda x: x, [(torch.ones(2),)], atol=1e-2)[0]
    assert not run(capsys, "tight number", lambda: 1.001, lambda: 1.0, [()])[0]
    assert run(capsys, "loose number", lambda: 1.001, lambda: 1.0, [()], rtol=1e-2)[0]


# ------------------------------------------------------------------------------------------ wrong
def test_not_attempted(capsys):
    def todo(x):
        raise NotImplementedError

    verdict, out = run(capsys, "my exercise", todo, double, [(1,)])
    assert not verdict and verdict.ok is False
    assert out.startswith("✗ my exercise") and "not attempted yet" in out


def test_wrong_shape(capsys):
    verdict, out = run(capsys, "shape", lambda: torch.zeros(3), lambda: SECRET_TENSOR, [()])
    assert not verdict
    assert out.startswith("✗ shape") and "shape (3,)" in out and "case 1" in out
    assert "(2, 2)" not in out and "[2, 2]" not in out, "the expected shape is part of the answer"


def test_wrong_dtype_for_bool(capsys):
    verdict, out = run(
        capsys,
        "mask",
        lambda n: torch.ones(n, n).tril(),
        lambda n: torch.ones(n, n, dtype=torch.bool).tril(),
        [(3,)],
    )
    assert not verdict
    assert "dtype" in out and "torch.float32" in out and "bool" in out


def test_wrong_bool_values(capsys):
    verdict, out = run(
        capsys,
        "mask",
        lambda n: torch.ones(n, n, dtype=torch.bool).triu(),
        lambda n: torch.ones(n, n, dtype=torch.bool).tril(),
        [(3,)],
    )
    assert not verdict
    assert "6 entries differ" in out and "(0, 1)" in out


def test_wrong_values(capsys):
    got = SECRET_TENSOR.clone()
    got[1, 0] += 1.0
    verdict, out = run(capsys, "values", lambda: got, lambda: SECRET_TENSOR, [()], hint="look at row 1")
    assert not verdict
    assert "1 of 4 values are off" in out and "(1, 0)" in out
    assert "Hint: look at row 1" in out


def test_wrong_type_for_tensor(capsys):
    verdict, out = run(capsys, "type", SECRET_TENSOR.tolist, lambda: SECRET_TENSOR, [()])
    assert not verdict and "returned a list" in out and "torch.Tensor" in out


def test_wrong_numbers(capsys):
    verdict, out = run(capsys, "count", lambda n: n + 1, lambda n: SECRET, [(4,)])
    assert not verdict and "the value is off" in out and "case 1 (4)" in out
    verdict, out = run(capsys, "count", lambda n: "many", lambda n: SECRET, [(4,)])
    assert not verdict and "returned a str" in out and "expected a number" in out
    verdict, out = run(capsys, "count", lambda n: True, lambda n: 1, [(4,)])
    assert not verdict and "returned a bool" in out
    verdict, out = run(capsys, "count", lambda n: torch.ones(2), lambda n: 2.0, [(4,)])
    assert not verdict and "expected a number" in out
    verdict, out = run(capsys, "nan", lambda: float("nan"), lambda: 1.0, [()])
    assert not verdict


def test_reports_first_failing_case_only(capsys):
    verdict, out = run(capsys, "later", lambda n: n if n < 3 else -n, lambda n: n, [(1,), (2,), (3,), (4,)])
    assert not verdict and "case 3 (3)" in out and "case 4" not in out


def test_tensor_arguments_are_summarised_by_shape(capsys):
    verdict, out = run(capsys, "args", lambda x, k: x * 0, lambda x, k: x * k, [(torch.ones(2, 3), 5)])
    assert not verdict and "tensor(2, 3), 5" in out


def test_candidate_exception_is_reported_not_raised(capsys):
    def buggy(x):
        return x[10]

    verdict, out = run(capsys, "index", buggy, lambda x: x[0], [(torch.ones(3),)])
    assert not verdict
    assert out.startswith("✗ index") and "on case 1 your function raised IndexError" in out


def test_uncomparable_results_do_not_raise(capsys):
    """A wrong answer never raises: an array compared with a list, or tuples of tensors."""
    verdict, out = run(capsys, "array", lambda: np.array([1, 2]), lambda: [1, 2], [()])
    assert not verdict and "differs" in out
    verdict, out = run(
        capsys, "tuple", lambda: (torch.zeros(2), torch.ones(2)), lambda: (torch.ones(2),) * 2, [()]
    )
    assert not verdict
    verdict, out = run(capsys, "other", lambda: "abc", lambda: "abd", [()])
    assert not verdict and "the result differs" in out


# ---------------------------------------------------------------------------------------- arguments
@pytest.mark.parametrize("candidate,reference", [(None, double), (double, 3), ("f", double)])
def test_non_callables_are_rejected(candidate, reference):
    with pytest.raises(TypeError):
        check_answer("x", candidate, reference, [(1,)])


@pytest.mark.parametrize("cases", [[], (), [1, 2], [(1,), [2]], None])
def test_bad_cases_are_rejected(cases):
    with pytest.raises(ValueError, match="^cases must be a non-empty sequence of argument tuples$"):
        check_answer("x", double, double, cases)


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        (dict(rtol=-1e-5), ValueError, "rtol must be a finite number >= 0, got -1e-05"),
        (dict(atol=float("nan")), ValueError, "atol must be a finite number >= 0, got nan"),
        (dict(atol="1e-6"), TypeError, "atol must be a finite number >= 0, got str"),
    ],
)
def test_bad_tolerances_are_rejected(kwargs, exc, message, capsys):
    with pytest.raises(exc, match=f"^{message}$"):
        check_answer("x", double, double, [(1,)], **kwargs)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("name", ["", None, 3])
def test_bad_name_is_rejected(name):
    with pytest.raises(TypeError, match="^name must be a non-empty str"):
        check_answer(name, double, double, [(1,)])


# ------------------------------------------------------------------------------------------ Verdict
def test_verdict():
    assert bool(Verdict(True)) is True and bool(Verdict(False)) is False
    assert Verdict(1).ok is True and Verdict(0).ok is False
    assert repr(Verdict(True)) == "Verdict(True)" and repr(Verdict(False)) == "Verdict(False)"


def test_verdict_ending_a_cell_shows_nothing():
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    assert formatter.format(Verdict(True)) == ({}, {})
    assert formatter.format(Verdict(False)) == ({}, {})
    assert formatter.format(True)[0] == {"text/plain": "True"}  # what a plain bool would have shown
