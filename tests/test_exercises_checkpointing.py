"""helpers/exercises/checkpointing.py: the references and probes of notebook 12's exercises accept right
answers (also ones written differently from the notebook's solutions) and, through check_answer, reject
typical wrong ones with a message that names the failing case."""

import functools
from itertools import product

import pytest
import torch
from torch import nn
from torch.utils.checkpoint import CheckpointPolicy

from helpers.exercises import check_answer
from helpers.exercises import checkpointing as ex

WIDTH = 8


def dropout_chain(depth, seed=0):
    gen = torch.Generator().manual_seed(seed)
    blocks = []
    for _ in range(depth):
        linear = nn.Linear(WIDTH, WIDTH)
        with torch.no_grad():
            linear.weight.copy_(torch.randn(WIDTH, WIDTH, generator=gen) / WIDTH**0.5)
        blocks.append(nn.Sequential(linear, nn.Tanh(), nn.Dropout(0.2)))
    return nn.Sequential(*blocks)


def count_calls(blocks, fn, *inputs):
    calls = [0]
    handles = [b.register_forward_pre_hook(lambda m, a: calls.__setitem__(0, calls[0] + 1)) for b in blocks]
    try:
        fn(*inputs)
    finally:
        for h in handles:
            h.remove()
    return calls[0]


def saved_trace(fn, *inputs):
    """A minimal saved-tensor ruler: live saved bytes (distinct storages, no parameters) after each event."""
    live, trace, counts = [0], [], {}

    def pack(t):
        if isinstance(t._base if t._base is not None else t, nn.Parameter):
            return None, t
        key = t.untyped_storage().data_ptr()
        if counts.get(key, 0) == 0:
            live[0] += t.untyped_storage().nbytes()
            trace.append(live[0])
        counts[key] = counts.get(key, 0) + 1
        return _Token(functools.partial(drop, key, t.untyped_storage().nbytes())), t

    def drop(key, nbytes):
        counts[key] -= 1
        if counts[key] == 0:
            live[0] -= nbytes
            trace.append(live[0])

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda packed: packed[1]):
        fn(*inputs)
    return trace


class _Token:
    def __init__(self, on_free):
        self.on_free = on_free

    def __del__(self):
        self.on_free()


def keep_nothing(chain, x, replay, hold_rebuilds=False):
    """Backprop keeping only x; replay=True restores each block's first-pass random state before every rerun
    (inside fork_rng, unlike the notebook's solution); hold_rebuilds=True rebuilds with a graph and keeps
    it alive (right gradients and counts, too much memory)."""
    held = []
    blocks = list(chain)
    states = []
    with torch.no_grad():
        out = x
        for block in blocks:
            states.append(torch.get_rng_state())
            out = block(out)
    out.requires_grad_(True)
    (grad,) = torch.autograd.grad(out.pow(2).mean(), out)
    for i in reversed(range(len(blocks))):
        with torch.random.fork_rng(devices=[]):
            with torch.set_grad_enabled(hold_rebuilds):
                a = x
                for j in range(i):
                    if replay:
                        torch.set_rng_state(states[j])
                    a = blocks[j](a)
                    held.append(a)
            a = a.detach().requires_grad_(True)
            if replay:
                torch.set_rng_state(states[i])
            blocks[i](a).backward(grad)
        grad = a.grad


def keep_everything(chain, x):
    chain(x).pow(2).mean().backward()


@pytest.fixture(scope="module")
def probe():
    return ex.dropout_step_probe(dropout_chain, count_calls, torch.randn(16, WIDTH), saved_trace)


WHATS = (ex.GRADIENT_ERROR, ex.BLOCK_FORWARDS, ex.PEAK_BLOCKS)
CASES = [(depth, what) for depth in (1, 3, 5) for what in WHATS]


def test_dropout_probe_accepts_a_replaying_keep_nothing_step(probe):
    step = functools.partial(keep_nothing, replay=True)
    assert check_answer("dropout", lambda d, w: probe(step, d, w), ex.dropout_step_reference, CASES)


def test_dropout_probe_rejects_holding_the_rebuilt_graphs(probe, capsys):
    step = functools.partial(keep_nothing, replay=True, hold_rebuilds=True)
    verdict = check_answer(
        "dropout",
        lambda d, w: probe(step, d, w),
        ex.dropout_step_reference,
        CASES,
        explain=ex.dropout_step_explain,
    )
    assert not verdict
    assert "more than one block's saved tensors" in capsys.readouterr().out


def test_dropout_probe_rejects_no_replay_and_keeping_everything(probe, capsys):
    no_replay = functools.partial(keep_nothing, replay=False)
    assert not check_answer("dropout", lambda d, w: probe(no_replay, d, w), ex.dropout_step_reference, CASES)
    assert "'gradient error'" in capsys.readouterr().out
    # right gradients, but plain backprop keeps every activation: the block count gives it away
    assert not check_answer(
        "dropout",
        lambda d, w: probe(keep_everything, d, w),
        ex.dropout_step_reference,
        CASES,
        explain=ex.dropout_step_explain,
    )
    out = capsys.readouterr().out
    assert "'block forwards'" in out and "fewer block forwards" in out


def test_dropout_reference_and_probe_validate(probe):
    assert ex.dropout_step_reference(4, ex.BLOCK_FORWARDS) == 4 + 10
    assert ex.dropout_step_reference(4, ex.GRADIENT_ERROR) == 0.0
    assert ex.dropout_step_reference(4, ex.PEAK_BLOCKS) == 1.0
    with pytest.raises(ValueError, match="what"):
        probe(keep_everything, 2, "speed")
    with pytest.raises(ValueError, match="depth"):
        ex.dropout_step_reference(0, ex.GRADIENT_ERROR)


