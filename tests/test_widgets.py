"""Tests for helpers.widgets: control ranges, explorers, the registry and the sweep the notebook tests run."""

import math
import time

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers.widgets import (
    Checkbox,
    Dropdown,
    Explorer,
    FloatSlider,
    IntSlider,
    Text,
    clear_registry,
    registered,
    sweep_explorers,
)


@pytest.fixture(autouse=True)
def empty_registry():
    clear_registry()
    yield
    clear_registry()


# ---------------------------------------------------------------------------------------------- controls


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(min=0, max=10), [0, 5, 10]),
        (dict(min=0, max=9), [0, 4, 9]),
        (dict(min=-4, max=4, step=2), [-4, 0, 4]),
        (dict(min=0, max=10, step=3), [0, 3, 10]),  # middle stays on the step grid
        (dict(min=2, max=3), [2, 3]),  # duplicates dropped
        (dict(min=5, max=5), [5]),
    ],
)
def test_int_slider_sweep_values(kwargs, expected):
    s = IntSlider(**kwargs)
    assert s.sweep_values() == expected
    assert all(isinstance(v, int) for v in s.sweep_values())
    assert all(s.min <= v <= s.max for v in s.sweep_values())
    assert all((v - s.min) % s.step == 0 for v in s.sweep_values()[:-1])


def test_int_slider_value_defaults_to_min_and_can_be_set():
    assert IntSlider(3, 7).value == 3
    assert IntSlider(3, 7, value=6).value == 6


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(min=5, max=1), ValueError, "max must be an int >= 5, got 1"),
        (dict(min=0, max=5, step=0), ValueError, "step must be an int >= 1, got 0"),
        (dict(min=0, max=5, step=-1), ValueError, "step must be an int >= 1, got -1"),
        (dict(min=0, max=5, value=6), ValueError, r"value must be an int in \[0, 5\], got 6"),
        (dict(min=0, max=5, value=-1), ValueError, r"value must be an int in \[0, 5\], got -1"),
        (dict(min=0.5, max=5), TypeError, "min must be an int, got float"),
        (dict(min=0, max="5"), TypeError, "max must be an int >= 0, got str"),
        (dict(min=0, max=5, step=True), TypeError, "step must be an int >= 1, got bool"),
        (dict(min=0, max=5, value=2.5), TypeError, r"value must be an int in \[0, 5\], got float"),
    ],
)
def test_int_slider_validation(kwargs, exc, word):
    with pytest.raises(exc, match=f"^{word}$"):
        IntSlider(**kwargs)


def test_int_slider_stores_numpy_integers_as_ints():
    s = IntSlider(np.int64(1), np.int32(9), step=np.int64(2), value=np.int16(5))
    assert (s.min, s.max, s.step, s.value) == (1, 9, 2, 5)
    assert all(type(v) is int for v in (s.min, s.max, s.step, s.value, *s.sweep_values()))


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(min=0.0, max=1.0), [0.0, 0.5, 1.0]),
        (dict(min=-2, max=4), [-2.0, 1.0, 4.0]),
        (dict(min=1.5, max=1.5), [1.5]),
    ],
)
def test_float_slider_sweep_values(kwargs, expected):
    s = FloatSlider(**kwargs)
    assert s.sweep_values() == pytest.approx(expected)
    assert all(isinstance(v, float) for v in s.sweep_values())


def test_float_slider_value_defaults_to_middle():
    assert FloatSlider(0.0, 4.0).value == pytest.approx(2.0)
    assert FloatSlider(0.0, 4.0, value=0.0).value == 0.0


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(min=1.0, max=0.0), ValueError, "max must be a finite number >= 1.0, got 0.0"),
        (dict(min=0.0, max=1.0, step=0.0), ValueError, "step must be a finite number > 0, got 0.0"),
        (
            dict(min=0.0, max=1.0, value=1.5),
            ValueError,
            r"value must be a finite number in \[0.0, 1.0\], got 1.5",
        ),
        (dict(min=0.0, max=math.inf), ValueError, "max must be a finite number >= 0.0, got inf"),
        (
            dict(min=0.0, max=1.0, value=math.nan),
            ValueError,
            r"value must be a finite number in \[0.0, 1.0\], got nan",
        ),
        (dict(min="0", max=1.0), TypeError, "min must be a finite number, got str"),
        (dict(min=0.0, max=None), TypeError, "max must be a finite number >= 0.0, got NoneType"),
        (
            dict(min=0.0, max=1.0, value="0.5"),
            TypeError,
            r"value must be a finite number in \[0.0, 1.0\], got str",
        ),
        (dict(min=False, max=1.0), TypeError, "min must be a finite number, got bool"),
    ],
)
def test_float_slider_validation(kwargs, exc, word):
    with pytest.raises(exc, match=f"^{word}$"):
        FloatSlider(**kwargs)


