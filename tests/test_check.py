"""Tests for helpers.check: one '✓' line on success, AssertionError showing values on failure."""

import math

import numpy as np
import pytest
import torch

from helpers.check import check_close, check_gradients, check_less, finite_difference_grad


def one_line(capsys) -> str:
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 1, out
    return lines[0]


# --------------------------------------------------------------------------------------------- check_close


@pytest.mark.parametrize(
    "got, expected",
    [
        (1.0, 1.0),
        (3, 3.0),
        ([1.0, 2.0, 3.0], (1.0, 2.0, 3.0)),
        (np.arange(6.0).reshape(2, 3), torch.arange(6.0).reshape(2, 3)),
        (torch.tensor(0.5, dtype=torch.float32), np.float64(0.5)),
        (torch.ones(2, 2, requires_grad=True) * 2, 2 * np.ones((2, 2))),
        (np.int64(7), 7.0),
    ],
)
def test_check_close_success_prints_tick_and_returns_max_diff(capsys, got, expected):
    result = check_close("same values", got, expected)
    assert result == pytest.approx(0.0, abs=1e-12)
    line = one_line(capsys)
    assert line.startswith("✓ same values")


def test_check_close_returns_the_largest_absolute_difference(capsys):
    diff = check_close("near", [1.0, 2.0, 3.0], [1.0, 2.0 + 1e-9, 3.0 - 3e-9], rtol=0, atol=1e-8)
    assert diff == pytest.approx(3e-9, rel=1e-3)
    assert one_line(capsys).startswith("✓ near")


def test_check_close_empty_arrays_pass(capsys):
    assert check_close("empty", np.zeros(0), torch.zeros(0)) == 0.0
    assert one_line(capsys).startswith("✓")


def test_check_close_failure_shows_both_values_and_prints_nothing(capsys):
    with pytest.raises(AssertionError) as info:
        check_close("my quantity", [1.0, 2.0], [1.0, 2.5])
    msg = str(info.value)
    assert "my quantity" in msg
    assert "2." in msg and "2.5" in msg
    assert "0.5" in msg  # the max |diff|
    assert "✓" not in capsys.readouterr().out


def test_check_close_failure_on_scalars_shows_values():
    with pytest.raises(AssertionError, match=r"(?s)got.*3\..*expected.*4\."):
        check_close("scalar", 3.0, 4.0)


def test_check_close_respects_rtol_and_atol(capsys):
    # |diff| = 0.01, |expected| = 100: passes with rtol 1e-4 (allowance 0.01 + atol), fails with rtol 1e-5
    check_close("rel ok", 100.01, 100.0, rtol=1e-4, atol=1e-9)
    with pytest.raises(AssertionError):
        check_close("rel too tight", 100.01, 100.0, rtol=1e-5, atol=0.0)
    # atol alone
    check_close("abs ok", 0.0, 1e-3, rtol=0.0, atol=2e-3)
    with pytest.raises(AssertionError):
        check_close("abs too tight", 0.0, 1e-3, rtol=0.0, atol=5e-4)
    out = capsys.readouterr().out
    assert "✓ rel ok" in out and "✓ abs ok" in out


def test_check_close_tolerance_is_relative_to_expected_not_got():
    # numpy.allclose semantics: the relative allowance uses |expected|
    check_close("expected large", 0.0, 10.0, rtol=1.0, atol=0.0)
    with pytest.raises(AssertionError):
        check_close("expected zero", 10.0, 0.0, rtol=1.0, atol=0.0)


def test_check_close_shape_mismatch_raises_assertion_naming_shapes():
    with pytest.raises(AssertionError, match=r"\(2,\).*\(3,\)"):
        check_close("shapes", [1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(AssertionError):
        check_close("no broadcasting", np.ones((2, 1)), np.ones((2, 2)))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_check_close_non_finite_values_fail(bad):
    with pytest.raises(AssertionError, match="non-finite"):
        check_close("nan got", [1.0, bad], [1.0, 1.0])
    with pytest.raises(AssertionError, match="non-finite"):
        check_close("nan expected", [1.0, 1.0], [1.0, bad])


def test_check_close_compares_in_float64():
    # a 1e-10 difference is visible in float64 (it would vanish in float32)
    with pytest.raises(AssertionError):
        check_close("f64", torch.tensor(1 + 1e-10, dtype=torch.float64), 1.0, rtol=0.0, atol=1e-12)


@pytest.mark.parametrize("name", ["", None, 3])
def test_check_close_bad_name_raises_type_error(name):
    with pytest.raises(TypeError, match="name"):
        check_close(name, 1.0, 1.0)


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        ({"rtol": -1e-3}, ValueError, "rtol must be a finite number >= 0, got -0.001"),
        ({"atol": -1.0}, ValueError, "atol must be a finite number >= 0, got -1.0"),
        ({"atol": math.nan}, ValueError, "atol must be a finite number >= 0, got nan"),
        ({"rtol": "1e-5"}, TypeError, "rtol must be a finite number >= 0, got str"),
        ({"atol": torch.tensor(1e-6)}, TypeError, "atol must be a finite number >= 0, got Tensor"),
    ],
)
def test_check_close_bad_tolerance_raises_naming_it(kwargs, exc, message):
    with pytest.raises(exc, match=f"^{message}$"):
        check_close("x", 1.0, 1.0, **kwargs)


