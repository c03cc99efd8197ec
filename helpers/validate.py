"""Argument checks shared by every helper and component: one wording for every bad-input error.

Each function returns the value converted to a plain Python type, so a caller can write
``n = check_int("n", n, low=1)``. Wrong *types* raise ``TypeError`` and wrong *values* ``ValueError``;
both messages name the parameter and say what is allowed, e.g. ``num_pairs must be an int >= 1, got 0``.
``bool`` is refused wherever a number is expected (``True`` is an ``int`` to Python, never to a reader).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

__all__ = ["check_bool", "check_choice", "check_int", "check_real", "check_seed"]


def _range_text(low, high, low_open: bool = False, high_open: bool = False) -> str:
    """' >= 1', ' in [0, 1]', ' > 0' … — the allowed range in words (empty when unbounded)."""
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def check_int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int`` in ``[low, high]`` (either bound may be None); NumPy integers are accepted.

    Raises:
        TypeError: ``value`` is not an integer (``bool`` and floats such as ``3.0`` included).
        ValueError: ``value`` lies outside ``[low, high]``.
    """
    allowed = f"an int{_range_text(low, high)}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {allowed}, got {type(value).__name__}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return int(value)


def check_real(
    name: str,
    value,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite ``float`` in the given range (``low_open``/``high_open`` exclude the bound).

    Raises:
        TypeError: ``value`` is not a real number (``bool`` included).
        ValueError: ``value`` is NaN or infinite, or outside the range.
    """
    allowed = f"a finite number{_range_text(low, high, low_open, high_open)}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {allowed}, got {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:  # an int too large for a float
        raise ValueError(f"{name} must be {allowed}, got {value}") from None
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not math.isfinite(value) or too_low or too_high:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return value


def check_bool(name: str, value) -> bool:
    """``value`` itself when it is a ``bool``; 0/1 and strings are refused."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return value


def check_seed(name: str, value) -> int:
    """A seed: an ``int`` in ``[0, 2**32)`` (what NumPy and PyTorch both accept)."""
    return check_int(name, value, 0, 2**32 - 1)


def check_choice(name: str, value, allowed: Iterable):
    """``value`` when it is one of ``allowed``; otherwise a ``ValueError`` listing the choices."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value