def test_float_slider_stores_plain_floats():
    s = FloatSlider(np.float32(0.5), 2, step=np.float64(0.25))
    assert (s.min, s.max, s.step, s.value) == (0.5, 2.0, 0.25, 1.25)
    assert all(type(v) is float for v in (s.min, s.max, s.step, s.value))


@pytest.mark.parametrize(
    "options, expected",
    [
        (["a", "b", "c", "d", "e"], ["a", "c", "e"]),
        (("x", "y"), ["x", "y"]),
        ([1], [1]),
        ([10, 20, 30, 40], [10, 30, 40]),
    ],
)
def test_dropdown_sweep_values(options, expected):
    d = Dropdown(options)
    assert d.sweep_values() == expected
    assert d.value == options[0]
    assert d.options == list(options)


def test_dropdown_value_must_be_an_option():
    assert Dropdown(["a", "b"], value="b").value == "b"
    with pytest.raises(ValueError, match="'z'"):
        Dropdown(["a", "b"], value="z")


@pytest.mark.parametrize("options", ["abc", b"ab", [], (), {"a": 1}, None, 3])
def test_dropdown_bad_options_raise_type_error(options):
    with pytest.raises(TypeError, match="options"):
        Dropdown(options)


def test_checkbox():
    assert Checkbox().value is False
    assert Checkbox(True).sweep_values() == [False, True]
    for bad in (1, 0, "True", None):
        with pytest.raises(TypeError, match="^value must be True or False, got "):
            Checkbox(bad)


def test_text_sweep_values_include_value_empty_odd_and_probes():
    t = Text("3 1 2", probes=["9 9", ""])
    vals = t.sweep_values()
    assert vals[0] == "3 1 2"
    assert "" in vals and "9 9" in vals
    assert any(v.strip() == "" and v != "" for v in vals)  # whitespace only
    assert any(not v.isascii() for v in vals)
    assert len(vals) == len(set(vals))
    assert Text().sweep_values()[0] == ""


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(value=3), "value"),
        (dict(value="x", probes="abc"), "probes"),
        (dict(value="x", probes=["a", 1]), "probes"),
    ],
)
def test_text_validation(kwargs, word):
    with pytest.raises(TypeError, match=word):
        Text(**kwargs)


# ---------------------------------------------------------------------------------------------- Explorer


def _explorer(calls=None, title="Demo"):
    calls = [] if calls is None else calls

    def fn(n, scale, mode, flag, text):
        calls.append(dict(n=n, scale=scale, mode=mode, flag=flag, text=text))
        return f"{n} {scale} {mode} {flag} {text!r}"

    return Explorer(
        fn,
        title=title,
        n=IntSlider(0, 4, value=1),
        scale=FloatSlider(0.0, 1.0),
        mode=Dropdown(["a", "b", "c"]),
        flag=Checkbox(),
        text=Text("hi"),
    )


def test_explorer_defaults_and_call():
    calls = []
    ex = _explorer(calls)
    assert ex.defaults() == dict(n=1, scale=0.5, mode="a", flag=False, text="hi")
    assert ex.call() == "1 0.5 a False 'hi'"
    assert ex.call(n=4, flag=True) == "4 0.5 a True 'hi'"
    assert calls[-1] == dict(n=4, scale=0.5, mode="a", flag=True, text="hi")
    assert "Demo" in repr(ex)


def test_explorer_call_unknown_control_raises_value_error():
    ex = _explorer()
    with pytest.raises(ValueError, match="bogus"):
        ex.call(bogus=1)


