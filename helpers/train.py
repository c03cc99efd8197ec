"""A deliberately small training loop: progress bar, loss history, wall-clock time. Nothing else.

The notebook writes the training *step* itself (forward pass, loss, backward pass, optimizer step) and hands
it to :func:`train_loop`; this module only repeats it, records what it returns and times it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tqdm.auto import tqdm

from helpers.runtime import quiet
from helpers.validate import check_bool, check_int

#: The progress bar shows the loss of every this many steps (refreshing it each step would slow small loops).
POSTFIX_EVERY = 25


def progress(iterable: Iterable, *, desc: str = "", total: int | None = None, leave: bool = True):
    """``tqdm.auto`` progress bar (a widget in JupyterLab, text in a terminal), silent under ``DDL_QUIET``."""
    return tqdm(iterable, desc=desc, total=total, leave=leave, disable=quiet(), mininterval=0.5)


@dataclass
class History:
    """What :func:`train_loop` recorded: one loss per step, optional periodic metrics, and the wall time."""

    losses: list[float] = field(default_factory=list)
    metrics: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def steps(self) -> int:
        return len(self.losses)

    def final_loss(self, last: int = 50) -> float:
        """Mean loss over the last ``last`` steps (a less noisy end-of-training figure)."""
        last = check_int("last", last, low=1)
        if not self.losses:
            raise ValueError("no steps were recorded")
        tail = self.losses[-last:]
        return sum(tail) / len(tail)


def train_loop(
    step: Callable[[int], float],
    num_steps: int,
    *,
    desc: str = "training",
    evaluate: Callable[[], dict[str, float]] | None = None,
    eval_every: int = 0,
    verbose: bool = True,
) -> History:
    """Call ``step(i)`` for ``i = 0 … num_steps-1`` and record the loss it returns.

    Args:
        step: performs one optimisation step and returns the loss as a float.
        num_steps: how many steps.
        evaluate: optional, returns ``{metric name: value}``; called every ``eval_every`` steps and at the
            end.
        eval_every: evaluation period in steps (0 = only at the end, if ``evaluate`` is given).
        verbose: print one summary line at the end.
    """
    if not callable(step):
        raise TypeError("step must be callable: step(i) -> loss")
    num_steps = check_int("num_steps", num_steps, low=1)
    eval_every = check_int("eval_every", eval_every, low=0)
    check_bool("verbose", verbose)
    if evaluate is not None and not callable(evaluate):
        raise TypeError("evaluate must be callable or None")
    history = History()

    def record(i: int) -> None:
        for key, value in evaluate().items():
            history.metrics.setdefault(key, []).append((i, float(value)))

    start = time.perf_counter()
    bar = progress(range(num_steps), desc=desc)
    for i in bar:
        loss = float(step(i))
        if math.isnan(loss):
            raise FloatingPointError(f"loss became NaN at step {i}")
        history.losses.append(loss)
        if i % POSTFIX_EVERY == 0 and hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        if evaluate is not None and eval_every and (i + 1) % eval_every == 0 and i + 1 < num_steps:
            record(i + 1)
    if evaluate is not None:
        record(num_steps)
    history.seconds = time.perf_counter() - start
    if verbose:
        extra = "".join(f", {k} {v[-1][1]:.4g}" for k, v in history.metrics.items())
        print(
            f"{desc}: {num_steps} steps in {history.seconds:.1f} s, "
            f"final loss {history.final_loss():.4g}{extra}"
        )
    return history