def test_measured_peak_wires_the_notebook_tools():
    seen = []

    def trace_fn(step_fn, model, x, forward):
        seen.append(step_fn)
        return [0, forward(model, x), 1]

    peak = ex.measured_peak(trace_fn, "step", "model", "x", 10, lambda chain, v, segments: 30 * segments)
    assert peak(3) == 9.0 and seen == ["step"]


def plan_cost(memory, compute, plan):
    """Independent of the notebook: peak and recompute of a plan [(s, t, checkpointed)]."""
    held, peak, cost = 0, 0, 0
    for s, t, checkpointed in plan:
        peak = max(peak, held + sum(memory[s : t + 1]))
        held += memory[s] if checkpointed else sum(memory[s:t])
        cost += sum(compute[s:t]) if checkpointed else 0
    return peak, cost


def brute_force_plan(memory, compute, budget):
    n, best = len(compute), None
    for cuts in product([False, True], repeat=n - 1):
        bounds = [0] + [i for i, c in enumerate(cuts, 1) if c] + [n]
        for flags in product([True, False], repeat=len(bounds) - 1):
            plan = [(s, t, f) for s, t, f in zip(bounds[:-1], bounds[1:], flags)]
            peak, cost = plan_cost(memory, compute, plan)
            if peak <= budget and (best is None or cost < best[1]):
                best = (plan, cost)
    return best


def test_smallest_budget_reference_equals_a_scan_and_rejects_off_by_one(capsys):
    memory, compute = [1, 3, 1, 2, 4, 1], [2.0, 1.0, 3.0, 1.5, 2.5]
    reference = ex.smallest_budget_reference(brute_force_plan, memory, compute)

    def scan(fraction):
        for budget in range(1, sum(memory) + 1):
            found = brute_force_plan(memory, compute, budget)
            if found is not None and found[1] <= fraction * sum(compute):
                return budget

    cases = [(f,) for f in (1.0, 0.6, 0.3, 0.1, 0.0)]
    assert check_answer("budget", scan, reference, cases)
    assert reference(0.0) == sum(memory)  # nothing recomputed: everything kept
    assert not check_answer("budget", lambda f: scan(f) + 1, reference, cases)
    assert "case 1 (1.0)" in capsys.readouterr().out
    with pytest.raises(ValueError, match="fraction"):
        reference(1.5)


def by_width(ctx, op, *args, **kwargs):
    """A right answer written differently from the reference: the weight's output width is d_ff = 64."""
    keep = op.overloadpacket is torch.ops.aten.addmm and args[2].shape[1] == 64
    return CheckpointPolicy.MUST_SAVE if keep else CheckpointPolicy.PREFER_RECOMPUTE


def every_linear(ctx, op, *args, **kwargs):
    """A typical wrong answer: §4.4's policy, which keeps every linear layer's output."""
    keep = op in (torch.ops.aten.addmm.default, torch.ops.aten.mm.default)
    return CheckpointPolicy.MUST_SAVE if keep else CheckpointPolicy.PREFER_RECOMPUTE


def by_packet_object(ctx, op, *args, **kwargs):
    """Another wrong answer: an OpOverloadPacket never equals the OpOverload the policy receives."""
    keep = op in (torch.ops.aten.addmm,) and args[2].shape[1] == 64
    return CheckpointPolicy.MUST_SAVE if keep else CheckpointPolicy.PREFER_RECOMPUTE


def save_everything(ctx, op, *args, **kwargs):
    return CheckpointPolicy.MUST_SAVE


POLICY_CASES = [(ex.FLOPS_RATIO,), (ex.CACHED_ELEMENTS,), (ex.GRADIENT_ERROR,)]


def reference_probe(what):
    return ex.policy_probe(ex.keep_expansion_reference, what)


def test_policy_probe_measures_what_each_policy_recomputes_and_keeps():
    full = ex.policy_probe(lambda ctx, op, *a, **k: CheckpointPolicy.PREFER_RECOMPUTE, ex.FLOPS_RATIO)
    assert full > ex.policy_probe(ex.keep_expansion_reference, ex.FLOPS_RATIO) > 1.0
    assert ex.policy_probe(save_everything, ex.FLOPS_RATIO) == pytest.approx(1.0)
    assert ex.policy_probe(ex.keep_expansion_reference, ex.GRADIENT_ERROR) < 1e-6
    assert ex.policy_probe(ex.keep_expansion_reference, ex.CACHED_ELEMENTS) == 2 * 4 * 16 * 64
    with pytest.raises(ValueError, match="what"):
        ex.policy_probe(save_everything, "memory")


def test_policy_checker_accepts_another_answer_and_rejects_wrong_ones(capsys):
    def check(policy):
        probe = lambda w: ex.policy_probe(policy, w)
        return check_answer("policy", probe, reference_probe, POLICY_CASES, explain=ex.policy_explain)

    assert check(by_width)
    # wrong policy -> a phrase its feedback must contain (None: rejected, no particular wording asked)
    for policy, says in (
        (every_linear, "recomputes too little"),
        (by_packet_object, "recomputes too much"),
        (save_everything, None),
    ):
        capsys.readouterr()
        assert not check(policy), policy.__name__
        if says:
            assert says in capsys.readouterr().out, policy.__name__


def test_direction_explain_says_which_way_without_the_answer(capsys):
    assert not check_answer("peak", lambda k: k + 1, lambda k: k, [(3,)], explain=ex.direction_explain)
    out = capsys.readouterr().out
    assert "too high" in out and "(4)" in out
    assert ex.direction_explain(2, 3, (0.5,)) == "for 0.5 your answer (2) is too low"
