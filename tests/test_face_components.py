"""The face components exported from notebooks 06 and 07: ``helpers.components.faces.FaceCNN`` (shapes,
parameter count, errors) and ``helpers.components.margins`` (margin logits against their definition, the
NormFace bound at its optimum, the margin head, errors)."""

import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from helpers.components.faces import FaceCNN
from helpers.components.margins import (
    CLAMP_EPS,
    MarginHead,
    arcface_logits,
    margin_logits,
    normface_lower_bound,
    sphereface_logits,
    sphereface_psi,
)


@pytest.mark.parametrize("dim,width", [(2, 8), (64, 16)])
def test_face_cnn_maps_faces_to_features(dim, width):
    model = FaceCNN(feature_dim=dim, width=width).eval()
    assert model(torch.rand(3, 1, 32, 32)).shape == (3, dim)
    convs = 9 * (width + 2 * width * width + 8 * width * width) + 7 * width  # weights+biases, BN affine
    convs += 2 * (width + 2 * width + 4 * width)
    assert sum(p.numel() for p in model.parameters()) == convs + 4 * width * 16 * dim + dim


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"feature_dim": 0}, ValueError),
        ({"width": -1}, ValueError),
        ({"feature_dim": 2.5}, TypeError),
        ({"width": True}, TypeError),
    ],
)
def test_face_cnn_rejects_bad_sizes(kwargs, error):
    with pytest.raises(error, match="must be an int >= 1"):
        FaceCNN(**kwargs)


# ---- margin_logits, normface_lower_bound, MarginHead -------------------------------------------------------


def _direct(cos_theta, labels, s, m1, m2, m3):
    out = s * cos_theta.numpy().copy()
    for i, y in enumerate(labels.tolist()):
        theta = np.arccos(np.clip(cos_theta[i, y].item(), -1 + CLAMP_EPS, 1 - CLAMP_EPS))
        out[i, y] = s * (np.cos(m1 * theta + m2) - m3)
    return torch.from_numpy(out)


@pytest.mark.parametrize("margins", [(1, 0, 0), (1.35, 0, 0), (1, 0, 0.25), (1, 0.3, 0), (1.2, 0.2, 0.1)])
def test_margin_logits_matches_the_definition(margins):
    g = torch.Generator().manual_seed(0)
    cos_theta = torch.rand(16, 7, dtype=torch.float64, generator=g) * 2 - 1
    labels = torch.randint(0, 7, (16,), generator=g)
    torch.testing.assert_close(
        margin_logits(cos_theta, labels, 8.0, *margins), _direct(cos_theta, labels, 8.0, *margins)
    )


def test_margin_logits_arcface_equals_the_trig_identity_and_is_differentiable():
    g = torch.Generator().manual_seed(1)
    cos_theta = (torch.rand(8, 5, dtype=torch.float64, generator=g) * 1.8 - 0.9).requires_grad_(True)
    labels = torch.randint(0, 5, (8,), generator=g)
    onehot = F.one_hot(labels, 5).double()
    sin = (1 - cos_theta**2).sqrt()
    reference = 4 * (onehot * (cos_theta * math.cos(0.5) - sin * math.sin(0.5)) + (1 - onehot) * cos_theta)
    ours = margin_logits(cos_theta, labels, 4, m2=0.5)
    torch.testing.assert_close(ours, reference)
    grad = torch.autograd.grad(F.cross_entropy(ours, labels), cos_theta)[0]
    assert torch.isfinite(grad).all()


def test_margin_logits_finite_gradient_at_cosine_one():
    cos_theta = torch.tensor([[1.0, 0.0]], requires_grad=True)
    loss = F.cross_entropy(margin_logits(cos_theta, torch.tensor([0]), 16, m2=0.5), torch.tensor([0]))
    assert torch.isfinite(torch.autograd.grad(loss, cos_theta)[0]).all()


@pytest.mark.parametrize(
    "args,error,match",
    [
        ((torch.zeros(3), torch.zeros(3, dtype=torch.long), 1.0), ValueError, "cos_theta must be"),
        ((torch.zeros(3, 2), torch.zeros(2, dtype=torch.long), 1.0), ValueError, "labels"),
        ((torch.zeros(3, 2), torch.zeros(3), 1.0), TypeError, "integer tensor"),
        ((torch.zeros(3, 2), torch.full((3,), 2), 1.0), ValueError, r"\[0, 1\]"),
        ((torch.zeros(3, 2), torch.zeros(3, dtype=torch.long), 0.0), ValueError, "s must be"),
        ((torch.zeros(3, 2), torch.zeros(3, dtype=torch.long), "2"), TypeError, "s must be"),
        (([[0.0]], torch.zeros(1, dtype=torch.long), 1.0), TypeError, "torch tensors"),
    ],
)
def test_margin_logits_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        margin_logits(*args)