@pytest.mark.parametrize("which", ["got", "expected"])
@pytest.mark.parametrize("bad", ["1.0", None, {"a": 1}, object(), ["a", "b"], [[1.0], [1.0, 2.0]]])
def test_check_close_bad_inputs_raise_type_error_naming_parameter(which, bad):
    args = {"got": 1.0, "expected": 1.0}
    args[which] = bad
    with pytest.raises(TypeError, match=which):
        check_close("bad", args["got"], args["expected"])


# --------------------------------------------------------------------------------------------- check_less


def test_check_less_success_returns_ratio_and_prints(capsys):
    ratio = check_less("error shrinks", 1.0, 4.0)
    assert ratio == pytest.approx(0.25)
    line = one_line(capsys)
    assert line.startswith("✓ error shrinks")
    assert "1" in line and "4" in line


def test_check_less_accepts_tensors_arrays_and_one_element_containers(capsys):
    assert check_less("t", torch.tensor(2.0), np.array([5.0])) == pytest.approx(0.4)
    assert check_less("l", [1], (3,)) == pytest.approx(1 / 3)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(line.startswith("✓") for line in out)


def test_check_less_failure_shows_both_values(capsys):
    with pytest.raises(AssertionError) as info:
        check_less("loss went down", 7.5, 3.25)
    msg = str(info.value)
    assert "loss went down" in msg and "7.5" in msg and "3.25" in msg
    assert capsys.readouterr().out == ""


def test_check_less_is_strict():
    with pytest.raises(AssertionError):
        check_less("equal", 2.0, 2.0)


def test_check_less_factor_demands_a_margin(capsys):
    assert check_less("ten times", 0.5, 10.0, factor=0.1) == pytest.approx(0.05)
    assert "0.1" in one_line(capsys)
    with pytest.raises(AssertionError, match="0.1"):
        check_less("not ten times", 2.0, 10.0, factor=0.1)
    # factor > 1 relaxes the comparison
    check_less("within double", 3.0, 2.0, factor=2.0)


def test_check_less_nan_fails():
    with pytest.raises(AssertionError):
        check_less("nan", float("nan"), 1.0)
    with pytest.raises(AssertionError):
        check_less("nan", 1.0, float("nan"))


def test_check_less_negative_values_and_zero_larger(capsys):
    check_less("negatives", -3.0, -1.0)
    assert math.isinf(check_less("zero larger", -1.0, 0.0))


@pytest.mark.parametrize("factor", [0.0, -1.0, math.inf])
def test_check_less_bad_factor_raises_value_error(factor):
    with pytest.raises(ValueError, match=rf"^factor must be a finite number > 0, got {factor!r}$"):
        check_less("x", 1.0, 2.0, factor=factor)


def test_check_less_non_number_factor_raises_type_error():
    with pytest.raises(TypeError, match="^factor must be a finite number > 0, got str$"):
        check_less("x", 1.0, 2.0, factor="0.5")


@pytest.mark.parametrize(
    "smaller, larger", [([1.0, 2.0], 3.0), (1.0, np.ones((2, 2))), (torch.zeros(0), 1.0)]
)
def test_check_less_non_scalar_raises_value_error(smaller, larger):
    with pytest.raises(ValueError, match="scalar"):
        check_less("x", smaller, larger)


@pytest.mark.parametrize("which", ["smaller", "larger"])
def test_check_less_bad_type_names_parameter(which):
    args = {"smaller": 1.0, "larger": 2.0}
    args[which] = "big"
    with pytest.raises(TypeError, match=which):
        check_less("x", **args)


