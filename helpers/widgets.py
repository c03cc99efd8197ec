"""Explorers: a thin layer over ipywidgets whose callbacks and control ranges the tests can see.

An explorer wraps a small *pure* function ``fn(**values)`` returning a figure, a string or any displayable
object. Controls declare their full range, so the test suite can call ``fn`` at the minimum, middle and
maximum of every control (:func:`sweep_explorers`) without a browser::

    explore = Explorer(show_attention, title="Attention maps",
                       layer=IntSlider(0, 1), head=IntSlider(0, 3), text=Text("3 1 2", probes=["", "x"]))
    explore          # renders the controls and the output in JupyterLab
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from helpers.validate import check_bool, check_int, check_real

_REGISTRY: list[Explorer] = []


def clear_registry() -> None:
    """Forget the explorers created so far (called by :func:`helpers.setup`)."""
    _REGISTRY.clear()


def registered() -> list[Explorer]:
    """The explorers created since the last :func:`helpers.setup`, in order."""
    return list(_REGISTRY)


def _slider(factory, control, name: str):
    """An ipywidgets slider (``factory``) showing ``control``'s range; updates on release."""
    return factory(
        value=control.value,
        min=control.min,
        max=control.max,
        step=control.step,
        description=control.description or name,
        continuous_update=False,
    )


