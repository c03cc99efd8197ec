"""Reference answers and measuring probes for the exercises of ``notebooks/12_gradient_checkpointing.ipynb``,
kept off the page.

An exercise cell passes the learner's function and one of these references to
:func:`helpers.exercises.check_answer`, which compares the two case by case and says which case fails without
showing the expected value. The probes run the notebook's own tools (its rulers, its chain builders, its DP),
passed in as arguments, so nothing of the notebook is copied here.

- :func:`measured_peak` — exercise 1 (predict, then verify): the peak a ruler reads for one training step of a
  model checkpointed in ``k`` segments.
- :func:`dropout_step_probe` and :func:`dropout_step_reference` — exercise 2 (extend): keep-nothing
  backpropagation through a chain with dropout, exact gradients at O(n²) block forwards and one block's
  saved tensors at the peak; :func:`dropout_step_explain` says which way a measurement is off.
- :func:`smallest_budget_reference` — exercise 3 (design): the smallest memory budget under which the DP's
  plan recomputes at most a given fraction of a forward pass.
- :func:`direction_explain` — feedback for exercises 1 and 3: too high or too low.
- :func:`policy_probe`, :func:`keep_expansion_reference` and :func:`policy_explain` — exercise 4 (apply): a
  selective-checkpoint policy that keeps only the feed-forward's first matrix product.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import torch
from torch import nn
from torch.utils.checkpoint import CheckpointPolicy, checkpoint, create_selective_checkpoint_contexts
from torch.utils.flop_counter import FlopCounterMode

from helpers.components.transformer import EncoderLayer, MultiHeadAttention
from helpers.validate import check_int, check_real

GRADIENT_ERROR = "gradient error"  # |g - g_plain| / |g_plain| over all parameter gradients
BLOCK_FORWARDS = "block forwards"  # how many times any block's forward runs in one training step
FLOPS_RATIO = "FLOPs / plain"  # FLOPs of one checkpointed training step over those of a plain one


def measured_peak(
    trace_fn: Callable,
    step_fn: Callable,
    model: nn.Module,
    x: torch.Tensor,
    unit: int,
    checkpoint_fn: Callable,
) -> Callable[[int], float]:
    """The reference of exercise 1: ``segments -> peak / unit`` of ``trace_fn(step_fn, model, x, forward)``,
    where ``forward(chain, v) = checkpoint_fn(chain, v, segments)`` (the notebook's ruler, training step and
    checkpointing)."""

    def peak(segments: int) -> float:
        forward = functools.partial(_with_segments, checkpoint_fn=checkpoint_fn, segments=segments)
        return max(trace_fn(step_fn, model, x, forward)) / unit

    return peak


def _with_segments(chain, v, *, checkpoint_fn, segments):
    return checkpoint_fn(chain, v, segments)


def _square_mean_step(chain: nn.Module, x: torch.Tensor) -> None:
    """Plain backpropagation of ``mean(chain(x)²)``: the loss every step of the notebook uses."""
    chain(x).pow(2).mean().backward()


def _sum_step(chain: nn.Module, x: torch.Tensor) -> None:
    """Plain backpropagation of ``sum(chain(x))``, a loss that saves nothing itself."""
    chain(x).sum().backward()


def _gradients_from_seed(chain: nn.Module, step_fn: Callable, x: torch.Tensor, seed: int) -> torch.Tensor:
    """All parameter gradients of ``step_fn(chain, x)`` run from a fixed random state, flattened."""
    for p in chain.parameters():
        p.grad = None
    devices = [x.device] if x.device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):  # the caller's random stream is left as it was
        torch.manual_seed(seed)
        step_fn(chain, x)
    missing = [i for i, p in enumerate(chain.parameters()) if p.grad is None]
    if missing:
        raise ValueError(f"parameter tensors {missing[:3]}… got no gradient")
    return torch.cat([p.grad.flatten() for p in chain.parameters()])


PEAK_BLOCKS = "peak saved blocks"  # the step's peak saved bytes over those of one block's plain backward


def dropout_step_probe(
    make_dropout_chain: Callable[[int], nn.Module],
    count_fn: Callable,
    x: torch.Tensor,
    trace_fn: Callable | None = None,
    seed: int = 0,
) -> Callable[[Callable, int, str], float]:
    """For exercise 2: ``probe(step_fn, depth, what)`` measures the learner's ``step_fn(chain, x)`` on a fresh
    ``make_dropout_chain(depth)``: ``what = "gradient error"`` compares its gradients with plain
    backpropagation from the same random state; ``"block forwards"`` counts block calls with ``count_fn``
    (the notebook's ``count_block_calls``); ``"peak saved blocks"`` is the peak of ``trace_fn`` (the
    notebook's saved-tensor ruler) over the peak of plain backpropagation through one block."""

    def probe(step_fn: Callable, depth: int, what: str) -> float:
        chain = make_dropout_chain(check_int("depth", depth, low=1))
        if what == BLOCK_FORWARDS:
            return count_fn(chain, step_fn, chain, x)
        if what == PEAK_BLOCKS:
            if trace_fn is None:
                raise ValueError("pass trace_fn (the saved-tensor ruler) to measure the peak")
            one_block = max(trace_fn(_sum_step, make_dropout_chain(1), x))  # the block's own saves
            return max(trace_fn(step_fn, chain, x)) / one_block
        if what != GRADIENT_ERROR:
            raise ValueError(
                f"what must be {GRADIENT_ERROR!r}, {BLOCK_FORWARDS!r} or {PEAK_BLOCKS!r}, got {what!r}"
            )
        plain = _gradients_from_seed(chain, _square_mean_step, x, seed)
        got = _gradients_from_seed(chain, step_fn, x, seed)
        return ((got - plain).norm() / plain.norm()).item()

    return probe


def dropout_step_reference(depth: int, what: str) -> float:
    """What a right answer to exercise 2 measures: exact gradients, the block forwards of keeping nothing
    (one pass, then for each block its input rebuilt from the start and the block rerun with a graph), and
    one block's saved tensors at the peak."""
    depth = check_int("depth", depth, low=1)
    if what == GRADIENT_ERROR:
        return 0.0
    if what == PEAK_BLOCKS:
        return 1.0
    return depth + depth * (depth + 1) // 2


def dropout_step_explain(got: float, want: float, case: tuple) -> str | None:
    """Feedback for exercise 2 that says which way a measurement is off, without the expected number."""
    depth, what = case
    if what == GRADIENT_ERROR:
        return f"on {depth} blocks the gradients differ from plain backpropagation (relative error {got:.2g})"
    direction = "more" if got > want else "fewer"
    if what == BLOCK_FORWARDS:
        return f"on {depth} blocks your step runs {direction} block forwards ({got:g}) than keeping nothing"
    if got > want:
        return f"on {depth} blocks your step holds more than one block's saved tensors ({got:.2f} blocks)"
    return f"on {depth} blocks your step's peak is below one block's saved tensors ({got:.2f}): no backward?"


def smallest_budget_reference(
    plan_fn: Callable, memory: Sequence[int], compute: Sequence[float]
) -> Callable[[float], int]:
    """The reference of exercise 3: ``fraction -> `` the smallest integer budget under which
    ``plan_fn(memory, compute, budget)`` (the notebook's DP, ``(plan, cost)`` or None) recomputes at most
    ``fraction`` of one forward pass, ``sum(compute)``.

    Bisection is exact: a larger budget allows every plan a smaller one allows, so the DP's cost never rises.
    """
    total = sum(compute)

    def good_enough(budget: int, fraction: float) -> bool:
        found = plan_fn(memory, compute, budget)
        return found is not None and found[1] <= fraction * total

    def smallest(fraction: float) -> int:
        fraction = check_real("fraction", fraction, low=0, high=1)
        low, high = 1, sum(memory)  # keeping everything (no recomputation) fits sum(memory)
        while low < high:
            middle = (low + high) // 2
            low, high = (low, middle) if good_enough(middle, fraction) else (middle + 1, high)
        return low

    return smallest


@functools.lru_cache(maxsize=1)
def _policy_encoder(seed: int = 0):
    """Two of notebook 04's encoder layers (d = 32, 2 heads, d_ff = 64) and tokens (4, 16, 32), on the CPU."""
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    model = nn.Sequential(*[EncoderLayer(32, 2, 64) for _ in range(2)])
    tokens = torch.randn(4, 16, 32)
    torch.random.set_rng_state(generator_state)
    for module in model.modules():
        if isinstance(module, MultiHeadAttention):  # the explorer's copy of the weights is not needed here
            module.register_forward_hook(lambda m, args, out: setattr(m, "last_weights", None))
    return model, tokens


CACHED_ELEMENTS = "cached elements"  # elements of the op outputs a policy keeps, per training step


def _encoder_step(policy: Callable | None, count_cached: bool = False) -> tuple[float, torch.Tensor]:
    """FLOPs (or, with ``count_cached``, the elements of the outputs ``policy`` keeps) and parameter
    gradients of one step of the probe encoder, each layer checkpointed under ``policy`` (None: plain)."""
    model, tokens = _policy_encoder()
    for p in model.parameters():
        p.grad = None
    cached = [0]

    def counting(ctx, op, *args, **kwargs):  # runs a kept op once more to size its output (no FLOP counter)
        decision = policy(ctx, op, *args, **kwargs)
        keep = decision in (CheckpointPolicy.MUST_SAVE, CheckpointPolicy.PREFER_SAVE)
        if keep and not ctx.is_recompute:
            with torch.no_grad():
                out = op(*args, **kwargs)
            cached[0] += sum(
                t.numel()
                for t in (out if isinstance(out, (tuple, list)) else [out])
                if isinstance(t, torch.Tensor)
            )
        return decision

    with FlopCounterMode(display=False) as counter:
        v = tokens
        for layer in model:
            if policy is None:
                v = layer(v)
            else:
                chosen = counting if count_cached else policy
                context_fn = functools.partial(create_selective_checkpoint_contexts, chosen)
                v = checkpoint(layer, v, use_reentrant=False, context_fn=context_fn)
        v.pow(2).mean().backward()
    measured = cached[0] if count_cached else counter.get_total_flops()
    return measured, torch.cat([p.grad.flatten() for p in model.parameters()])


def policy_probe(policy: Callable, what: str) -> float:
    """For exercise 4: one training step of two encoder layers, each checkpointed with ``policy``;
    ``what = "FLOPs / plain"``, ``"cached elements"`` (the outputs the policy keeps, summed over the
    step's forward pass) or ``"gradient error"`` (relative to plain backpropagation)."""
    if what not in (FLOPS_RATIO, CACHED_ELEMENTS, GRADIENT_ERROR):
        raise ValueError(
            f"what must be {FLOPS_RATIO!r}, {CACHED_ELEMENTS!r} or {GRADIENT_ERROR!r}, got {what!r}"
        )
    plain_flops, plain_grads = _encoder_step(None)
    if what == CACHED_ELEMENTS:
        return float(_encoder_step(policy, count_cached=True)[0])
    flops, grads = _encoder_step(policy)
    if what == FLOPS_RATIO:
        return flops / plain_flops
    return ((grads - plain_grads).norm() / plain_grads.norm()).item()


def keep_expansion_reference(ctx, op, *args, **kwargs) -> CheckpointPolicy:
    """The policy exercise 4 asks for: keep the feed-forward's first linear output (the only linear layer
    that widens its input), recompute everything else."""
    widening = op == torch.ops.aten.addmm.default and args[2].shape[-1] > args[1].shape[-1]
    return CheckpointPolicy.MUST_SAVE if widening else CheckpointPolicy.PREFER_RECOMPUTE


def policy_explain(got: float, want: float, case: tuple) -> str | None:
    """Feedback for exercise 4 that says which way a measurement is off, without the expected number."""
    (what,) = case
    if what == GRADIENT_ERROR:
        return f"the gradients differ from plain backpropagation (relative error {got:.2g})"
    if what == FLOPS_RATIO:
        if got > want:
            return f"your policy recomputes too much ({got:.3f}× plain FLOPs): the expansion is not kept"
        return f"your policy recomputes too little ({got:.3f}× plain FLOPs): it keeps more matrix products"
    if got > want:
        return f"your policy keeps too much ({got:g} elements): more than the expansion's output"
    return f"your policy keeps too little ({got:g} elements)"


def direction_explain(got: float, want: float, case: tuple) -> str | None:
    """Feedback for exercises 1 and 3: which way one case's answer is off, without the expected value."""
    side = "too high" if got > want else "too low"
    return f"for {case[0]} your answer ({got:g}) is {side}"
