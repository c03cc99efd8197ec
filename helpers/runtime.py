"""Seeding, threads, device choice and plot style: the one call at the top of every notebook."""

from __future__ import annotations

import contextlib
import os
import platform
import random
import sys
import time

import numpy as np
import torch

from helpers.validate import check_bool, check_choice, check_int, check_seed

#: Devices :func:`pick_device` and :func:`setup` accept.
DEVICES = ("auto", "cpu", "cuda", "mps")
#: Progress bars are silenced when this environment variable is set (``make test`` and ``make execute`` set
#: it), so committed notebooks and test logs carry no bar widgets. Results never depend on it.
QUIET_ENV = "DDL_QUIET"
#: When set (e.g. ``DDL_THREADS=1``), overrides the thread count every notebook asks :func:`setup` for. ``make
#: test`` sets it to 1 so that two notebooks can run side by side on two cores; results hold for any count.
THREADS_ENV = "DDL_THREADS"

_START = time.perf_counter()
_DEVICE = torch.device("cpu")


def available_cores() -> int:
    """Number of CPU cores this process may run on (respects affinity masks and containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no sched_getaffinity
        return max(1, os.cpu_count() or 1)


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and PyTorch (CPU and CUDA); return a fresh CPU ``torch.Generator`` seeded alike.

    ``seed`` is an int in ``[0, 2**32)``, the range NumPy's global generator accepts.
    """
    seed = check_seed("seed", seed)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 -- code that draws from NumPy's global generator gets repeatable too
    torch.manual_seed(seed)  # also seeds every CUDA device
    return torch.Generator().manual_seed(seed)


def pick_device(prefer: str = "auto") -> torch.device:
    """Return the device to use: ``'auto'`` tries CUDA, then Apple MPS, then CPU; or name one of them."""
    check_choice("prefer", prefer, DEVICES)
    if prefer in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if prefer in ("auto", "mps") and mps is not None and mps.is_available():
        return torch.device("mps")
    if prefer not in ("auto", "cpu"):
        raise ValueError(f"device {prefer!r} was requested but is not available here")
    return torch.device("cpu")


def quiet() -> bool:
    """True when progress bars should stay silent (``DDL_QUIET`` set to a non-empty value)."""
    return bool(os.environ.get(QUIET_ENV, ""))


def elapsed() -> float:
    """Seconds since the last :func:`setup` call (or since import)."""
    return time.perf_counter() - _START


def setup(
    seed: int = 0, device: str = "auto", threads: int | None = None, verbose: bool = True
) -> torch.device:
    """Prepare a notebook: seed everything, set torch threads, matplotlib style and device; print one line.

    Args:
        seed: seeds Python, NumPy and PyTorch.
        device: ``'auto'`` (CUDA, then MPS, then CPU) or one of ``'cpu'``, ``'cuda'``, ``'mps'``.
        threads: torch intra-op threads; default all cores available to this process. The environment
            variable ``DDL_THREADS``, when set, overrides it.
        verbose: print the one-line environment summary.
    Returns:
        The chosen ``torch.device``.
    """
    global _START, _DEVICE
    from helpers import plot, widgets  # local import: plot pulls in matplotlib

    threads = available_cores() if threads is None else check_int("threads", threads, low=1)
    if os.environ.get(THREADS_ENV):
        text = os.environ[THREADS_ENV]
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"the environment variable {THREADS_ENV} must be an int >= 1, got {text!r}")
        threads = int(text)
    check_bool("verbose", verbose)
    seed = check_seed("seed", seed)
    _DEVICE = pick_device(device)
    torch.set_num_threads(threads)
    with contextlib.suppress(RuntimeError):  # may only be set once per process, before any inter-op work
        torch.set_num_interop_threads(1)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    seed_everything(seed)
    plot.set_style()
    widgets.clear_registry()
    _START = time.perf_counter()
    if verbose:
        print(summary(seed))
    return _DEVICE


def summary(seed: int | None = None) -> str:
    """One line describing the environment, e.g. for bug reports."""
    parts = [
        f"Python {platform.python_version()}",
        f"torch {torch.__version__}",
        f"{torch.get_num_threads()} threads",
        f"device {_DEVICE.type}",
    ]
    if _DEVICE.type == "cuda":
        parts[-1] += f" ({torch.cuda.get_device_name(0)})"
    if seed is not None:
        parts.append(f"seed {seed}")
    return "✓ setup: " + " · ".join(parts) + f" · {sys.platform}"
