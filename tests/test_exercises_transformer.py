"""helpers/exercises/transformer.py: the references of notebook 04's exercises accept right answers (also ones
written differently from the notebook's solutions) and, through check_answer, reject typical wrong ones with
a message that names what is wrong."""

import math

import torch

from helpers.components.transformer import Seq2SeqTransformer
from helpers.exercises import check_answer
from helpers.exercises import transformer as ex


def rotary_with_sines(x, positions, clockwise=False, half_split=False):
    """Rotary embedding with sines and cosines, written here; the flags plant typical mistakes."""
    d = x.shape[-1]
    angle = positions[:, None] * 10_000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    angle = -angle if clockwise else angle
    even, odd = (x[..., : d // 2], x[..., d // 2 :]) if half_split else (x[..., 0::2], x[..., 1::2])
    out = torch.empty_like(x)
    out[..., 0::2] = even * torch.cos(angle) - odd * torch.sin(angle)
    out[..., 1::2] = even * torch.sin(angle) + odd * torch.cos(angle)
    return out


def test_rotary_reference_keeps_dot_products_relative():
    x = torch.randn(2, 8, dtype=torch.float64)
    shifted = [ex.rotary_reference(x, torch.tensor([p, p + 3.0], dtype=torch.float64)) for p in (0.0, 11.0)]
    dots = [(r[0] * r[1]).sum() for r in shifted]
    assert torch.allclose(dots[0], dots[1])


def test_rotary_checker_accepts_a_sine_cosine_version(capsys):
    cases = ex.rotary_cases(0)
    assert check_answer("rotary", rotary_with_sines, ex.rotary_reference, cases, explain=ex.rotary_feedback())


def test_rotary_checker_names_the_direction_and_the_pairing(capsys):
    cases, explain = ex.rotary_cases(0), ex.rotary_feedback()
    wrong_way = lambda x, p: rotary_with_sines(x, p, clockwise=True)
    assert not check_answer("rotary", wrong_way, ex.rotary_reference, cases, explain=explain)
    assert "clockwise" in capsys.readouterr().out
    halves = lambda x, p: rotary_with_sines(x, p, half_split=True)
    assert not check_answer("rotary", halves, ex.rotary_reference, cases, explain=explain)
    assert "length of each pair" in capsys.readouterr().out


def parameter_formula(vocab_size, d_model, num_heads, d_ff, num_layers, norm_first):
    """The count written out sublayer by sublayer (another grouping than the notebook's solution)."""
    attention = 4 * d_model * (d_model + 1)
    feed_forward = d_model * d_ff + d_ff + d_ff * d_model + d_model
    encoder = attention + feed_forward + 4 * d_model
    decoder = 2 * attention + feed_forward + 6 * d_model
    ends = 2 * vocab_size * d_model + (d_model + 1) * vocab_size + (4 * d_model if norm_first else 0)
    return num_layers * (encoder + decoder) + ends


def test_parameter_checker_accepts_the_formula_and_names_typical_misses(capsys):
    assert ex.check_parameter_count(parameter_formula)
    capsys.readouterr()
    misses = {
        "post-norm": lambda v, d, h, f, n, nf: parameter_formula(v, d, h, f, n, False),
        "vocab_size": lambda v, d, h, f, n, nf: parameter_formula(v, d, h, f, n, nf) - v,
        "LayerNorms": lambda v, d, h, f, n, nf: parameter_formula(v, d, h, f, n, nf) - 2 * d * n,
        "num_heads": lambda v, d, h, f, n, nf: parameter_formula(v, d, h, f, n, nf) + 4 * h,
    }
    for words, wrong in misses.items():
        assert not ex.check_parameter_count(wrong)
        out = capsys.readouterr().out
        assert words in out, out
        assert str(parameter_formula(13, 32, 4, 64, 2, True)) not in out  # the count is never shown


def test_pe_dot_checker_accepts_the_closed_form_and_flags_k_zero(capsys):
    closed = lambda k, d: sum(math.cos(k * 10_000.0 ** (-2 * i / d)) for i in range(d // 2))
    assert ex.check_pe_dot(closed)
    assert ex.check_pe_dot(lambda k, d: torch.tensor(closed(k, d)))  # a 0-d tensor is a number too
    capsys.readouterr()
    assert not ex.check_pe_dot(lambda k, d: float(d))
    assert "k = 0" in capsys.readouterr().out
    sines = lambda k, d: (
        closed(k, d) if k == 0 else sum(math.sin(k * 10_000.0 ** (-2 * i / d)) for i in range(d // 2))
    )
    assert not ex.check_pe_dot(sines)
    assert "offset" in capsys.readouterr().out


def test_extrapolation_checker_accepts_a_measurement_and_rejects_a_short_max_len(capsys):
    from helpers.components.transformer import greedy_decode

    torch.manual_seed(0)
    model = Seq2SeqTransformer(13, d_model=16, num_heads=2, d_ff=32, num_layers=1).eval()

    def measure(n, max_extra=1):
        digits = torch.randint(3, 13, (300, n), generator=torch.Generator().manual_seed(n))
        pred = greedy_decode(model, digits, n + max_extra, 1, 2)
        want = torch.cat([digits.flip(1), torch.full((300, 1), 2)], dim=1)
        pred = torch.nn.functional.pad(pred, (0, max(0, n + 1 - pred.shape[1])))[:, : n + 1]
        return (pred == want).all(1).float().mean().item()

    assert ex.check_extrapolation(measure, model, {13: 0.5})
    assert "you predicted 0.50" in capsys.readouterr().out
    assert not ex.check_extrapolation(lambda n: 1.5, model)
    assert "between 0 and 1" in capsys.readouterr().out
