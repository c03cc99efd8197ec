"""helpers/exercises/siglip.py: the references of notebook 10's exercises accept right answers (also ones
written differently from the notebook's solutions) and, through check_answer, reject typical wrong ones with a
message that names the failing case."""

import math

import torch
import torch.nn.functional as F

from helpers.components.siglip import siglip_block_loss
from helpers.exercises import check_answer
from helpers.exercises import siglip as ex


# ---------------------------------------------------------------------- exercise 1: design the bias start
def closed_form_bias(batch, t, positive_cosine):
    """A right answer: the root u = e^b of (B−1)·e^(tc)·u² + (B−2)·u − 1 = 0 (slope of L₀ = 0)."""
    a, c = (batch - 1) * math.exp(t * positive_cosine), batch - 2
    return math.log((-c + math.sqrt(c * c + 4 * a)) / (2 * a))


def test_slope_is_zero_at_the_prior_when_cosines_are_zero():
    for batch in (2, 8, 1000):
        assert abs(ex.initial_loss_slope(batch, 10.0, 0.0, -math.log(batch - 1))) < 1e-12
    assert math.isclose(ex.best_start_bias_reference(128, 10.0, 0.0), -math.log(127), abs_tol=1e-9)


def test_best_start_bias_accepts_a_closed_form_a_tensor_and_a_search():
    assert ex.check_best_start_bias(closed_form_bias)
    assert ex.check_best_start_bias(lambda *case: torch.tensor(closed_form_bias(*case)))  # a 0-d tensor

    def by_autograd_newton(batch, t, positive_cosine):  # another right answer: Newton steps on the slope
        bias = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
        for _ in range(100):
            logits = torch.cat([(t * positive_cosine + bias)[None], bias.expand(batch - 1)])
            labels = torch.tensor([1.0] + [-1.0] * (batch - 1), dtype=torch.float64)
            (slope,) = torch.autograd.grad(-F.logsigmoid(labels * logits).sum(), bias, create_graph=True)
            (curvature,) = torch.autograd.grad(slope, bias)
            bias = (bias - slope / curvature).detach().requires_grad_()
        return bias.detach()

    assert ex.check_best_start_bias(by_autograd_newton)


def test_best_start_bias_rejects_mistakes_and_says_which_way(capsys):
    assert not ex.check_best_start_bias(lambda batch, t, c: -math.log(batch - 1))  # ignores the cosine
    out = capsys.readouterr().out
    assert "case 2 (128, 10.0, 0.3)" in out and "too high" in out  # c > 0: the best start is lower
    assert not ex.check_best_start_bias(lambda batch, t, c: closed_form_bias(batch, t, c) + 0.5)
    assert "case 1 (8, 10.0, 0.0): the bias is too high" in capsys.readouterr().out
    assert not ex.check_best_start_bias(lambda batch, t, c: torch.ones(2))
    assert "not one number" in capsys.readouterr().out


# ---------------------------------------------------------------------- exercise 2: debug the ring gradient
def ring_gradient(image, text, t_prime, b, num_devices, *, gradient_follows_chunk=True):
    """The exercise's ring, written here; gradient_follows_chunk=False plants the exercise's bug."""
    images, chunks = image.chunk(num_devices), list(text.chunk(num_devices))
    grads = [torch.zeros_like(c) for c in chunks]
    for step in range(num_devices):
        for d in range(num_devices):
            chunk = chunks[d].clone().requires_grad_()
            block = siglip_block_loss(
                images[d], chunk, t_prime, b, positives_on_diagonal=step == 0, batch_size=len(image)
            )
            grads[d] = grads[d] + torch.autograd.grad(block, chunk)[0]
        chunks = chunks[-1:] + chunks[:-1]
        grads = grads[-1:] + grads[:-1] if gradient_follows_chunk else grads[1:] + grads[:1]
    return torch.cat(grads)


def ring_gradient_by_hand(image, text, t_prime, b, num_devices):
    """Another right answer: Step 2's gradient, block by block, without autograd or any passing."""
    logits = math.exp(t_prime) * image @ text.T + b
    coefficient = (torch.sigmoid(logits) - torch.eye(len(image), dtype=image.dtype)) / len(image)
    return math.exp(t_prime) * coefficient.T @ image


