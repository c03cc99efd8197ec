"""helpers.components.siglip (notebook 10): the sigmoid loss, its blocks, the chunked ring, logits memory."""

import math

import pytest
import torch
import torch.nn.functional as F

from helpers.components.siglip import (
    INIT_BIAS,
    INIT_T_PRIME,
    chunked_siglip_loss,
    logits_bytes,
    siglip_block_loss,
    siglip_loss,
)
from helpers.tensor_probe import LargestTensor


def features(batch=8, width=5, seed=0, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    return (
        torch.randn(batch, width, generator=gen, dtype=dtype),
        torch.randn(batch, width, generator=gen, dtype=dtype),
    )


def test_initial_values_are_the_papers():
    assert math.isclose(math.exp(INIT_T_PRIME), 10.0, rel_tol=1e-12)
    assert INIT_BIAS == -10.0


def test_siglip_loss_matches_an_explicit_double_sum():
    x, y = features()
    t_prime, b = 0.7, -2.0
    xn, yn = F.normalize(x, dim=-1), F.normalize(y, dim=-1)
    total = 0.0
    for i in range(8):
        for j in range(8):
            z = 1.0 if i == j else -1.0
            logit = math.exp(t_prime) * float(xn[i] @ yn[j]) + b
            total += -math.log(1 / (1 + math.exp(-z * logit)))
    assert math.isclose(siglip_loss(x, y, t_prime, b).item(), total / 8, rel_tol=1e-12)


def test_siglip_loss_normalises_inside_and_accepts_tensor_scalars():
    x, y = features()
    t_prime = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor([-3.0], dtype=torch.float64, requires_grad=True)
    loss = siglip_loss(3 * x, 0.5 * y, t_prime, b)
    assert torch.allclose(loss, siglip_loss(x, y, 1.0, -3.0))
    loss.backward()
    assert t_prime.grad is not None and b.grad is not None and b.grad.shape == (1,)


@pytest.mark.parametrize("devices", [1, 2, 4, 8])
def test_chunked_equals_full_in_value_and_gradient(devices):
    x, y = features(batch=8)
    args = [
        x.clone().requires_grad_(),
        y.clone().requires_grad_(),
        torch.tensor(INIT_T_PRIME, dtype=torch.float64, requires_grad=True),
        torch.tensor(INIT_BIAS, dtype=torch.float64, requires_grad=True),
    ]
    full = siglip_loss(*args)
    full_grads = torch.autograd.grad(full, args)
    chunked = chunked_siglip_loss(*args, num_devices=devices)
    chunked_grads = torch.autograd.grad(chunked, args)
    assert torch.allclose(full, chunked, rtol=1e-12, atol=0)
    for a, c in zip(full_grads, chunked_grads):
        assert torch.allclose(a, c, rtol=1e-10, atol=1e-14)


def test_block_loss_positive_and_negative_blocks():
    x, y = features(batch=4)
    xn, yn = F.normalize(x, dim=-1), F.normalize(y, dim=-1)
    whole = siglip_block_loss(xn, yn, 0.0, 0.0, positives_on_diagonal=True, batch_size=4)
    assert torch.allclose(whole, siglip_loss(x, y, 0.0, 0.0))
    negatives = siglip_block_loss(xn[:2], yn, 0.0, 0.0, positives_on_diagonal=False, batch_size=4)
    expected = -F.logsigmoid(-(xn[:2] @ yn.T)).sum() / 4
    assert torch.allclose(negatives, expected)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda x, y: siglip_loss(x.numpy(), y, 0.0, 0.0), "image_features must be a torch.Tensor"),
        (lambda x, y: siglip_loss(x.long(), y, 0.0, 0.0), "image_features must be a floating-point"),
        (lambda x, y: siglip_loss(x, y[:, :3], 0.0, 0.0), "one width E"),
        (lambda x, y: siglip_loss(x, y[:4], 0.0, 0.0), "one shape"),
        (lambda x, y: siglip_loss(x, y, torch.zeros(2), 0.0), "t_prime must be a one-element tensor"),
        (lambda x, y: siglip_loss(x, y, 0.0, "b"), "b must be a float"),
        (lambda x, y: siglip_loss(x, y, True, 0.0), "t_prime must be a float"),
        (lambda x, y: chunked_siglip_loss(x, y, 0.0, 0.0, 3), "num_devices must divide"),
        (lambda x, y: chunked_siglip_loss(x, y, 0.0, 0.0, 0), "num_devices must be an int >= 1"),
        (
            lambda x, y: siglip_block_loss(x, y[:3], 0.0, 0.0, positives_on_diagonal=True, batch_size=8),
            "square",
        ),
        (
            lambda x, y: siglip_block_loss(x, y, 0.0, 0.0, positives_on_diagonal=1, batch_size=8),
            "positives_on_diagonal",
        ),
        (
            lambda x, y: siglip_block_loss(x, y, 0.0, 0.0, positives_on_diagonal=True, batch_size=0),
            "batch_size",
        ),
    ],
)
def test_bad_input_names_the_parameter(call, match):
    x, y = features()
    with pytest.raises((ValueError, TypeError), match=match):
        call(x, y)


def test_logits_bytes():
    assert logits_bytes(1024, 4, scheme="single") == 1024 * 1024 * 4
    assert logits_bytes(1024, 4, scheme="all-gather softmax") == 256 * 1024 * 4
    assert logits_bytes(1024, 4, scheme="chunked sigmoid", bytes_per_value=2) == 256 * 256 * 2
    with pytest.raises(ValueError, match="scheme must be one of"):
        logits_bytes(8, 2, scheme="ring")
    with pytest.raises(ValueError, match="num_devices must divide"):
        logits_bytes(9, 2, scheme="single")
    with pytest.raises(ValueError, match="batch_size must be an int"):
        logits_bytes(0, 1, scheme="single")


def test_largest_tensor_probe_sees_forward_and_backward_from_outside():
    x = torch.randn(6, 3, dtype=torch.float64, requires_grad=True)
    y = torch.randn(6, 3, dtype=torch.float64)
    with LargestTensor() as probe:
        siglip_loss(x, y, 0.0, -1.0).backward()
    assert probe.shape == (6, 6) and probe.numel == 36  # the logits, though no code here reports them
    with LargestTensor() as probe:
        chunked_siglip_loss(x.detach(), y, 0.0, -1.0, num_devices=3)
    assert probe.numel == 6 * 3  # the (6, 3) unit features; every block of logits is (2, 2)
    with LargestTensor() as empty:
        pass
    assert empty.shape == () and empty.numel == 0
