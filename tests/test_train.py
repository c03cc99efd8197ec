"""Tests for helpers.train: train_loop records losses, metrics and time; History summarises them."""

import math
import time

import pytest
import torch

from helpers.runtime import QUIET_ENV
from helpers.train import History, progress, train_loop


@pytest.fixture(autouse=True)
def quiet_bars(monkeypatch):
    monkeypatch.setenv(QUIET_ENV, "1")


# ------------------------------------------------------------------------------------------------ History


def test_history_defaults_are_empty_and_independent():
    a, b = History(), History()
    a.losses.append(1.0)
    a.metrics["acc"] = [(1, 0.5)]
    assert b.losses == [] and b.metrics == {} and b.seconds == 0.0
    assert a.steps == 1 and b.steps == 0


def test_final_loss_is_mean_of_last_steps():
    h = History(losses=[10.0, 1.0, 2.0, 3.0])
    assert h.final_loss(last=3) == pytest.approx(2.0)
    assert h.final_loss(last=1) == pytest.approx(3.0)
    assert h.final_loss(last=100) == pytest.approx(4.0)  # fewer steps than `last`: all of them
    assert h.final_loss() == pytest.approx(4.0)


def test_final_loss_default_window_is_50():
    h = History(losses=[100.0] * 10 + [1.0] * 50)
    assert h.final_loss() == pytest.approx(1.0)


def test_final_loss_without_steps_raises_value_error():
    with pytest.raises(ValueError, match="no steps"):
        History().final_loss()