def test_ring_cases_are_unit_length_and_cover_the_ring_sizes():
    cases = ex.ring_gradient_cases()
    assert [case[4] for case in cases] == [1, 2, 4, 8]
    for image, text, *_ in cases:
        assert torch.allclose(image.norm(dim=-1), torch.ones(8, dtype=torch.float64))
        assert torch.allclose(text.norm(dim=-1), torch.ones(8, dtype=torch.float64))


def test_ring_gradient_accepts_the_fix_and_another_right_answer():
    assert check_answer("ring", ring_gradient, ex.text_gradient_by_autograd, ex.ring_gradient_cases())
    assert check_answer("ring", ring_gradient_by_hand, ex.text_gradient_by_autograd, ex.ring_gradient_cases())


def test_ring_gradient_rejects_the_planted_bug_at_four_devices_not_two(capsys):
    buggy = lambda *case: ring_gradient(*case, gradient_follows_chunk=False)
    assert not check_answer("ring", buggy, ex.text_gradient_by_autograd, ex.ring_gradient_cases())
    out = capsys.readouterr().out
    assert "case 3 (" in out and ", 4): " in out and "values are off" in out  # D = 1 and D = 2 passed


def test_ring_gradient_rejects_positives_in_every_block(capsys):
    def positives_everywhere(image, text, t_prime, b, num_devices):
        leaf = text.clone().requires_grad_()
        loss = sum(
            siglip_block_loss(i, t, t_prime, b, positives_on_diagonal=True, batch_size=len(image))
            for i in image.chunk(num_devices)
            for t in leaf.chunk(num_devices)
        )
        return torch.autograd.grad(loss, leaf)[0]

    assert not check_answer(
        "ring", positives_everywhere, ex.text_gradient_by_autograd, ex.ring_gradient_cases()
    )
    assert "case 2 (" in capsys.readouterr().out


# -------------------------------------------------------------------- exercise 3: a model's match decisions
def test_match_counts_reference_on_a_small_case():
    cosines = torch.tensor([[0.9, 0.5, -0.2], [0.1, 0.3, 0.8], [0.0, 0.95, 0.7]])
    assert ex.match_counts_reference(cosines, 10.0, -6.0) == (2, 2)  # logits > 0 where cos > 0.6


def test_match_counts_accepts_right_answers_and_rejects_mistakes(capsys):
    cosines = F.normalize(torch.randn(10, 4, generator=torch.Generator().manual_seed(3)), dim=-1)
    cases = ex.match_count_cases(cosines @ cosines.T, 15.0, -8.0, 2.0)
    assert len(cases) == 6 and cases[1][2] == -6.0

    def by_threshold(c, t, b):  # another right answer: the cosine above which σ(t·cos + b) > 1/2
        above = c > -b / t
        return int(above.diagonal().sum()), int(above.sum() - above.diagonal().sum())

    def by_probability_as_list(c, t, b):  # a list, and counts left as tensors
        called = torch.sigmoid(t * c + b) > 0.5
        return [called.diagonal().sum(), called.sum() - called.diagonal().sum()]

    assert ex.check_match_counts(by_threshold, cases)
    assert ex.check_match_counts(by_probability_as_list, cases)
    assert ex.check_match_counts(lambda c, t, b: torch.tensor(by_threshold(c, t, b)), cases)  # a tensor
    argmax_rows = lambda c, t, b: (int((c.argmax(1) == torch.arange(len(c))).sum()), 0)  # softmax thinking
    assert not ex.check_match_counts(argmax_rows, cases)
    assert "too" in capsys.readouterr().out
    all_pairs = lambda c, t, b: (int((t * c + b > 0).sum()), 0)  # forgot to split the diagonal
    assert not ex.check_match_counts(all_pairs, cases)
    assert "the count of true pairs (the diagonal) is too high" in capsys.readouterr().out
    swapped = lambda c, t, b: by_threshold(c, t, b)[::-1]
    assert not ex.check_match_counts(swapped, cases)
    assert not ex.check_match_counts(lambda c, t, b: 3, cases)
    assert "return two whole numbers" in capsys.readouterr().out
