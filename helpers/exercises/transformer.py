"""Reference answers for the exercises of ``notebooks/04_transformer.ipynb``, kept off the page.

An exercise cell passes the learner's function and one of these references to
:func:`helpers.exercises.check_answer`, which compares the two case by case and says which case fails without
showing the expected value.

- :func:`rotary_reference`, :func:`rotary_cases`, :func:`rotary_feedback` — exercise 3 (extend): rotary
  position embedding, each pair of dimensions rotated by an angle proportional to the position.
- :func:`measured_cache_floats`, :func:`cache_cases` — exercise 4 (predict, then verify, on the trained
  model): how many numbers the key–value cache holds.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from helpers.components.transformer import cached_decoder_step, start_cache
from helpers.validate import check_int


# ------------------------------------------------------------------------------ exercise 3: rotary embedding
def rotary_reference(x: torch.Tensor, positions: torch.Tensor, base: float = 10_000.0) -> torch.Tensor:
    """Rotate each pair of dimensions (2i, 2i+1) of x counter-clockwise by p·ω_i, ω_i = base^(-2i/d).

    Shapes: x (..., N, d) with d even, positions (N,) -> (..., N, d), same dtype. Computed with complex
    numbers, another route than a learner's sines and cosines.
    """
    d = x.shape[-1]
    omega = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    turn = torch.polar(torch.ones(len(positions), d // 2, dtype=torch.float64), positions[:, None] * omega)
    pairs = torch.view_as_complex(x.double().unflatten(-1, (d // 2, 2)).contiguous())
    return torch.view_as_real(pairs * turn).flatten(-2).to(x.dtype)


def rotary_cases(seed: int = 0) -> list[tuple]:
    """Argument tuples ``(x, positions)``: a single vector at position 0, one at position 1, a batch of heads
    over 6 positions, and positions that are not 0…N-1 (float64)."""
    seed = check_int("seed", seed, low=0)
    gen = torch.Generator().manual_seed(seed)
    draw = lambda *shape: torch.randn(*shape, generator=gen, dtype=torch.float64)
    return [
        (draw(1, 4), torch.tensor([0.0], dtype=torch.float64)),
        (draw(1, 4), torch.tensor([1.0], dtype=torch.float64)),
        (draw(2, 3, 6, 8), torch.arange(6, dtype=torch.float64)),
        (draw(5, 16), torch.tensor([3.0, 0.0, 17.0, 40.0, 7.0], dtype=torch.float64)),
    ]


def rotary_feedback() -> Callable[[object, object, tuple], str | None]:
    """``explain`` for check_answer: names the property a wrong rotary embedding breaks (not the answer)."""

    def explain(got, expected, case: tuple) -> str | None:
        if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
            return None
        x, positions = case
        pair_length = lambda t: t.double().unflatten(-1, (-1, 2)).norm(dim=-1)
        if not torch.allclose(pair_length(got), pair_length(x), atol=1e-6):
            return "a rotation keeps the length of each pair (2i, 2i+1); yours changes it"
        if bool((positions == 0).all()) and not torch.allclose(got.double(), x.double(), atol=1e-6):
            return "at position 0 the angle is 0, so the vector should come back unchanged"
        flipped = rotary_reference(x, -positions)
        if torch.allclose(got.double(), flipped.double(), atol=1e-6):
            return "right angles, but the rotation turns clockwise; turn the other way"
        return None

    return explain


# ------------------------------------------------------------------------ exercise 4: size of the KV cache
@torch.inference_mode()
def measured_cache_floats(model, batch: int, src_len: int, generated: int) -> int:
    """Numbers held by the key–value cache of ``model`` after generating ``generated`` tokens for ``batch``
    sources of ``src_len`` tokens each (no padding), counted from the cache itself."""
    batch, src_len = check_int("batch", batch, low=1), check_int("src_len", src_len, low=1)
    generated = check_int("generated", generated, low=0)
    device = next(model.parameters()).device
    src = torch.full((batch, src_len), model.pad_id + 3, dtype=torch.long, device=device)
    cache = start_cache(model.eval(), src)
    token = torch.full((batch,), model.pad_id + 1, dtype=torch.long, device=device)
    for _ in range(generated):
        token = cached_decoder_step(model, token, cache).argmax(-1)
    return sum(t.numel() for layer in cache["layers"] for t in layer.values())


def cache_cases() -> list[tuple]:
    """``(batch, src_len, generated)`` tuples: nothing generated yet, one source, and a larger batch."""
    return [(1, 5, 0), (1, 5, 1), (1, 12, 7), (3, 4, 10), (16, 12, 13)]
