"""Face recognition parts taught in notebooks 06 and 07 and reused by 07 and 08.

- ``FaceCNN`` (taught in ``06_softmax_many_classes``): three stride-2 3×3 convolutions (each with BatchNorm and
  ReLU) take a 32×32 greyscale face to a 4×4 map, and a linear layer gives the bottleneck feature. Left out on
  purpose: residual blocks, pooling, dropout.
- ``margin_logits``, ``normface_lower_bound`` and ``MarginHead`` (taught in ``07_normalized_softmax_margins``):
  the combined angular margin s·(cos(m1·θ + m2) − m3) on the target class, s·cos θ on the others.
"""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn
from torch.nn import functional as F

CLAMP_EPS = 1e-7  # keeps arccos and its gradient finite at cosines of ±1


def _check_positive_int(name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def _check_real(name: str, value, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not math.isfinite(value) or (positive and value <= 0):
        raise ValueError(f"{name} must be a finite number{' > 0' if positive else ''}, got {value!r}")
    return float(value)


class FaceCNN(nn.Module):
    """(B, 1, 32, 32) greyscale faces -> (B, feature_dim) bottleneck features."""

    def __init__(self, feature_dim: int = 64, width: int = 16):
        super().__init__()
        for name, value in (("feature_dim", feature_dim), ("width", width)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        layers, channels = [], 1
        for out in (width, 2 * width, 4 * width):  # 32 -> 16 -> 8 -> 4 pixels
            layers += [nn.Conv2d(channels, out, 3, stride=2, padding=1), nn.BatchNorm2d(out), nn.ReLU()]
            channels = out
        self.net = nn.Sequential(*layers, nn.Flatten(), nn.Linear(channels * 4 * 4, feature_dim))

    def forward(self, x):
        return self.net(x)


def margin_logits(
    cos_theta: torch.Tensor, labels: torch.Tensor, s: float, m1: float = 1.0, m2: float = 0.0, m3: float = 0.0
) -> torch.Tensor:
    """Combined-margin logits.

    cos_theta (B, C): cosines between unit features and unit class weights; labels (B,) int class indices.
    Returns (B, C): s·(cos(m1·θ + m2) − m3) at each row's target class, with θ = arccos of the cosine clamped
    to [−1 + 1e-7, 1 − 1e-7]; s·cos θ elsewhere. Defaults give NormFace; m1 alone SphereFace-style, m2 alone
    ArcFace, m3 alone CosFace.
    """
    if not isinstance(cos_theta, torch.Tensor) or not isinstance(labels, torch.Tensor):
        raise TypeError("cos_theta and labels must be torch tensors")
    if cos_theta.dim() != 2 or labels.shape != cos_theta.shape[:1]:
        raise ValueError(
            f"cos_theta must be (B, C) and labels (B,), got {tuple(cos_theta.shape)} and "
            f"{tuple(labels.shape)}"
        )
    if labels.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"labels must be an integer tensor (int64 or int32), got {labels.dtype}")
    if labels.numel() and (labels.min() < 0 or labels.max() >= cos_theta.shape[1]):
        raise ValueError(f"labels must lie in [0, {cos_theta.shape[1] - 1}]")
    s = _check_real("s", s, positive=True)
    m1, m2, m3 = (_check_real(n, v) for n, v in (("m1", m1), ("m2", m2), ("m3", m3)))
    index = labels.long()[:, None]
    cos_target = cos_theta.gather(1, index).clamp(-1 + CLAMP_EPS, 1 - CLAMP_EPS)  # (B, 1)
    target = torch.cos(m1 * torch.acos(cos_target) + m2) - m3  # (B, 1)
    return s * cos_theta.scatter(1, index, target)


def normface_lower_bound(s: float, num_classes: int) -> float:
    """The smallest softmax loss reachable with unit features and unit class weights at scale s:
    log(1 + (C − 1)·exp(−s·C/(C − 1))), reached when the weights form a regular simplex."""
    s = _check_real("s", s, positive=True)
    C = _check_positive_int("num_classes", num_classes, low=2)
    return math.log1p((C - 1) * math.exp(-s * C / (C - 1)))


class MarginHead(nn.Module):
    """Bias-free class weights W (C, d) with a combined angular margin.

    ``forward(features (B, d), labels (B,))`` -> (B, C) logits ``margin_logits(x̂ Ŵᵀ, labels, s, m1, m2, m3)``
    for training with ``F.cross_entropy``; ``cosines(features)`` -> (B, C) x̂ Ŵᵀ (no margin) for inference.
    """

    def __init__(
        self,
        feature_dim: int,
        num_classes: int,
        s: float = 16.0,
        m1: float = 1.0,
        m2: float = 0.0,
        m3: float = 0.0,
    ):
        super().__init__()
        feature_dim = _check_positive_int("feature_dim", feature_dim)
        num_classes = _check_positive_int("num_classes", num_classes, low=2)
        self.s = _check_real("s", s, positive=True)
        self.m1, self.m2, self.m3 = (_check_real(n, v) for n, v in (("m1", m1), ("m2", m2), ("m3", m3)))
        self.weight = nn.Parameter(0.01 * torch.randn(num_classes, feature_dim))

    def cosines(self, features: torch.Tensor) -> torch.Tensor:
        if (
            not isinstance(features, torch.Tensor)
            or features.dim() != 2
            or features.shape[1] != self.weight.shape[1]
        ):
            shape = tuple(features.shape) if isinstance(features, torch.Tensor) else type(features).__name__
            raise ValueError(f"features must be a (B, {self.weight.shape[1]}) tensor, got {shape}")
        return F.normalize(features, dim=1) @ F.normalize(self.weight, dim=1).T

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return margin_logits(self.cosines(features), labels, self.s, self.m1, self.m2, self.m3)

    def extra_repr(self) -> str:
        C, d = self.weight.shape
        return f"feature_dim={d}, num_classes={C}, s={self.s}, m1={self.m1}, m2={self.m2}, m3={self.m3}"