@pytest.mark.parametrize(
    "last, error", [(0, ValueError), (-5, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_final_loss_bad_window_raises_naming_it(last, error):
    with pytest.raises(error, match=r"^last must be an int >= 1, got "):
        History(losses=[1.0, 2.0]).final_loss(last)


# --------------------------------------------------------------------------------------------- train_loop


def test_train_loop_calls_step_with_each_index_and_records_losses(capsys):
    seen = []

    def step(i):
        seen.append(i)
        return 1.0 / (i + 1)

    h = train_loop(step, 5, verbose=False)
    assert seen == [0, 1, 2, 3, 4]
    assert h.losses == pytest.approx([1.0, 0.5, 1 / 3, 0.25, 0.2])
    assert all(type(v) is float for v in h.losses)
    assert h.steps == 5
    assert h.metrics == {}
    assert capsys.readouterr().out == ""


def test_train_loop_accepts_tensor_losses_and_really_optimises():
    w = torch.tensor([5.0], requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)

    def step(i):
        opt.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        opt.step()
        return loss.detach()

    h = train_loop(step, 30, verbose=False)
    assert h.losses[0] == pytest.approx(25.0)
    assert h.losses[-1] < 1e-3 * h.losses[0]
    assert all(a > b for a, b in zip(h.losses, h.losses[1:]))


def test_train_loop_measures_wall_time():
    h = train_loop(lambda i: (time.sleep(0.01), 1.0)[1], 3, verbose=False)
    assert 0.025 <= h.seconds < 5.0


def test_train_loop_verbose_prints_one_summary_line(capsys):
    h = train_loop(float, 4, desc="toy run", verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("toy run: 4 steps")
    assert f"final loss {h.final_loss():.4g}" in lines[0]


def test_train_loop_evaluates_only_at_the_end_by_default():
    calls = []

    def evaluate():
        calls.append(1)
        return {"acc": 0.5 * len(calls), "err": torch.tensor(0.25)}

    h = train_loop(lambda i: 1.0, 7, evaluate=evaluate, verbose=False)
    assert len(calls) == 1
    assert h.metrics == {"acc": [(7, 0.5)], "err": [(7, 0.25)]}
    assert all(type(v) is float for _, v in h.metrics["err"])


def test_train_loop_evaluates_every_period_and_at_the_end_without_duplicates():
    steps_done = []

    def evaluate():
        return {"steps": float(len(steps_done))}

    h = train_loop(lambda i: steps_done.append(i) or 1.0, 10, evaluate=evaluate, eval_every=3, verbose=False)
    # after 3, 6, 9 steps and at the end (10): metrics are recorded with the number of steps done
    assert h.metrics["steps"] == [(3, 3.0), (6, 6.0), (9, 9.0), (10, 10.0)]

    h = train_loop(lambda i: 1.0, 6, evaluate=lambda: {"m": 1.0}, eval_every=3, verbose=False)
    assert [s for s, _ in h.metrics["m"]] == [3, 6]  # the final evaluation is not repeated


def test_train_loop_verbose_line_includes_last_metric(capsys):
    train_loop(lambda i: 1.0, 2, evaluate=lambda: {"accuracy": 0.875}, desc="d")
    out = capsys.readouterr().out
    assert "accuracy 0.875" in out


def test_train_loop_eval_every_without_evaluate_is_harmless():
    h = train_loop(lambda i: 2.0, 4, eval_every=2, verbose=False)
    assert h.metrics == {} and h.losses == [2.0] * 4


def test_train_loop_nan_loss_raises_floating_point_error_naming_step():
    calls = []

    def step(i):
        calls.append(i)
        return float("nan") if i == 3 else 1.0

    with pytest.raises(FloatingPointError, match="step 3"):
        train_loop(step, 10, verbose=False)
    assert calls == [0, 1, 2, 3]  # stops at once


def test_train_loop_nan_tensor_loss_raises():
    with pytest.raises(FloatingPointError):
        train_loop(lambda i: torch.tensor(math.nan), 2, verbose=False)


def test_train_loop_errors_in_step_propagate():
    def step(i):
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        train_loop(step, 3, verbose=False)


def test_train_loop_non_callable_step_raises_type_error():
    with pytest.raises(TypeError, match="step"):
        train_loop(1.0, 3)


@pytest.mark.parametrize(
    "num_steps, error",
    [
        (0, ValueError),
        (-1, ValueError),
        (2.0, TypeError),
        ("3", TypeError),
        (True, TypeError),
        (None, TypeError),
    ],
)
def test_train_loop_bad_num_steps_raises_naming_it(num_steps, error):
    with pytest.raises(error, match=r"^num_steps must be an int >= 1, got "):
        train_loop(lambda i: 1.0, num_steps)


@pytest.mark.parametrize(
    "eval_every, error", [(-1, ValueError), (1.5, TypeError), ("2", TypeError), (True, TypeError)]
)
def test_train_loop_bad_eval_every_raises_naming_it(eval_every, error):
    with pytest.raises(error, match=r"^eval_every must be an int >= 0, got "):
        train_loop(lambda i: 1.0, 3, eval_every=eval_every)


def test_train_loop_non_bool_verbose_raises_type_error():
    with pytest.raises(TypeError, match="^verbose must be True or False"):
        train_loop(lambda i: 1.0, 3, verbose=1)


def test_train_loop_non_callable_evaluate_raises_type_error():
    with pytest.raises(TypeError, match="evaluate"):
        train_loop(lambda i: 1.0, 3, evaluate={"acc": 1.0})


@pytest.mark.parametrize("kwargs", [dict(eval_every=-1), dict(verbose=None), dict(evaluate=3)], ids=str)
def test_train_loop_validates_before_calling_step(kwargs):
    calls = []
    with pytest.raises((TypeError, ValueError)):
        train_loop(lambda i: calls.append(i) or 1.0, 3, **kwargs)
    assert calls == []


# ----------------------------------------------------------------------------------------------- progress


def test_progress_yields_all_items_and_is_silent_when_quiet(capsys):
    bar = progress(range(4), desc="x")
    assert list(bar) == [0, 1, 2, 3]
    assert bar.disable
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_is_enabled_without_quiet(monkeypatch):
    monkeypatch.delenv(QUIET_ENV, raising=False)
    bar = progress(range(2), desc="x", leave=False)
    try:
        assert not bar.disable
        assert list(bar) == [0, 1]
    finally:
        bar.close()