def test_margin_logits_rejects_bad_margin():
    with pytest.raises(ValueError, match="m2 must be"):
        margin_logits(torch.zeros(2, 2), torch.zeros(2, dtype=torch.long), 1.0, m2=float("nan"))


def test_normface_lower_bound_is_reached_at_the_simplex():
    C, s = 6, 5.0
    W = F.normalize(torch.eye(C, dtype=torch.float64) - 1 / C, dim=1)
    optimum = F.cross_entropy(s * W @ W.T, torch.arange(C)).item()
    assert normface_lower_bound(s, C) == pytest.approx(optimum, rel=1e-12)


@pytest.mark.parametrize(
    "s,C,error", [(0.0, 10, ValueError), (1.0, 1, ValueError), (1.0, 2.5, TypeError), ("1", 10, TypeError)]
)
def test_normface_lower_bound_rejects_bad_input(s, C, error):
    with pytest.raises(error):
        normface_lower_bound(s, C)


def test_margin_head_forward_and_cosines():
    torch.manual_seed(0)
    head = MarginHead(4, 10, s=8.0, m3=0.2)
    feats, labels = torch.randn(5, 4), torch.randint(0, 10, (5,))
    cos = F.normalize(feats, dim=1) @ F.normalize(head.weight, dim=1).T
    torch.testing.assert_close(head.cosines(feats), cos)
    torch.testing.assert_close(head(feats, labels), margin_logits(cos, labels, 8.0, m3=0.2))
    F.cross_entropy(head(feats, labels), labels).backward()
    assert head.weight.grad.shape == (10, 4)
    assert "m3=0.2" in repr(head)


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"feature_dim": 0, "num_classes": 3}, ValueError),
        ({"feature_dim": 2, "num_classes": 1}, ValueError),
        ({"feature_dim": 2, "num_classes": 3, "s": -1.0}, ValueError),
        ({"feature_dim": 2, "num_classes": 3, "m1": None}, TypeError),
    ],
)
def test_margin_head_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        MarginHead(**kwargs)


def test_margin_head_rejects_wrong_feature_width():
    with pytest.raises(ValueError, match=r"\(B, 4\)"):
        MarginHead(4, 3).cosines(torch.zeros(2, 5))


# ---- the library forms: arcface_logits (InsightFace), sphereface_psi and sphereface_logits (A-Softmax) ----


def test_arcface_logits_is_the_paper_form_up_to_pi_minus_m_and_falls_back_beyond():
    theta = torch.linspace(0.01, math.pi - 0.01, 200, dtype=torch.float64)
    cos, labels = (
        torch.stack([torch.cos(theta), torch.zeros_like(theta)], 1),
        torch.zeros(200, dtype=torch.long),
    )
    m = 0.5
    got = arcface_logits(cos, labels, 2.0, m)[:, 0] / 2
    inside = theta <= math.pi - m - 1e-6
    torch.testing.assert_close(got[inside], torch.cos(theta[inside] + m))
    torch.testing.assert_close(got[~inside], torch.cos(theta[~inside]) - m * math.sin(m))
    assert (got.diff() < 0).all(), "decreasing in θ"
    torch.testing.assert_close(arcface_logits(cos, labels, 2.0, m)[:, 1], 2 * cos[:, 1])


def test_sphereface_psi_is_continuous_decreasing_and_cos_m_theta_at_first():
    theta = torch.linspace(0, math.pi, 2001, dtype=torch.float64)
    for m in (1.35, 2.0, 4.0):
        psi = sphereface_psi(theta, m)
        first = theta <= math.pi / m
        torch.testing.assert_close(psi[first], torch.cos(m * theta[first]))
        assert (psi.diff() <= 1e-12).all() and psi.diff().abs().max() < 0.05, m


def test_sphereface_logits_anneals_from_softmax_to_psi():
    g = torch.Generator().manual_seed(2)
    cos = torch.rand(6, 4, dtype=torch.float64, generator=g) * 2 - 1
    labels, norms = (
        torch.randint(0, 4, (6,), generator=g),
        torch.rand(6, dtype=torch.float64, generator=g) + 1,
    )
    big = sphereface_logits(cos, labels, norms, 4, lam=1e9)
    torch.testing.assert_close(big, norms[:, None] * cos, atol=1e-6, rtol=0)
    pure = sphereface_logits(cos, labels, norms, 4)
    theta = torch.acos(cos.gather(1, labels[:, None]).clamp(-1 + CLAMP_EPS, 1 - CLAMP_EPS))
    torch.testing.assert_close(pure.gather(1, labels[:, None]), norms[:, None] * sphereface_psi(theta, 4))
    with pytest.raises(ValueError, match="lam"):
        sphereface_logits(cos, labels, norms, 4, lam=-1.0)
    with pytest.raises(ValueError, match="m must be"):
        sphereface_psi(torch.zeros(2), 0.5)
    with pytest.raises(ValueError, match="cos_theta must be"):
        arcface_logits(torch.zeros(3), labels[:3], 1.0, 0.5)