@pytest.mark.parametrize("name", ["", None])
def test_check_less_bad_name(name):
    with pytest.raises(TypeError, match="name"):
        check_less(name, 1.0, 2.0)


# --------------------------------------------------------------------------------- finite_difference_grad


def test_finite_difference_grad_matches_known_gradients():
    a = torch.tensor([[0.3, -1.2], [2.0, 0.7]], dtype=torch.float64)
    b = torch.tensor([1.5, -0.5, 0.25], dtype=torch.float64)

    def fn(a, b):
        return (a**3).sum() + torch.sin(b).prod()

    ga, gb = finite_difference_grad(fn, [a, b])
    assert ga.shape == a.shape and gb.shape == b.shape
    torch.testing.assert_close(ga, 3 * a**2, rtol=1e-6, atol=1e-8)
    sb = torch.sin(b)
    expected_b = torch.stack(
        [torch.cos(b[i]) * torch.prod(torch.cat([sb[:i], sb[i + 1 :]])) for i in range(3)]
    )
    torch.testing.assert_close(gb, expected_b, rtol=1e-6, atol=1e-8)


def test_finite_difference_grad_does_not_modify_inputs():
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    before = x.clone()
    finite_difference_grad(lambda x: (x**2).sum(), [x])
    assert torch.equal(x, before)


def test_finite_difference_grad_handles_non_contiguous_inputs():
    x = torch.arange(6, dtype=torch.float64).reshape(2, 3).t()  # (3, 2), not contiguous
    assert not x.is_contiguous()
    (g,) = finite_difference_grad(lambda x: (x**2 * torch.arange(1.0, 3.0, dtype=torch.float64)).sum(), [x])
    torch.testing.assert_close(g, 2 * x * torch.tensor([1.0, 2.0], dtype=torch.float64), rtol=1e-6, atol=1e-7)


def test_finite_difference_grad_of_unused_input_is_zero():
    x = torch.ones(2, dtype=torch.float64)
    y = torch.ones(3, dtype=torch.float64)
    gx, gy = finite_difference_grad(lambda x, y: (x * 5).sum(), [x, y])
    torch.testing.assert_close(gx, torch.full((2,), 5.0, dtype=torch.float64))
    assert torch.equal(gy, torch.zeros(3, dtype=torch.float64))


# ---------------------------------------------------------------------------------------- check_gradients


def _quad_inputs():
    g = torch.Generator().manual_seed(0)
    return [
        torch.randn(3, 2, generator=g, dtype=torch.float64),
        torch.randn(2, generator=g, dtype=torch.float64),
    ]


def _quad(w, v):
    return ((w @ v) ** 2).sum()


def test_check_gradients_autograd_vs_finite_differences(capsys):
    worst = check_gradients("quadratic", _quad, _quad_inputs())
    assert 0.0 <= worst < 1e-6
    line = one_line(capsys)
    assert line.startswith("✓ quadratic")
    assert "finite differences" in line and "hand-derived" not in line


def test_check_gradients_with_correct_analytic_gradients(capsys):
    w, v = _quad_inputs()
    r = w @ v
    analytic = [2 * torch.outer(r, v), 2 * w.T @ r]
    worst = check_gradients("quadratic by hand", _quad, [w, v], analytic)
    assert worst < 1e-6
    line = one_line(capsys)
    assert line.startswith("✓ quadratic by hand") and "hand-derived" in line and "finite differences" in line


def test_check_gradients_wrong_analytic_gradient_fails_showing_values(capsys):
    w, v = _quad_inputs()
    r = w @ v
    wrong = [torch.outer(r, v), 2 * w.T @ r]  # missing factor 2 in the first
    with pytest.raises(AssertionError) as info:
        check_gradients("wrong derivation", _quad, [w, v], wrong)
    msg = str(info.value)
    assert "wrong derivation" in msg and "hand-derived" in msg and "autograd" in msg
    assert "✓" not in capsys.readouterr().out


def test_check_gradients_analytic_wrong_shape_fails():
    w, v = _quad_inputs()
    with pytest.raises(AssertionError, match="shape"):
        check_gradients("shape", _quad, [w, v], [torch.zeros(2, 3, dtype=torch.float64), torch.zeros(2)])


def test_check_gradients_detects_wrong_custom_backward():
    class BadSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x  # should be 2 * x

    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    with pytest.raises(AssertionError, match="finite differences"):
        check_gradients("bad backward", lambda x: BadSquare.apply(x).sum(), [x])


