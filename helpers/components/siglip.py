"""The pairwise sigmoid loss taught in ``notebooks/10_siglip.ipynb`` (Zhai et al., 2023), plain and chunked.

Shapes: B batch, E embedding width, D devices (B must be a multiple of D), n = B / D rows per device.

- :func:`siglip_loss` — ``-(1/B) Σ_i Σ_j log σ(z_ij (t·x_i·y_j + b))`` with ``z_ij = +1`` on the diagonal and
  ``-1`` elsewhere, ``t = exp(t_prime)``; features are L2-normalised inside.
- :func:`siglip_block_loss` — the same sum over one (n, n) block of pairs, still divided by the *global* B.
- :func:`chunked_siglip_loss` — :func:`siglip_loss` computed block by block as D devices would: device d keeps
  its image chunk and sees every text chunk once as the chunks travel around a ring, so no tensor of logits
  larger than (n, n) ever exists. Same value and gradients as :func:`siglip_loss`.

The real multi-process version (``torch.distributed``, gloo) is :func:`helpers.distributed.run_distributed_siglip`.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

#: The paper's initial values: t' = log 10 (so t = 10) and b = −10.
INIT_T_PRIME = math.log(10.0)
INIT_BIAS = -10.0


def _check_pair(image_features, text_features, *, same_shape: bool = False) -> None:
    """Both (·, E) float tensors of one width E; with ``same_shape`` also the same number of rows (true pairs)."""
    for name, value in (("image_features", image_features), ("text_features", text_features)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
        if not value.is_floating_point():
            raise TypeError(f"{name} must be a floating-point tensor, got {value.dtype}")
    if (
        image_features.ndim != 2
        or text_features.ndim != 2
        or image_features.shape[1] != text_features.shape[1]
    ):
        raise ValueError(
            f"image_features and text_features must be (B, E) and (B', E) with one width E, got "
            f"{tuple(image_features.shape)} and {tuple(text_features.shape)}"
        )
    if image_features.shape[0] < 1 or text_features.shape[0] < 1:
        raise ValueError("image_features and text_features must hold at least one row each")
    if same_shape and image_features.shape != text_features.shape:
        raise ValueError(
            f"image_features and text_features must have one shape (B, E), got "
            f"{tuple(image_features.shape)} and {tuple(text_features.shape)}"
        )


def _as_scalar(name: str, value, like: torch.Tensor) -> torch.Tensor:
    """A float or a one-element tensor → 0-d tensor of ``like``'s dtype and device (gradients kept)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a float or a one-element tensor, got bool")
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"{name} must be a one-element tensor, got shape {tuple(value.shape)}")
        return value.reshape(()).to(dtype=like.dtype, device=like.device)
    if isinstance(value, (int, float)):
        return torch.tensor(float(value), dtype=like.dtype, device=like.device)
    raise TypeError(f"{name} must be a float or a one-element tensor, got {type(value).__name__}")


def siglip_block_loss(
    image_chunk: torch.Tensor,
    text_chunk: torch.Tensor,
    t_prime,
    b,
    *,
    positives_on_diagonal: bool,
    batch_size: int,
) -> torch.Tensor:
    """Sum of ``-log σ(z_ij (t·x_i·y_j + b))`` over one block of pairs, divided by the global ``batch_size``.

    Args:
        image_chunk: (n, E) unit-length image features (already normalised).
        text_chunk: (m, E) unit-length text features (already normalised).
        t_prime: log of the temperature t (float or 0-d tensor); b: the bias (float or 0-d tensor).
        positives_on_diagonal: True when row i of both chunks is a true pair (needs n = m), else every pair is
            a negative.
        batch_size: the global B the paper's loss divides by, >= 1.
    Returns:
        0-d tensor. The largest tensor built is the (n, m) block of logits.
    """
    _check_pair(image_chunk, text_chunk)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if not isinstance(positives_on_diagonal, bool):
        raise TypeError(f"positives_on_diagonal must be a bool, got {type(positives_on_diagonal).__name__}")
    n, m = image_chunk.shape[0], text_chunk.shape[0]
    if positives_on_diagonal and n != m:
        raise ValueError(f"positives_on_diagonal needs square blocks, got {n} image and {m} text rows")
    t = _as_scalar("t_prime", t_prime, image_chunk).exp()
    bias = _as_scalar("b", b, image_chunk)
    logits = t * image_chunk @ text_chunk.T + bias  # (n, m)
    labels = -torch.ones_like(logits)  # z_ij = −1: a negative pair
    if positives_on_diagonal:
        labels = labels + 2 * torch.eye(n, dtype=logits.dtype, device=logits.device)  # z_ii = +1
    return -F.logsigmoid(labels * logits).sum() / batch_size