@dataclass
class IntSlider:
    """An integer slider over ``[min, max]`` in steps of ``step``; ``value`` defaults to ``min``."""

    min: int
    max: int
    step: int = 1
    value: int | None = None
    description: str = ""

    def __post_init__(self):
        self.min = check_int("min", self.min)
        self.max = check_int("max", self.max, low=self.min)
        self.step = check_int("step", self.step, low=1)
        self.value = check_int("value", self.min if self.value is None else self.value, self.min, self.max)

    def sweep_values(self) -> list[int]:
        mid = self.min + ((self.max - self.min) // 2 // self.step) * self.step
        return list(dict.fromkeys([self.min, mid, self.max]))

    def widget(self, name: str):
        import ipywidgets as w

        return _slider(w.IntSlider, self, name)


@dataclass
class FloatSlider:
    """A float slider over ``[min, max]``; ``value`` defaults to the middle."""

    min: float
    max: float
    step: float = 0.01
    value: float | None = None
    description: str = ""

    def __post_init__(self):
        self.min = check_real("min", self.min)
        self.max = check_real("max", self.max, low=self.min)
        self.step = check_real("step", self.step, low=0, low_open=True)
        value = (self.min + self.max) / 2 if self.value is None else self.value
        self.value = check_real("value", value, self.min, self.max)

    def sweep_values(self) -> list[float]:
        return list(dict.fromkeys([self.min, (self.min + self.max) / 2, self.max]))

    def widget(self, name: str):
        import ipywidgets as w

        return _slider(w.FloatSlider, self, name)


@dataclass
class Dropdown:
    """A choice among ``options`` (strings or numbers); ``value`` defaults to the first."""

    options: Sequence[Any]
    value: Any = None
    description: str = ""

    def __post_init__(self):
        if (
            isinstance(self.options, (str, bytes))
            or not isinstance(self.options, Sequence)
            or not self.options
        ):
            raise TypeError("options must be a non-empty sequence (list or tuple)")
        self.options = list(self.options)
        self.value = self.options[0] if self.value is None else self.value
        if self.value not in self.options:
            raise ValueError(f"value {self.value!r} is not one of the options {self.options}")

    def sweep_values(self) -> list[Any]:
        o = self.options
        return list(dict.fromkeys([o[0], o[len(o) // 2], o[-1]]))

    def widget(self, name: str):
        import ipywidgets as w

        return w.Dropdown(options=self.options, value=self.value, description=self.description or name)


@dataclass
class Checkbox:
    """An on/off switch."""

    value: bool = False
    description: str = ""

    def __post_init__(self):
        check_bool("value", self.value)

    def sweep_values(self) -> list[bool]:
        return [False, True]

    def widget(self, name: str):
        import ipywidgets as w

        return w.Checkbox(value=self.value, description=self.description or name, indent=False)


@dataclass
class Text:
    """A free-text box. ``probes`` are extra inputs the tests try (an empty string is always tried)."""

    value: str = ""
    probes: Sequence[str] = field(default_factory=list)
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.value, str):
            raise TypeError(f"value must be a str, got {type(self.value).__name__}")
        if isinstance(self.probes, str) or not all(isinstance(p, str) for p in self.probes):
            raise TypeError("probes must be a sequence of str")

    def sweep_values(self) -> list[str]:
        return list(dict.fromkeys([self.value, "", "   ", "?!~ ☃", *self.probes]))

    def widget(self, name: str):
        import ipywidgets as w

        return w.Text(value=self.value, description=self.description or name, continuous_update=False)


Control = IntSlider | FloatSlider | Dropdown | Checkbox | Text


class Explorer:
    """Interactive controls bound to a pure function; shows the function's result below the controls.

    Args:
        fn: called as ``fn(**values)``; returns a matplotlib Figure, a str (shown as text) or any object
            IPython can display. Keep it under ~0.2 s: precompute what it shows.
        title: a heading shown above the controls.
        **controls: one control per keyword argument of ``fn``.
    """

    def __init__(self, fn: Callable[..., Any], *, title: str, **controls: Control):
        if not callable(fn):
            raise TypeError("fn must be callable")
        if not isinstance(title, str) or not title:
            raise TypeError("title must be a non-empty str")
        if not controls:
            raise ValueError("an explorer needs at least one control")
        for name, control in controls.items():
            if not isinstance(control, (IntSlider, FloatSlider, Dropdown, Checkbox, Text)):
                raise TypeError(
                    f"control {name!r} must be an IntSlider, FloatSlider, Dropdown, Checkbox or Text, "
                    f"got {type(control).__name__}"
                )
        self.fn, self.title, self.controls = fn, title, dict(controls)
        self._widget = None
        _REGISTRY.append(self)

    def defaults(self) -> dict[str, Any]:
        return {name: c.value for name, c in self.controls.items()}

    def call(self, **overrides) -> Any:
        """Call ``fn`` with the default control values, overridden by ``overrides``."""
        unknown = set(overrides) - set(self.controls)
        if unknown:
            raise ValueError(
                f"unknown control(s) {sorted(unknown)}; this explorer has {sorted(self.controls)}"
            )
        return self.fn(**{**self.defaults(), **overrides})

    def settings(self) -> list[dict[str, Any]]:
        """The settings a sweep tries: defaults, then each control alone at its min / middle / max."""
        out = [{}]
        for name, control in self.controls.items():
            out += [{name: v} for v in control.sweep_values()]
        return out

    def sweep(self) -> list[tuple[dict[str, Any], float]]:
        """Call ``fn`` at every setting of :meth:`settings`; return ``(setting, seconds)`` pairs."""
        from matplotlib.figure import Figure

        timings = []
        for setting in self.settings():
            # The cyclic garbage collector may pause for a tenth of a second in a notebook that holds large
            # models; which call it lands in is chance. Time the function's own work: no collection inside
            # the timed call (collections run between calls as usual).
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                start = time.perf_counter()
                result = self.call(**setting)
                timings.append((setting, time.perf_counter() - start))
            finally:
                if was_enabled:
                    gc.enable()
            if result is None:
                raise AssertionError(f"explorer {self.title!r} returned None for {setting}")
            if isinstance(result, Figure):
                result.clear()
        return timings

    def _render(self, out, values: dict[str, Any]) -> None:
        from IPython.display import display
        from matplotlib.figure import Figure

        result = self.fn(**values)
        with out:
            out.clear_output(wait=True)
            if isinstance(result, str):
                print(result)
            else:
                display(result)
        if isinstance(result, Figure):
            result.clear()

    @property
    def widget(self):
        """The ipywidgets box (built on first use)."""
        if self._widget is None:
            import ipywidgets as w

            controls = {name: c.widget(name) for name, c in self.controls.items()}
            out = w.Output()

            def update(_change=None):
                self._render(out, {name: ctrl.value for name, ctrl in controls.items()})

            for ctrl in controls.values():
                ctrl.observe(update, names="value")
            update()
            header = w.HTML(f"<b>{self.title}</b>")
            self._widget = w.VBox(
                [header, w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap")), out]
            )
        return self._widget

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        return f"Explorer({self.title!r}, controls={list(self.controls)})"


def sweep_explorers(min_count: int = 1, max_seconds: float = 1.0, verbose: bool = True) -> int:
    """Run every registered explorer at every sweep setting (used by the test suite after each notebook).

    Raises AssertionError if fewer than ``min_count`` explorers exist or any setting takes longer than
    ``max_seconds`` (the design target is 0.2 s; the test bar leaves room for a slow machine).
    Returns the number of settings tried.
    """
    min_count = check_int("min_count", min_count, low=0)
    max_seconds = check_real("max_seconds", max_seconds, low=0, low_open=True)
    explorers = registered()
    if len(explorers) < min_count:
        raise AssertionError(f"expected at least {min_count} explorer(s), found {len(explorers)}")
    tried = 0
    for ex in explorers:
        timings = ex.sweep()
        slowest_setting, slowest = max(timings, key=lambda t: t[1])
        if slowest > max_seconds:
            raise AssertionError(
                f"explorer {ex.title!r} took {slowest:.2f} s at {slowest_setting} (bar {max_seconds} s)"
            )
        tried += len(timings)
        if verbose:
            print(f"✓ explorer {ex.title!r}: {len(timings)} settings, slowest {slowest:.3f} s")
    return tried