def test_check_gradients_does_not_modify_inputs(capsys):
    inputs = _quad_inputs()
    before = [x.clone() for x in inputs]
    check_gradients("pure", _quad, inputs)
    for x, b in zip(inputs, before):
        assert torch.equal(x, b) and not x.requires_grad


def test_check_gradients_input_unused_by_fn_has_zero_gradient(capsys):
    x, y = torch.ones(2, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    check_gradients("unused", lambda x, y: (x**2).sum(), [x, y], [2 * x, torch.zeros(3, dtype=torch.float64)])
    assert one_line(capsys).startswith("✓ unused")
    with pytest.raises(AssertionError):
        check_gradients("unused, wrong", lambda x, y: (x**2).sum(), [x, y], [2 * x, torch.ones(3)])


def test_check_gradients_non_contiguous_input(capsys):
    x = torch.arange(6, dtype=torch.float64).reshape(2, 3).t()
    check_gradients(
        "transposed", lambda x: (x.sin() * torch.arange(6.0, dtype=torch.float64).reshape(3, 2)).sum(), [x]
    )
    assert one_line(capsys).startswith("✓ transposed")


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        (dict(eps=0.0), ValueError, "eps must be a finite number > 0, got 0.0"),
        (dict(rtol=-1.0), ValueError, "rtol must be a finite number >= 0, got -1.0"),
        (dict(atol="0"), TypeError, "atol must be a finite number >= 0, got str"),
        (dict(max_elements=0), ValueError, "max_elements must be an int >= 1, got 0"),
        (dict(max_elements=10.0), TypeError, "max_elements must be an int >= 1, got float"),
    ],
)
def test_check_gradients_bad_settings_raise_naming_them(kwargs, exc, message):
    with pytest.raises(exc, match=f"^{message}$"):
        check_gradients("x", _quad, _quad_inputs(), **kwargs)


@pytest.mark.parametrize("name", ["", None])
def test_check_gradients_bad_name_raises_type_error(name):
    with pytest.raises(TypeError, match="^name must be a non-empty str"):
        check_gradients(name, _quad, _quad_inputs())


def test_finite_difference_grad_bad_eps_raises_value_error():
    with pytest.raises(ValueError, match="^eps must be a finite number > 0, got -1e-06$"):
        finite_difference_grad(lambda x: x.sum(), [torch.ones(2, dtype=torch.float64)], eps=-1e-6)


def test_check_gradients_bad_fn_raises_type_error():
    with pytest.raises(TypeError, match="fn"):
        check_gradients("x", "not callable", [torch.ones(2, dtype=torch.float64)])


@pytest.mark.parametrize("inputs", [[], [np.ones(2)], [torch.ones(2, dtype=torch.float64), 3.0]])
def test_check_gradients_bad_inputs_raise_type_error(inputs):
    with pytest.raises(TypeError, match="inputs"):
        check_gradients("x", lambda *a: sum(t.sum() for t in a), inputs)


def test_check_gradients_float32_inputs_raise_value_error():
    with pytest.raises(ValueError, match="float64"):
        check_gradients("x", lambda x: x.sum(), [torch.ones(2)])


def test_check_gradients_too_many_elements_raises_value_error():
    calls = []

    def fn(x):
        calls.append(1)
        return x.sum()

    with pytest.raises(ValueError, match="max_elements"):
        check_gradients("x", fn, [torch.ones(11, dtype=torch.float64)], max_elements=10)
    assert calls == []  # refused before any evaluation


def test_check_gradients_analytic_count_mismatch_raises_value_error():
    with pytest.raises(ValueError, match="analytic"):
        check_gradients("x", _quad, _quad_inputs(), [torch.zeros(3, 2, dtype=torch.float64)])


def test_check_gradients_non_scalar_output_raises_value_error():
    with pytest.raises(ValueError, match="scalar"):
        check_gradients("x", lambda x: x * 2, [torch.ones(3, dtype=torch.float64)])


def test_returned_measurement_ending_a_cell_shows_nothing(capsys):
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    measured = check_close("m", 1.0, 1.0 + 1e-12)
    assert formatter.format(measured) == ({}, {})  # the printed ✓ line is the cell's whole output
    assert formatter.format(check_less("l", 1.0, 2.0)) == ({}, {})
    assert formatter.format(float(measured))[0] == {"text/plain": repr(float(measured))}
    assert measured == pytest.approx(1e-12, rel=1e-3)  # still usable as a number
