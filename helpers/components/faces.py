"""The face embedding CNN taught in ``notebooks/06_softmax_many_classes.ipynb`` and reused by 07.

Three stride-2 3×3 convolutions (each with BatchNorm and ReLU) take a 32×32 greyscale face to a 4×4 map, and
a linear layer gives the bottleneck feature. Left out on purpose: residual blocks, pooling, dropout.
"""
from __future__ import annotations

from torch import nn


class FaceCNN(nn.Module):
    """(B, 1, 32, 32) greyscale faces -> (B, feature_dim) bottleneck features."""

    def __init__(self, feature_dim: int = 64, width: int = 16):
        super().__init__()
        for name, value in (("feature_dim", feature_dim), ("width", width)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        layers, channels = [], 1
        for out in (width, 2 * width, 4 * width):        # 32 -> 16 -> 8 -> 4 pixels
            layers += [nn.Conv2d(channels, out, 3, stride=2, padding=1), nn.BatchNorm2d(out), nn.ReLU()]
            channels = out
        self.net = nn.Sequential(*layers, nn.Flatten(), nn.Linear(channels * 4 * 4, feature_dim))

    def forward(self, x):
        return self.net(x)
