"""Local processes and ports: what a notebook needs to run several workers on one machine (notebook 10's ring)
and what the tests need to start a local server. Only 127.0.0.1 is ever used.

- :func:`free_port` — a TCP port on 127.0.0.1 that is free now.
- :func:`run_workers` — call one function in N new processes, each with its own arguments, and collect what
  each returns; wait with a timeout, and end every worker (kill, then join) when one fails or time runs out.
- :func:`default_start_method` — ``fork`` on Linux, ``spawn`` elsewhere.

What the workers compute is the caller's business; this module is only the plumbing around it.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from helpers.validate import check_choice, check_int, check_real

__all__ = ["default_start_method", "free_port", "run_workers"]

#: The most processes :func:`run_workers` starts at once (a guard against a typo such as 1000).
MAX_WORKERS = 64
#: How often the parent looks at its workers while it waits (seconds).
POLL_SECONDS = 0.01


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (the caller binds it soon after; races are retried)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_start_method() -> str:
    """``'fork'`` on Linux: a child inherits the parent's imports and starts in milliseconds. ``'spawn'``
    elsewhere (macOS, Windows), where forking a process that runs threads is unsafe or impossible: the child
    starts a fresh interpreter and imports the worker function by its module name."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _worker_main(target: Callable, rank: int, world_size: int, port: int, folder: str) -> None:
    """One worker process: load its arguments, run ``target``, write its result (or its traceback)."""
    import torch

    torch.set_num_threads(1)  # first: a forked child must not start a thread team; N workers share the cores
    if sys.platform.startswith("linux"):
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")  # torch.distributed's gloo: loopback only, no DNS
    folder = Path(folder)
    try:
        with open(folder / f"args{rank}.pkl", "rb") as f:
            args = pickle.load(f)
        result = target(rank, world_size, port, *args)
        partial = folder / f"result{rank}.partial"
        with open(partial, "wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(folder / f"result{rank}.pkl")  # complete or absent, never half written
    except BaseException:
        (folder / f"error{rank}.txt").write_text(traceback.format_exc())
        sys.exit(1)


def _run_once(target: Callable, world_size: int, folder: Path, timeout: float, method: str) -> None:
    """Start the workers, wait for all of them (at most ``timeout`` s in all), always end them."""
    context = multiprocessing.get_context(method)
    port, processes, first_failure = free_port(), [], None
    try:
        for rank in range(world_size):
            process = context.Process(
                target=_worker_main, args=(target, rank, world_size, port, str(folder)), daemon=True
            )
            process.start()
            processes.append(process)
        deadline = time.monotonic() + timeout
        while True:  # until all end well or one fails
            codes = [p.exitcode for p in processes]
            first_failure = next((rank for rank, code in enumerate(codes) if code not in (None, 0)), None)
            if first_failure is not None or all(code == 0 for code in codes):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"the {world_size} workers did not finish within timeout={timeout} s")
            time.sleep(POLL_SECONDS)
    finally:
        killed = []
        for rank, process in enumerate(processes):
            if process.is_alive():
                process.kill()
                killed.append(rank)
            process.join()
    if first_failure is not None:
        # One failure makes its peers fail too (their connections reset), in no reliable order: report every
        # failed worker's traceback, so the cause is in the message whichever ended first.
        failed = [  # wrote a traceback, or died by itself (a worker still exiting may have been killed too)
            r
            for r, p in enumerate(processes)
            if (folder / f"error{r}.txt").exists() or (p.exitcode not in (None, 0) and r not in killed)
        ]
        parts = []
        for rank in failed:
            error = folder / f"error{rank}.txt"
            text = error.read_text() if error.exists() else "(no traceback written)"
            parts.append(f"--- worker {rank} ---\n{text[-1500:]}")
        raise RuntimeError(
            f"worker {', '.join(map(str, failed))} of {world_size} failed (exit codes "
            f"{[p.exitcode for p in processes]}; ended by the parent: {killed}):\n" + "\n".join(parts)
        )


def run_workers(
    target: Callable,
    worker_args: Sequence[Sequence],
    *,
    timeout: float,
    start_method: str | None = None,
) -> list:
    """Call ``target(rank, world_size, port, *worker_args[rank])`` in one new process per rank; return the
    list of what the calls returned, in rank order.

    Args:
        target: a function defined in an importable module (not in ``__main__`` or a notebook when workers are
            spawned: a spawned worker imports it by name). Its return value must be picklable.
        worker_args: one sequence of arguments per worker; ``world_size = len(worker_args)``, 1 … 64. Worker
            ``rank`` receives only ``worker_args[rank]`` (pickled to a file, so a spawned worker gets it too).
        timeout: seconds to wait for all workers, start-up included, > 0.
        start_method: ``'fork'`` or ``'spawn'``; default :func:`default_start_method`.

    ``port`` is a free TCP port on 127.0.0.1 where the workers can meet (``tcp://127.0.0.1:{port}`` for
    ``torch.distributed``). Each worker uses one torch thread; on Linux ``GLOO_SOCKET_IFNAME=lo`` keeps gloo
    on the loopback interface. If the port was taken in the meantime ("address already in use"), the workers
    are started once more on a new port.

    Raises:
        TimeoutError: the workers did not all finish in time (every worker is ended first).
        RuntimeError: a worker raised or died; the message holds its traceback (the others are ended).
    """
    if not callable(target):
        raise TypeError(f"target must be a function, got {type(target).__name__}")
    if isinstance(worker_args, (str, bytes)) or not isinstance(worker_args, Sequence):
        raise TypeError(
            f"worker_args must be a sequence of argument sequences, got {type(worker_args).__name__}"
        )
    world_size = check_int("len(worker_args)", len(worker_args), 1, MAX_WORKERS)
    for rank, args in enumerate(worker_args):
        if isinstance(args, (str, bytes)) or not isinstance(args, Sequence):
            raise TypeError(f"worker_args[{rank}] must be a sequence of arguments, got {type(args).__name__}")
    timeout = check_real("timeout", timeout, 0, low_open=True)
    method = check_choice("start_method", start_method or default_start_method(), ("fork", "spawn"))
    if method == "spawn" and getattr(target, "__module__", None) == "__main__":
        name = getattr(target, "__qualname__", repr(target))
        raise ValueError(
            "target must be importable by a spawned worker: define it in a module (for a notebook, the "
            f"module its cells are exported to), not in __main__; got {name!r}"
        )
    with tempfile.TemporaryDirectory(prefix="workers_") as tmp:
        folder = Path(tmp)
        for rank, args in enumerate(worker_args):
            with open(folder / f"args{rank}.pkl", "wb") as f:
                pickle.dump(tuple(args), f, protocol=pickle.HIGHEST_PROTOCOL)
        for attempt in range(2):  # a second try if the port was taken
            try:
                _run_once(target, world_size, folder, timeout, method)
                break
            except RuntimeError as error:
                if attempt or "address already in use" not in str(error).lower():
                    raise
                for stale in folder.glob("error*.txt"):
                    stale.unlink()
        results = []
        for rank in range(world_size):
            with open(folder / f"result{rank}.pkl", "rb") as f:
                results.append(pickle.load(f))
    return results