def test_explorer_settings_are_defaults_then_each_control_at_its_sweep_values():
    ex = _explorer()
    settings = ex.settings()
    assert settings[0] == {}
    assert all(len(s) == 1 for s in settings[1:])
    expected = [{name: v} for name, c in ex.controls.items() for v in c.sweep_values()]
    assert settings[1:] == expected
    assert {"n": 0} in settings and {"n": 2} in settings and {"n": 4} in settings
    assert {"scale": 0.0} in settings and {"scale": 1.0} in settings
    assert {"mode": "c"} in settings and {"flag": True} in settings and {"text": ""} in settings


def test_explorer_sweep_calls_fn_once_per_setting_and_returns_timings():
    calls = []
    ex = _explorer(calls)
    timings = ex.sweep()
    assert [s for s, _ in timings] == ex.settings()
    assert all(isinstance(t, float) and t >= 0 for _, t in timings)
    assert len(calls) == len(ex.settings())
    assert {"n": 4, "scale": 0.5, "mode": "a", "flag": False, "text": "hi"} in calls
    assert {"n": 1, "scale": 0.5, "mode": "a", "flag": False, "text": ""} in calls


def test_explorer_sweep_raises_when_fn_returns_none():
    ex = Explorer(lambda k: None if k == 2 else "ok", title="Nothing", k=IntSlider(0, 2))
    with pytest.raises(AssertionError, match="None"):
        ex.sweep()


def test_explorer_sweep_propagates_errors_at_extreme_settings():
    def fn(k):
        return [1, 2, 3][k]  # fails at k = 3

    ex = Explorer(fn, title="Index", k=IntSlider(0, 3))
    with pytest.raises(IndexError):
        ex.sweep()


def test_explorer_sweep_clears_returned_figures():
    figs = []

    def fn(k):
        fig = Figure()
        fig.subplots().plot([0, k])
        figs.append(fig)
        return fig

    Explorer(fn, title="Figs", k=IntSlider(0, 2)).sweep()
    assert len(figs) == 4  # defaults + 0, 1, 2
    assert all(fig.axes == [] for fig in figs)


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(fn=3, title="t", k=Checkbox()), TypeError, "fn"),
        (dict(fn=lambda k: k, title="", k=Checkbox()), TypeError, "title"),
        (dict(fn=lambda k: k, title=None, k=Checkbox()), TypeError, "title"),
        (dict(fn=lambda: 1, title="t"), ValueError, "control"),
        (dict(fn=lambda k: k, title="t", k=5), TypeError, "'k'"),
    ],
)
def test_explorer_validation(kwargs, exc, word):
    fn = kwargs.pop("fn")
    with pytest.raises(exc, match=word):
        Explorer(fn, **kwargs)
    assert registered() == []  # a rejected explorer is not registered


# ---------------------------------------------------------------------------------------------- registry


def test_registry_records_explorers_in_order_and_clears():
    a = _explorer(title="A")
    b = _explorer(title="B")
    assert registered() == [a, b]
    got = registered()
    got.clear()  # a copy: the registry is unaffected
    assert registered() == [a, b]
    clear_registry()
    assert registered() == []


def test_sweep_explorers_runs_every_registered_explorer(capsys):
    calls_a, calls_b = [], []
    a = _explorer(calls_a, title="A")
    b = Explorer(lambda k: calls_b.append(k) or "x", title="B", k=IntSlider(0, 1))
    tried = sweep_explorers(min_count=2)
    assert tried == len(a.settings()) + len(b.settings())
    assert len(calls_a) == len(a.settings()) and calls_b == [0, 0, 1]
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith("✓ explorer") for line in lines)
    assert "'A'" in lines[0] and "'B'" in lines[1]


def test_sweep_explorers_quiet():
    _explorer()
    assert sweep_explorers(verbose=False) > 0


def test_sweep_explorers_zero_min_count_with_no_explorers(capsys):
    assert sweep_explorers(min_count=0) == 0
    assert capsys.readouterr().out == ""


def test_sweep_explorers_too_few_raises():
    with pytest.raises(AssertionError, match="at least 1"):
        sweep_explorers()
    _explorer()
    with pytest.raises(AssertionError, match="at least 2.*found 1"):
        sweep_explorers(min_count=2)


