"""Tests for helpers.validate: every check, each accepted kind of value and each error with its wording."""

import math
import re
from fractions import Fraction

import numpy as np
import pytest
import torch

from helpers.validate import check_bool, check_choice, check_int, check_real, check_seed

# ---------------------------------------------------------------------------------------------- check_int


@pytest.mark.parametrize("value", [0, -7, 10**30, np.int64(5), np.int8(-3), np.uint32(4_000_000_000)])
def test_check_int_returns_a_plain_int(value):
    out = check_int("n", value)
    assert type(out) is int and out == int(value)


@pytest.mark.parametrize(
    "value", [True, False, np.bool_(True), 3.0, np.float64(2.0), "3", None, [1], Fraction(2)]
)
def test_check_int_refuses_non_integers_with_a_type_error(value):
    with pytest.raises(TypeError, match=rf"^n must be an int, got {type(value).__name__}$"):
        check_int("n", value)


@pytest.mark.parametrize(
    "low, high, value, allowed",
    [
        (1, None, 0, "an int >= 1"),
        (1, None, -5, "an int >= 1"),
        (None, 3, 4, "an int <= 3"),
        (2, 5, 1, r"an int in \[2, 5\]"),
        (2, 5, 6, r"an int in \[2, 5\]"),
        (0, 0, np.int64(1), r"an int in \[0, 0\]"),
    ],
)
def test_check_int_outside_the_bounds_is_a_value_error(low, high, value, allowed):
    with pytest.raises(ValueError, match=rf"^num_pairs must be {allowed}, got {int(value)}$"):
        check_int("num_pairs", value, low, high)


@pytest.mark.parametrize("low, high, value", [(1, None, 1), (None, 3, 3), (2, 5, 2), (2, 5, 5), (0, 0, 0)])
def test_check_int_bounds_are_inclusive(low, high, value):
    assert check_int("n", value, low, high) == value


def test_check_int_type_error_names_the_range_too():
    with pytest.raises(TypeError, match=r"^size must be an int in \[8, 512\], got float$"):
        check_int("size", 32.0, 8, 512)


# --------------------------------------------------------------------------------------------- check_real


@pytest.mark.parametrize(
    "value", [0, 3, -2.5, np.float32(0.25), np.float64(1e300), np.int64(4), Fraction(1, 4)]
)
def test_check_real_returns_a_plain_float(value):
    out = check_real("x", value)
    assert type(out) is float and out == float(value)


@pytest.mark.parametrize("value", [True, False, "0.5", None, 1j, np.array([0.5]), [0.5]])
def test_check_real_refuses_non_numbers_with_a_type_error(value):
    with pytest.raises(
        TypeError, match=rf"^x must be a finite number, got {re.escape(type(value).__name__)}$"
    ):
        check_real("x", value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float64("nan"), np.float32("inf")])
def test_check_real_refuses_nan_and_infinity_even_without_bounds(value):
    with pytest.raises(ValueError, match=r"^x must be a finite number, got (nan|inf|-inf)$"):
        check_real("x", value)


def test_check_real_refuses_an_int_too_large_for_a_float():
    with pytest.raises(
        ValueError, match=r"^x must be a finite number, got 1000000000000000000000000000000000000000\d+$"
    ):
        check_real("x", 10**400)


def test_check_real_refuses_nan_inside_bounds():
    # NaN compares False with every bound, so only the finiteness test can catch it
    with pytest.raises(ValueError, match=r"in \[0, 1\], got nan$"):
        check_real("p", math.nan, 0, 1)


@pytest.mark.parametrize(
    "kwargs, inside, outside, allowed",
    [
        (dict(low=0), [0, 0.0, 5.0], [-1e-12, -3], "a finite number >= 0"),
        (dict(low=0, low_open=True), [1e-300, 2.0], [0, 0.0, -1.0], "a finite number > 0"),
        (dict(high=1), [1, -5.0], [1.0000001], "a finite number <= 1"),
        (dict(high=1, high_open=True), [0.999, -5.0], [1, 1.5], "a finite number < 1"),
        (dict(low=0, high=1), [0, 0.5, 1], [-0.1, 1.1], r"a finite number in \[0, 1\]"),
        (dict(low=0, high=1, low_open=True), [0.5, 1], [0, -0.1], r"a finite number in \(0, 1\]"),
        (dict(low=0, high=1, high_open=True), [0, 0.5], [1, 1.1], r"a finite number in \[0, 1\)"),
        (dict(low=0, high=2, low_open=True, high_open=True), [1.0], [0, 2], r"a finite number in \(0, 2\)"),
    ],
)
def test_check_real_open_and_closed_bounds(kwargs, inside, outside, allowed):
    for value in inside:
        assert check_real("rate", value, **kwargs) == float(value)
    for value in outside:
        with pytest.raises(
            ValueError, match=rf"^rate must be {allowed}, got {re.escape(repr(float(value)))}$"
        ):
            check_real("rate", value, **kwargs)


def test_check_real_open_flags_without_a_bound_change_nothing():
    assert check_real("x", -1e9, low_open=True, high_open=True) == -1e9
    with pytest.raises(TypeError, match=r"^x must be a finite number, got str$"):
        check_real("x", "1", low_open=True)


# --------------------------------------------------------------------------------------------- check_bool


@pytest.mark.parametrize("value", [True, False])
def test_check_bool_returns_the_bool(value):
    assert check_bool("verbose", value) is value


@pytest.mark.parametrize("value", [0, 1, "True", None, np.bool_(True), 1.0])
def test_check_bool_refuses_everything_else(value):
    with pytest.raises(TypeError, match=rf"^verbose must be True or False, got {type(value).__name__}$"):
        check_bool("verbose", value)


# --------------------------------------------------------------------------------------------- check_seed


@pytest.mark.parametrize("value", [0, 1, 2**32 - 1, np.int64(7), np.uint32(2**32 - 1)])
def test_check_seed_accepts_the_range_numpy_and_torch_share(value):
    out = check_seed("seed", value)
    assert type(out) is int and out == int(value)
    np.random.default_rng(out)  # NumPy (new and legacy generators) and PyTorch accept every value let through
    np.random.RandomState(out)
    torch.Generator().manual_seed(out)


@pytest.mark.parametrize("value", [-1, 2**32, 10**20])
def test_check_seed_out_of_range_is_a_value_error(value):
    with pytest.raises(ValueError, match=rf"^seed must be an int in \[0, {2**32 - 1}\], got {value}$"):
        check_seed("seed", value)


@pytest.mark.parametrize("value", [True, 1.0, "0", None])
def test_check_seed_non_int_is_a_type_error(value):
    with pytest.raises(TypeError, match=r"^seed must be an int in \[0, 4294967295\], got "):
        check_seed("seed", value)


# ------------------------------------------------------------------------------------------- check_choice


def test_check_choice_returns_the_value_itself():
    option = ("a", 1)
    assert check_choice("pair", option, [option, ("b", 2)]) is option
    assert check_choice("device", "cpu", ("auto", "cpu")) == "cpu"


def test_check_choice_accepts_any_iterable_once_consumed():
    assert check_choice("k", 3, (i for i in range(5))) == 3
    assert check_choice("k", "y", {"x": 0, "y": 1}) == "y"


@pytest.mark.parametrize("value", ["CPU", "", None, "gpu", 0])
def test_check_choice_lists_every_choice_in_its_error(value):
    with pytest.raises(
        ValueError, match=rf"^device must be one of 'auto', 'cpu', 'cuda', got {re.escape(repr(value))}$"
    ):
        check_choice("device", value, ("auto", "cpu", "cuda"))
