"""The chunked sigmoid loss run for real across processes with ``torch.distributed`` (gloo, on localhost).

:func:`run_distributed_siglip` starts D worker processes (:mod:`multiprocessing`), one per
"device". Shapes: B global batch, E width, n = B / D rows per worker.

Each worker

1. loads only its own shard: image rows and text rows ``[d·n, (d+1)·n)`` (n, E), and t′, b;
2. normalises both shards; then for D ring steps computes the loss of its image chunk against the text chunk it
   holds — one (n, n) block of logits, the largest logits tensor it ever builds — and the gradient of that block
   with respect to the text chunk, adds it to the gradient that travels with the chunk, and passes
   (text chunk, its gradient) to worker d + 1 while receiving from worker d − 1 (``isend``/``recv``). After D
   steps its own chunk is back, carrying the gradient summed over all workers;
3. sums the loss and the gradients of t′ and b over workers (``all_reduce``), turns the feature gradients into
   gradients of the raw (unnormalised) rows, and writes them to a file the parent reads.

The parent picks a free port, starts the workers with :mod:`multiprocessing` (``fork`` on Linux, so they
need not import torch again; ``spawn`` elsewhere), waits with a timeout, and always ends them (``finally``).
Every worker uses one thread. Works offline and as root: only 127.0.0.1 is used.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from helpers.components.siglip import _as_scalar, _check_pair, siglip_block_loss

MAX_WORLD_SIZE = 16


@dataclass
class DistributedResult:
    """What :func:`run_distributed_siglip` gathered from its workers.

    Attributes:
        loss: 0-d tensor, the global loss (sum of the workers' parts).
        image_grad, text_grad: (B, E) gradients of the loss with respect to the raw features, row blocks
            assembled from the workers in order.
        t_prime_grad, b_grad: 0-d tensors, summed over workers.
        block_shape: (n, n), the largest logits tensor any worker built.
        world_size: D, the number of processes.
        seconds: wall time from starting the processes to reading their results.
    """

    loss: torch.Tensor
    image_grad: torch.Tensor
    text_grad: torch.Tensor
    t_prime_grad: torch.Tensor
    b_grad: torch.Tensor
    block_shape: tuple[int, int]
    world_size: int
    seconds: float


def _worker(rank: int, world_size: int, port: int, workdir: Path) -> None:
    """One process of the ring; see the module docstring. Writes ``result{rank}.pt`` into ``workdir``."""
    import torch.distributed as dist

    torch.set_num_threads(1)
    shard = torch.load(workdir / f"shard{rank}.pt")
    dist.init_process_group(
        "gloo",
        init_method=f"tcp://127.0.0.1:{port}",
        rank=rank,
        world_size=world_size,
        timeout=datetime.timedelta(seconds=60),
    )
    try:
        image_raw = shard["image"].requires_grad_()  # (n, E), this worker's rows only
        text_raw = shard["text"].requires_grad_()
        t_prime = shard["t_prime"].requires_grad_()
        bias = shard["b"].requires_grad_()
        image = F.normalize(image_raw, dim=-1).detach().requires_grad_()  # (n, E) unit rows, a leaf
        text = F.normalize(text_raw, dim=-1)
        rows = len(image)
        travelling = torch.cat([text.detach(), torch.zeros_like(text)])  # (2n, E): text chunk, its gradient
        incoming = torch.empty_like(travelling)
        local_loss = torch.zeros((), dtype=image.dtype)
        largest = (0, 0)
        for step in range(world_size):
            chunk = travelling[:rows].clone().requires_grad_()  # text of worker (rank − step) mod D
            block = siglip_block_loss(
                image, chunk, t_prime, bias, positives_on_diagonal=step == 0, batch_size=shard["batch_size"]
            )
            block.backward()  # grads: image, chunk, t′, b
            largest = max(largest, (rows, len(chunk)))
            local_loss = local_loss + block.detach()
            travelling[rows:] += chunk.grad
            if world_size > 1:  # pass right, receive from the left
                request = dist.isend(travelling, (rank + 1) % world_size)
                dist.recv(incoming, (rank - 1) % world_size)
                request.wait()
                travelling, incoming = incoming, travelling
        if not torch.equal(travelling[:rows], text.detach()):
            raise RuntimeError(f"worker {rank}: the text chunk that came home is not its own")
        scalars = torch.stack([local_loss, t_prime.grad, bias.grad])  # (3,)
        dist.all_reduce(scalars)
        torch.autograd.backward([F.normalize(image_raw, dim=-1), text], [image.grad, travelling[rows:]])
        torch.save(
            {
                "loss": scalars[0],
                "t_prime_grad": scalars[1],
                "b_grad": scalars[2],
                "image_grad": image_raw.grad,
                "text_grad": text_raw.grad,
                "block_shape": largest,
            },
            workdir / f"result{rank}.pt",
        )
        dist.barrier()
    finally:
        dist.destroy_process_group()


def _process_main(rank: int, world_size: int, port: int, workdir: str) -> None:
    """Entry point of a worker process: run :func:`_worker`; on failure write ``error{rank}.txt`` and exit 1."""
    torch.set_num_threads(1)  # first: a forked child must not start a thread team
    if sys.platform.startswith("linux"):
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")  # loopback only: no network, no DNS lookup
    try:
        _worker(rank, world_size, port, Path(workdir))
    except BaseException:
        (Path(workdir) / f"error{rank}.txt").write_text(traceback.format_exc())
        sys.exit(1)


def _free_port() -> int:
    from helpers.browser import free_port

    return free_port()


def _context():
    """``fork`` where the platform offers it safely (Linux: no second torch import, starts in milliseconds),
    else ``spawn`` (the worker function is importable from this module)."""
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def _launch(workdir: Path, world_size: int, timeout: float) -> None:
    """Start the workers, wait for all of them (at most ``timeout`` s in all), always end them."""
    port, processes, first_failure = _free_port(), [], None
    context = _context()
    try:
        for rank in range(world_size):
            process = context.Process(
                target=_process_main, args=(rank, world_size, port, str(workdir)), daemon=True
            )
            process.start()
            processes.append(process)
        deadline = time.monotonic() + timeout
        while True:  # until all end or one fails
            codes = [p.exitcode for p in processes]
            first_failure = next((rank for rank, code in enumerate(codes) if code not in (None, 0)), None)
            if first_failure is not None or all(code == 0 for code in codes):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"the {world_size} workers did not finish within timeout={timeout} s")
            time.sleep(0.01)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join()
    failed = [rank for rank, process in enumerate(processes) if process.exitcode != 0]
    if failed:
        rank = first_failure if first_failure is not None else failed[0]  # the first to fail
        error = workdir / f"error{rank}.txt"
        text = error.read_text() if error.exists() else "(no traceback written)"
        raise RuntimeError(
            f"worker {rank} of {world_size} failed (exit codes "
            f"{[p.exitcode for p in processes]}):\n{text[-2000:]}"
        )


def run_distributed_siglip(
    image_features: torch.Tensor,
    text_features: torch.Tensor,
    t_prime,
    b,
    *,
    world_size: int = 4,
    timeout: float = 120.0,
) -> DistributedResult:
    """The chunked sigmoid loss and its gradients, computed by ``world_size`` processes talking over gloo.

    Args:
        image_features, text_features: (B, E) raw features (normalised by the workers); B a multiple of
            ``world_size``. Worker d receives rows ``[d·B/D, (d+1)·B/D)`` of each and nothing else.
        t_prime, b: float or one-element tensor (the values are sent; gradients come back in the result).
        world_size: D, 1 … 16 processes.
        timeout: seconds to wait for all workers (start-up included) before ending them, > 0.
    Returns:
        A :class:`DistributedResult`; ``loss`` equals ``siglip_loss(image_features, text_features, t_prime, b)``.
    Raises:
        TimeoutError: the workers did not finish in time (they are ended first).
        RuntimeError: a worker failed; its traceback is included.
    """
    _check_pair(image_features, text_features, same_shape=True)
    if (
        isinstance(world_size, bool)
        or not isinstance(world_size, int)
        or not 1 <= world_size <= MAX_WORLD_SIZE
    ):
        raise ValueError(f"world_size must be an int in [1, {MAX_WORLD_SIZE}], got {world_size!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    batch = len(image_features)
    if batch % world_size:
        raise ValueError(f"world_size must divide the batch size {batch}, got {world_size}")
    t_value = _as_scalar("t_prime", t_prime, image_features).detach().cpu()
    b_value = _as_scalar("b", b, image_features).detach().cpu()
    images = image_features.detach().cpu().chunk(world_size)
    texts = text_features.detach().cpu().chunk(world_size)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="siglip_ring_") as tmp:
        workdir = Path(tmp)
        for rank in range(world_size):
            torch.save(
                {
                    "image": images[rank].clone(),
                    "text": texts[rank].clone(),
                    "t_prime": t_value.clone(),
                    "b": b_value.clone(),
                    "batch_size": batch,
                },
                workdir / f"shard{rank}.pt",
            )
        for attempt in range(2):  # a second try if the port was taken
            try:
                _launch(workdir, world_size, float(timeout))
                break
            except RuntimeError as error:
                if attempt or "address already in use" not in str(error).lower():
                    raise
                for stale in workdir.glob("error*.txt"):
                    stale.unlink()
        results = [torch.load(workdir / f"result{rank}.pt") for rank in range(world_size)]
    device = image_features.device
    return DistributedResult(
        loss=results[0]["loss"].to(device),
        image_grad=torch.cat([r["image_grad"] for r in results]).to(device),
        text_grad=torch.cat([r["text_grad"] for r in results]).to(device),
        t_prime_grad=results[0]["t_prime_grad"].to(device),
        b_grad=results[0]["b_grad"].to(device),
        block_shape=max(tuple(r["block_shape"]) for r in results),
        world_size=world_size,
        seconds=time.perf_counter() - start,
    )
