"""helpers/exercises/transformer.py: the references of notebook 04's exercises accept right answers (also ones
written differently from the notebook's solutions) and, through check_answer, reject typical wrong ones with
a message that names what is wrong."""

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


def test_cache_size_formula_is_accepted_and_a_missing_cross_attention_cache_is_not(capsys):
    torch.manual_seed(0)
    model = Seq2SeqTransformer(13, d_model=16, num_heads=4, d_ff=32, num_layers=2)
    layers, width = len(model.decoder), model.d_model
    right = lambda b, s, g: 2 * layers * b * width * (g + s)
    reference = lambda b, s, g: ex.measured_cache_floats(model, b, s, g)
    assert check_answer("cache", right, reference, ex.cache_cases())
    self_only = lambda b, s, g: 2 * layers * b * width * g
    assert not check_answer("cache", self_only, reference, ex.cache_cases())
    assert "case 1" in capsys.readouterr().out
