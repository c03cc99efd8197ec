"""Watch every tensor operation from outside the code that runs it and remember the largest result.

:class:`LargestTensor` is a ``TorchDispatchMode``: while it is active, every ATen operation — forward and
backward, whoever calls it — passes through it, and it records the shape of the largest tensor produced
(by number of elements). Notebook 10 wraps each worker of its ring in it, so the size of the logits a worker
held is measured by the probe, not reported by the worker.
"""

from __future__ import annotations

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten


class LargestTensor(TorchDispatchMode):
    """Context manager: ``shape`` and ``numel`` of the largest tensor any operation produced inside it.

    Inputs created outside the context are not counted; only results of operations run inside it (views
    included). ``shape`` is ``()`` and ``numel`` 0 until an operation produces a tensor.
    """

    def __init__(self):
        super().__init__()
        self.shape: tuple[int, ...] = ()
        self.numel = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for value in tree_flatten(out)[0]:
            if isinstance(value, torch.Tensor) and value.numel() > self.numel:
                self.shape, self.numel = tuple(value.shape), value.numel()
        return out