def test_sweep_explorers_too_slow_raises_naming_explorer_and_setting():
    def fn(k):
        if k == 1:
            time.sleep(0.05)
        return "ok"

    Explorer(fn, title="Sluggish", k=IntSlider(0, 1))
    with pytest.raises(AssertionError, match=r"(?s)Sluggish.*'k': 1"):
        sweep_explorers(max_seconds=0.02, verbose=False)


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        (dict(min_count=-1), ValueError, "min_count must be an int >= 0, got -1"),
        (dict(min_count=1.0), TypeError, "min_count must be an int >= 0, got float"),
        (dict(max_seconds=0), ValueError, "max_seconds must be a finite number > 0, got 0.0"),
        (dict(max_seconds=math.nan), ValueError, "max_seconds must be a finite number > 0, got nan"),
        (dict(max_seconds="1"), TypeError, "max_seconds must be a finite number > 0, got str"),
    ],
)
def test_sweep_explorers_bad_arguments_raise_before_sweeping(kwargs, exc, message):
    calls = []
    Explorer(lambda k: calls.append(k) or "x", title="T", k=IntSlider(0, 1))
    with pytest.raises(exc, match=f"^{message}$"):
        sweep_explorers(**kwargs)
    assert calls == []


def test_sweep_explorers_after_clear_sees_none():
    _explorer()
    clear_registry()
    with pytest.raises(AssertionError):
        sweep_explorers(min_count=1)


# ----------------------------------------------------------------------------------------- ipywidgets UI


def test_widget_builds_controls_and_renders_on_change(capsys):
    ipywidgets = pytest.importorskip("ipywidgets")
    calls = []
    ex = _explorer(calls, title="UI")
    box = ex.widget
    assert isinstance(box, ipywidgets.VBox)
    assert ex.widget is box  # built once
    header, row, out = box.children
    assert "UI" in header.value
    assert isinstance(out, ipywidgets.Output)
    kinds = [type(c) for c in row.children]
    assert kinds == [
        ipywidgets.IntSlider,
        ipywidgets.FloatSlider,
        ipywidgets.Dropdown,
        ipywidgets.Checkbox,
        ipywidgets.Text,
    ]
    n, scale, mode, flag, text = row.children
    assert (n.value, n.min, n.max, n.step) == (1, 0, 4, 1)
    assert (scale.value, scale.min, scale.max) == (0.5, 0.0, 1.0)
    assert list(mode.options) == ["a", "b", "c"] and mode.value == "a"
    assert flag.value is False and text.value == "hi"
    assert n.description == "n"
    assert len(calls) == 1 and calls[0] == ex.defaults()  # rendered once on build
    n.value = 3
    mode.value = "b"
    assert calls[-1] == dict(n=3, scale=0.5, mode="b", flag=False, text="hi")
    assert len(calls) == 3


def test_widget_uses_descriptions_and_accepts_figures():
    ipywidgets = pytest.importorskip("ipywidgets")
    figs = []

    def fn(k):
        fig = Figure()
        fig.subplots().plot([0, k])
        figs.append(fig)
        return fig

    ex = Explorer(fn, title="Fig", k=IntSlider(0, 2, description="layer"))
    slider = ex.widget.children[1].children[0]
    assert isinstance(slider, ipywidgets.IntSlider) and slider.description == "layer"
    slider.value = 2
    assert len(figs) == 2 and all(f.axes == [] for f in figs)  # rendered figures are released


def test_control_widgets_individually():
    ipywidgets = pytest.importorskip("ipywidgets")
    assert isinstance(FloatSlider(0.0, 2.0, step=0.5).widget("lr"), ipywidgets.FloatSlider)
    cb = Checkbox(True, description="on").widget("x")
    assert cb.value is True and cb.description == "on"
    assert Text("abc").widget("t").value == "abc"
    assert Dropdown([1, 2], value=2).widget("d").value == 2


def test_sweep_times_calls_without_garbage_collection_and_restores_it():
    import gc

    seen = []
    ex = Explorer(lambda n: seen.append(gc.isenabled()) or f"n = {n}", title="gc", n=IntSlider(0, 2))
    assert gc.isenabled()
    ex.sweep()
    assert seen and not any(seen), "the timed calls ran with the collector on"
    assert gc.isenabled(), "the sweep left the collector off"
