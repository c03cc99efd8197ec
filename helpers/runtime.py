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

#: Devices :func:`pick_device` and :func:`setup` accept. The CPU is the default: the numbers in the notebooks'
#: prose and the README were measured there. CUDA and Apple MPS are opt-in (``'auto'`` tries CUDA, then MPS).
DEVICES = ("cpu", "cuda", "mps", "auto")
#: When set (e.g. ``DDL_DEVICE=cuda``), overrides the device every notebook asks :func:`setup` for; one of
#: :data:`DEVICES`.
DEVICE_ENV = "DDL_DEVICE"
#: cuBLAS is deterministic only with a fixed workspace configuration, set before CUDA's first use (PyTorch's
#: reproducibility notes; ``:16:8`` is the other accepted value). Setup keeps a value the reader set.
CUBLAS_WORKSPACE = ("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
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


def _available(kind: str) -> bool:
    """Whether torch can use the accelerator ``kind`` (``'cuda'`` or ``'mps'``) in this process."""
    if kind == "cuda":
        return torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None)
    return mps is not None and mps.is_available()


def pick_device(prefer: str = "auto") -> torch.device:
    """Return the device to use: ``'auto'`` tries CUDA, then Apple MPS, then CPU; or name one of them.

    A named accelerator that is not available raises a ``ValueError`` that says how to fall back to the CPU.
    """
    check_choice("prefer", prefer, DEVICES)
    if prefer == "cpu":
        return torch.device("cpu")
    if prefer == "auto":
        return torch.device(next((kind for kind in ("cuda", "mps") if _available(kind)), "cpu"))
    if not _available(prefer):
        raise ValueError(
            f"device {prefer!r} was requested but is not available here (torch {torch.__version__}); "
            f"to run on the CPU, unset the environment variable {DEVICE_ENV} and pass device='cpu' "
            "(the default) to helpers.setup"
        )
    return torch.device(prefer)


def requested_device(device: str) -> str:
    """``device`` checked, or ``DDL_DEVICE`` when that is set (it wins, as ``DDL_THREADS`` does)."""
    check_choice("device", device, DEVICES)
    text = os.environ.get(DEVICE_ENV, "")
    if not text:
        return device
    if text not in DEVICES:
        allowed = ", ".join(map(repr, DEVICES))
        raise ValueError(f"the environment variable {DEVICE_ENV} must be one of {allowed}, got {text!r}")
    return text


def _make_deterministic(device: torch.device) -> None:
    """Flags that make runs on ``device`` repeatable: cuDNN's fixed algorithms, and on CUDA deterministic
    kernels (a warning, not an error, where PyTorch has none) and a fixed cuBLAS workspace."""
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    on_cuda = device.type == "cuda"
    torch.use_deterministic_algorithms(on_cuda, warn_only=on_cuda)


def quiet() -> bool:
    """True when progress bars should stay silent (``DDL_QUIET`` set to a non-empty value)."""
    return bool(os.environ.get(QUIET_ENV, ""))


def elapsed() -> float:
    """Seconds since the last :func:`setup` call (or since import)."""
    return time.perf_counter() - _START


def threads_text(count: int | None = None) -> str:
    """``'1 thread'``, ``'2 threads'``: torch's intra-op thread count (or ``count``) with its noun."""
    count = torch.get_num_threads() if count is None else check_int("count", count, low=0)
    return f"{count} thread{'' if count == 1 else 's'}"


def cpu_name() -> str:
    """The processor's model name (``/proc/cpuinfo`` on Linux, else the platform's), or ``''`` if unknown:
    timings differ by several times between machines, so a printed time names where it was taken."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor().strip()


def ran_in() -> str:
    """The closing line of every notebook: time since :func:`setup`, the device (with the CPU's model name
    when known) and the thread count."""
    device = _DEVICE.type.upper()
    if _DEVICE.type == "cpu" and cpu_name():
        device += f" ({cpu_name()})"
    return f"This notebook ran in {elapsed():.1f} s on {device} with {threads_text()}."


def setup(
    seed: int = 0, device: str = "cpu", threads: int | None = None, verbose: bool = True
) -> torch.device:
    """Prepare a notebook: seed everything, set torch threads, matplotlib style and device; print one line.

    Args:
        seed: seeds Python, NumPy and PyTorch.
        device: ``'cpu'`` (default), ``'cuda'``, ``'mps'`` or ``'auto'`` (CUDA, then MPS, then CPU). The
            environment variable ``DDL_DEVICE``, when set, overrides it. An accelerator that is asked for but
            not available raises a ``ValueError``. The notebooks' numbers were measured on the CPU.
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
    requested = requested_device(device)
    if requested in ("cuda", "auto"):  # read by cuBLAS when CUDA first creates a handle, so set it before
        os.environ.setdefault(*CUBLAS_WORKSPACE)
    chosen = pick_device(requested)
    _DEVICE = chosen
    torch.set_num_threads(threads)
    with contextlib.suppress(RuntimeError):  # may only be set once per process, before any inter-op work
        torch.set_num_interop_threads(1)
    _make_deterministic(chosen)
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
        threads_text(),
        f"device {_DEVICE.type}",
    ]
    if _DEVICE.type == "cuda":
        parts[-1] += f" ({torch.cuda.get_device_name(0)})"
    if seed is not None:
        parts.append(f"seed {seed}")
    return "✓ setup: " + " · ".join(parts) + f" · {sys.platform}"
