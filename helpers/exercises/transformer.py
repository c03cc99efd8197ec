"""Reference answers for the exercises of ``notebooks/04_transformer.ipynb``, kept off the page.

An exercise cell passes the learner's function and one of these references to
:func:`helpers.exercises.check_answer`, which compares the two case by case and says which case fails without
showing the expected value.

- :func:`check_parameter_count` — exercise 1 (predict, then verify): the trainable numbers of a whole
  encoder–decoder Transformer, as a formula; the reference counts the parameters of a built model.
- :func:`check_pe_dot` — exercise 2 (derive): the dot product of two sinusoidal encodings k positions apart;
  the reference measures it on the encodings themselves, at many positions.
- :func:`rotary_reference`, :func:`rotary_cases`, :func:`rotary_feedback` — exercise 3 (extend): rotary
  position embedding, each pair of dimensions rotated by an angle proportional to the position.
- :func:`check_extrapolation` — exercise 4 (predict, then verify, on the trained model): exact match on
  sequences longer than any seen in training.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from helpers.components.transformer import (
    Seq2SeqTransformer,
    greedy_decode_cached,
    positional_encoding,
)
from helpers.exercises import Verdict, check_answer
from helpers.validate import check_int

# --------------------------------------------------------------------- exercise 1: counting the parameters
PARAMETER_CASES = [  # (vocab_size, d_model, num_heads, d_ff, num_layers, norm_first)
    (13, 32, 4, 64, 2, True),
    (13, 32, 1, 64, 2, True),
    (13, 32, 4, 64, 2, False),
    (20, 16, 2, 48, 1, True),
    (7, 24, 3, 40, 3, False),
    (1000, 64, 8, 256, 6, True),
]


def counted_parameters(vocab_size, d_model, num_heads, d_ff, num_layers, norm_first) -> int:
    """Trainable numbers of a Seq2SeqTransformer built with these sizes, counted from the module."""
    model = Seq2SeqTransformer(vocab_size, d_model, num_heads, d_ff, num_layers, norm_first=norm_first)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def check_parameter_count(candidate: Callable[..., object]) -> Verdict:
    """Exercise 1: ``candidate(vocab_size, d_model, num_heads, d_ff, num_layers, norm_first)`` -> int, a
    formula; compared with the count of a built model on several sizes, pre-norm and post-norm."""

    def explain(got, expected, case: tuple) -> str | None:
        vocab_size, d_model, num_heads, d_ff, num_layers, norm_first = case
        try:
            diff = int(round(float(got))) - int(expected)
            one_head = int(round(float(candidate(vocab_size, d_model, 1, d_ff, num_layers, norm_first))))
            post = int(round(float(candidate(vocab_size, d_model, num_heads, d_ff, num_layers, False))))
        except Exception:  # not a number: the generic message says what was returned
            return None
        if one_head != int(round(float(got))):
            return "your count changes with num_heads; splitting d_model into heads adds no parameters"
        if norm_first and post == counted_parameters(vocab_size, d_model, num_heads, d_ff, num_layers, False):
            return "right for post-norm, wrong for pre-norm: look at what Seq2SeqModules adds when norm_first"
        if diff % vocab_size == 0 and abs(diff) <= 3 * vocab_size * d_model + vocab_size:
            return "off by a multiple of vocab_size: recount the two embedding tables and the output layer"
        if diff % d_model == 0:
            return "off by a multiple of d_model: recount the biases and the LayerNorms' gains and shifts"
        return f"{'too many' if diff > 0 else 'too few'} parameters"

    return check_answer(
        "Seq2SeqTransformer parameter count",
        candidate,
        counted_parameters,
        PARAMETER_CASES,
        explain=explain,
        rtol=0,
        atol=0,
    )


# --------------------------------------------------------------- exercise 2: dot product of two encodings
PE_DOT_CASES = [(0, 16), (1, 16), (5, 32), (37, 64), (200, 8)]


def measured_pe_dot(k: int, d_model: int) -> float:
    """PE_p · PE_{p+k} measured on the float64-rounded table at p = 0 … 99; raises if it varies with p."""
    table = positional_encoding(100 + k, d_model).double()
    dots = (table[:100] * table[k : k + 100]).sum(-1)
    if float(dots.max() - dots.min()) > 1e-4:
        raise AssertionError("the dot product should not depend on p")
    return float(dots.mean())


def _pe_dot_feedback(got, expected, case: tuple) -> str | None:
    k, d_model = case
    if k == 0:
        return "wrong at k = 0, where PE_p·PE_p = ‖PE_p‖²: count what each (sin, cos) pair contributes"
    return (
        f"wrong at offset k = {k}: check the frequencies ω_i (i = 0 … d/2 − 1, Step 5) and the sign of kω_i"
    )


def check_pe_dot(candidate: Callable[[int, int], object]) -> Verdict:
    """Exercise 2: ``candidate(k, d_model)`` -> the dot product of encodings k positions apart (a number)."""
    return check_answer(
        "PE_p · PE_{p+k}", candidate, measured_pe_dot, PE_DOT_CASES, explain=_pe_dot_feedback, atol=1e-4
    )


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


# ------------------------------------------------------------- exercise 4: longer than anything in training
EXTRAPOLATION_SOURCES = 300  # sources per length drawn by the reference
EXTRAPOLATION_TOLERANCE = 0.12  # |learner − reference| allowed: both are estimates from random sources


@torch.inference_mode()
def measured_exact_match(model, n: int, count: int = EXTRAPOLATION_SOURCES, seed: int = 1234) -> float:
    """Exact match of ``model`` on ``count`` random n-digit sources (ids 3…12 = digits 0…9), greedy decoding
    with room for n digits and ``<eos>``; the target is the reversed source, then ``<eos>`` (id 2)."""
    n, count = check_int("n", n, low=1), check_int("count", count, low=1)
    device = next(model.parameters()).device
    digits = torch.randint(3, 13, (count, n), generator=torch.Generator().manual_seed(seed + n))
    pred = greedy_decode_cached(model.eval(), digits.to(device), n + 1, 1, 2).cpu()
    want = torch.cat([digits.flip(1), torch.full((count, 1), 2)], dim=1)
    if pred.shape[1] < n + 1:  # every row stopped early: pad so that the comparison is by position
        pred = torch.nn.functional.pad(pred, (0, n + 1 - pred.shape[1]))
    return float((pred[:, : n + 1] == want).all(1).float().mean())


def check_extrapolation(candidate: Callable[[int], object], model, prediction: dict | None = None) -> Verdict:
    """Exercise 4: ``candidate(n)`` -> exact match of the trained ``model`` on n-digit sources, for n from the
    training range (4, 12) and beyond it (13, 14, 16); compared with the reference's own random sources within
    EXTRAPOLATION_TOLERANCE. When it passes, the learner's ``prediction`` {n: rate} is set beside
    the result."""
    measured: dict[int, float] = {}

    def reference(n):
        measured[n] = measured_exact_match(model, n)
        return measured[n]

    def explain(got, expected, case):
        (n,) = case
        if not isinstance(got, (int, float)) and not (isinstance(got, torch.Tensor) and got.numel() == 1):
            return None
        got = float(got)
        if not 0 <= got <= 1:
            return "an exact-match rate is a fraction between 0 and 1"
        if n <= 12:
            return (
                f"at n = {n} the model was trained on such lengths; compare the decoded ids with the "
                "reversed source followed by <eos>, position by position"
            )
        return (
            f"at n = {n} your rate is far from the reference's: greedy decoding must be allowed n + 1 tokens "
            "(n digits and <eos>), and a sequence counts only if every token matches"
        )

    verdict = check_answer(
        "exact match by length",
        lambda n: float(candidate(n)),
        reference,
        [(4,), (12,), (13,), (14,), (16,)],
        explain=explain,
        rtol=0,
        atol=EXTRAPOLATION_TOLERANCE,
    )
    if verdict and prediction:
        for n in sorted(measured):
            guess = prediction.get(n)
            shown = "—" if guess is None else f"{float(guess):.2f}"
            print(f"  n = {n:>2}: you predicted {shown}, measured {measured[n]:.2f}")
    return verdict