def siglip_loss(image_features: torch.Tensor, text_features: torch.Tensor, t_prime, b) -> torch.Tensor:
    """SigLIP's pairwise sigmoid loss: the sum over all B² pairs divided by B (the paper's pseudo-code).

    Args:
        image_features, text_features: (B, E); row i of each is a true pair. Normalised to unit length here.
        t_prime: log of the temperature, t = exp(t_prime) (float or 0-d tensor; the paper starts at log 10).
        b: the bias (float or 0-d tensor; the paper starts at −10).
    Returns:
        0-d tensor.
    """
    _check_pair(image_features, text_features, same_shape=True)
    image = F.normalize(image_features, dim=-1)
    text = F.normalize(text_features, dim=-1)
    return siglip_block_loss(image, text, t_prime, b, positives_on_diagonal=True, batch_size=len(image))


def chunked_siglip_loss(
    image_features: torch.Tensor, text_features: torch.Tensor, t_prime, b, num_devices: int
) -> torch.Tensor:
    """:func:`siglip_loss` computed as ``num_devices`` devices would, one (B/D, B/D) block of logits at a time.

    Device d holds image chunk d. At ring step s it holds the text chunk of device (d − s) mod D, adds that
    block's terms (positives only at s = 0, its own chunk), then passes the text chunk to device d + 1.

    Args:
        image_features, text_features: (B, E), B a multiple of ``num_devices``; normalised here.
        t_prime, b: as in :func:`siglip_loss`.
        num_devices: D >= 1.
    Returns:
        0-d tensor equal to ``siglip_loss(image_features, text_features, t_prime, b)`` up to rounding.
    """
    _check_pair(image_features, text_features, same_shape=True)
    if isinstance(num_devices, bool) or not isinstance(num_devices, int) or num_devices < 1:
        raise ValueError(f"num_devices must be an int >= 1, got {num_devices!r}")
    batch = len(image_features)
    if batch % num_devices:
        raise ValueError(f"num_devices must divide the batch size {batch}, got {num_devices}")
    image_chunks = F.normalize(image_features, dim=-1).chunk(num_devices)  # D × (n, E)
    text_chunks = F.normalize(text_features, dim=-1).chunk(num_devices)
    total = image_features.new_zeros(())
    for device in range(num_devices):
        for step in range(num_devices):
            owner = (device - step) % num_devices  # whose text chunk has arrived
            total = total + siglip_block_loss(
                image_chunks[device],
                text_chunks[owner],
                t_prime,
                b,
                positives_on_diagonal=owner == device,
                batch_size=batch,
            )
    return total


def logits_bytes(batch_size: int, num_devices: int, *, scheme: str, bytes_per_value: int = 4) -> int:
    """Bytes of logits one device holds at once for a global batch ``batch_size`` split over ``num_devices``.

    ``scheme``: ``'single'`` — one device computes the whole (B, B) matrix; ``'all-gather softmax'`` — each
    device gathers all B text features and holds its (B/D, B) rows (CLIP's softmax needs whole rows and
    columns); ``'chunked sigmoid'`` — one (B/D, B/D) block at a time (SigLIP's ring).
    """
    for name, value in (
        ("batch_size", batch_size),
        ("num_devices", num_devices),
        ("bytes_per_value", bytes_per_value),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    if batch_size % num_devices:
        raise ValueError(f"num_devices must divide batch_size {batch_size}, got {num_devices}")
    rows = batch_size // num_devices
    sizes = {
        "single": batch_size * batch_size,
        "all-gather softmax": rows * batch_size,
        "chunked sigmoid": rows * rows,
    }
    if scheme not in sizes:
        raise ValueError(f"scheme must be one of {sorted(sizes)}, got {scheme!r}")
    return sizes[scheme] * bytes_per_value
