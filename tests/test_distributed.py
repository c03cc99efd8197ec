"""helpers.distributed: the chunked sigmoid loss across real processes (gloo on localhost).

Each run starts worker processes that import torch; the tests keep to a few runs (a few seconds each).
"""

import multiprocessing

import pytest
import torch

from helpers import distributed
from helpers.components.siglip import siglip_loss
from helpers.distributed import DistributedResult, run_distributed_siglip


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
    assert result.block_shape == (3, 3)
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
    real_save = torch.save

    def save_all_but_shard_1(obj, path, *args, **kwargs):  # worker 1 will find no shard and fail
        if not str(path).endswith("shard1.pt"):
            real_save(obj, path, *args, **kwargs)

    monkeypatch.setattr(distributed.torch, "save", save_all_but_shard_1)
    x = torch.randn(4, 3)
    with pytest.raises(RuntimeError, match="worker 1 of 2 failed"):
        run_distributed_siglip(x, x, 0.0, 0.0, world_size=2, timeout=120)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(world_size=3), "world_size must divide"),
        (dict(world_size=0), r"world_size must be an int in \[1, 16\]"),
        (dict(world_size=17), "world_size must be an int"),
        (dict(timeout=0), "timeout must be a number"),
        (dict(timeout="1"), "timeout must be a number"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, match):
    x = torch.randn(4, 3)
    with pytest.raises(ValueError, match=match):
        run_distributed_siglip(x, x, 0.0, 0.0, **kwargs)


def test_bad_features_and_scalars():
    x = torch.randn(4, 3)
    with pytest.raises(ValueError, match="one shape"):
        run_distributed_siglip(x, x[:2], 0.0, 0.0)
    with pytest.raises(TypeError, match="t_prime"):
        run_distributed_siglip(x, x, "log 10", 0.0)


def test_spawned_workers_work_too(monkeypatch):
    # the start method used where fork is not available (macOS, Windows): workers import this module afresh
    monkeypatch.setattr(distributed, "_context", lambda: multiprocessing.get_context("spawn"))
    x = torch.randn(4, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    result = run_distributed_siglip(x, x.roll(1, 0), 0.5, -1.0, world_size=2, timeout=120)
    assert torch.allclose(result.loss, reference(x, x.roll(1, 0), 0.5, -1.0)[0], rtol=1e-12)
