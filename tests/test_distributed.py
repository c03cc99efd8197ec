"""helpers.components.siglip's ring: the chunked sigmoid loss across real processes (gloo on 127.0.0.1).

The worker code comes from notebook 10's exported cells; the process plumbing from helpers.processes. Each run
starts worker processes; the tests keep to a few runs (a few seconds each).
"""

import math
import multiprocessing

import pytest
import torch

from helpers import processes
from helpers.components import siglip
from helpers.components.siglip import DistributedResult, run_distributed_siglip, siglip_loss


def reference(x, y, t_prime, b):
    args = [
        x.clone().requires_grad_(),
        y.clone().requires_grad_(),
        torch.tensor(t_prime, dtype=x.dtype, requires_grad=True),
        torch.tensor(b, dtype=x.dtype, requires_grad=True),
    ]
    loss = siglip_loss(*args)
    return loss.detach(), torch.autograd.grad(loss, args)


def test_four_processes_match_the_single_process_loss_and_gradients():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(12, 6, generator=gen, dtype=torch.float64)
    y = torch.randn(12, 6, generator=gen, dtype=torch.float64)
    result = run_distributed_siglip(x, y, 0.9, -4.0, world_size=4, timeout=120)
    loss, (gx, gy, gt, gb) = reference(x, y, 0.9, -4.0)
    assert isinstance(result, DistributedResult) and result.world_size == 4
    # measured by a probe around each worker: the (2n, E) = (6, 6) travelling chunk and gradient is largest
    # tensor; no worker ever built the (12, 12) logits of the whole batch
    assert math.prod(result.largest_tensor) == 36
    assert torch.allclose(result.loss, loss, rtol=1e-12)
    for got, want in (
        (result.image_grad, gx),
        (result.text_grad, gy),
        (result.t_prime_grad, gt),
        (result.b_grad, gb),
    ):
        assert got.shape == want.shape and torch.allclose(got, want, rtol=1e-10, atol=1e-14)


def test_one_process_works_too():
    x = torch.randn(4, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    result = run_distributed_siglip(x, x.flip(0), 0.0, 0.0, world_size=1, timeout=120)
    assert torch.allclose(result.loss, reference(x, x.flip(0), 0.0, 0.0)[0], rtol=1e-12)


def test_timeout_ends_the_workers():
    x = torch.randn(4, 3)
    with pytest.raises(TimeoutError, match="timeout"):
        run_distributed_siglip(x, x, 0.0, 0.0, world_size=2, timeout=0.001)
    assert multiprocessing.active_children() == []


def test_a_failing_worker_is_reported_and_the_others_are_ended(monkeypatch):
    real_worker = siglip.ring_worker

    def second_worker_fails(rank, *args):  # forked workers see this patch; worker 0 waits for worker 1
        if rank == 1:
            raise RuntimeError("worker one broke")
        return real_worker(rank, *args)

    monkeypatch.setattr(siglip, "ring_worker", second_worker_fails)
    x = torch.randn(4, 3)
    with pytest.raises(
        RuntimeError,
        match=r"worker (0, )?1 of 2 failed(.|\n)*--- worker 1 ---\nTraceback(.|\n)*worker one broke",
    ):
        run_distributed_siglip(x, x, 0.0, 0.0, world_size=2, timeout=120)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(world_size=3), ValueError, "world_size must divide"),
        (dict(world_size=0), ValueError, r"world_size must be an int in \[1, 16\]"),
        (dict(world_size=17), ValueError, "world_size must be an int"),
        (dict(world_size=2.0), TypeError, "world_size must be an int"),
        (dict(timeout=0), ValueError, "timeout must be a finite number > 0"),
        (dict(timeout="1"), TypeError, "timeout must be a finite number"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, error, match):
    x = torch.randn(4, 3)
    with pytest.raises(error, match=match):
        run_distributed_siglip(x, x, 0.0, 0.0, **kwargs)


def test_bad_features_and_scalars():
    x = torch.randn(4, 3)
    with pytest.raises(ValueError, match="one shape"):
        run_distributed_siglip(x, x[:2], 0.0, 0.0)
    with pytest.raises(TypeError, match="t_prime"):
        run_distributed_siglip(x, x, "log 10", 0.0)


def test_spawned_workers_work_too(monkeypatch):
    # the start method where fork is unavailable (macOS, Windows): workers import the generated module afresh
    monkeypatch.setattr(processes, "default_start_method", lambda: "spawn")
    x = torch.randn(4, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    result = run_distributed_siglip(x, x.roll(1, 0), 0.5, -1.0, world_size=2, timeout=120)
    assert torch.allclose(result.loss, reference(x, x.roll(1, 0), 0.5, -1.0)[0], rtol=1e-12)
