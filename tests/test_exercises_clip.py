"""helpers/exercises/clip.py: the checkers of notebook 09's exercises accept right answers (also ones written
differently from the notebook's solutions) and reject typical wrong ones with a message naming the case."""

import math

import pytest
import torch
import torch.nn.functional as F

from helpers.components.clip import CLIPModel, ImageEncoder, TextEncoder
from helpers.data.shapes import COLOURS, SHAPES, SIZES, CaptionTokenizer, make_shape_captions
from helpers.exercises import clip as ex

pytestmark = pytest.mark.usefixtures("one_thread", "seed0")  # fixtures in tests/conftest.py


# ---------------------------------------------------------------------------- exercise 1: soft targets
def soft_by_cross_entropy(logits, describes):  # a right answer, written another way
    weights = describes.to(logits.dtype)
    rows = F.cross_entropy(logits, weights / weights.sum(1, keepdim=True))
    cols = F.cross_entropy(logits.T, (weights / weights.sum(0, keepdim=True)).T)
    return (rows + cols) / 2


def soft_by_loops(logits, describes):  # another right answer: one row and one column at a time
    total = 0.0
    for i in range(len(logits)):
        row, col = describes[i], describes[:, i]
        total = (
            total
            - torch.log_softmax(logits[i], 0)[row].mean()
            - torch.log_softmax(logits[:, i], 0)[col].mean()
        )
    return total / (2 * len(logits))


def test_soft_targets_accepts_right_answers(capsys):
    assert ex.check_soft_target_loss(soft_by_cross_entropy)
    assert ex.check_soft_target_loss(soft_by_loops)
    assert "✓" in capsys.readouterr().out


def test_soft_targets_equals_clip_loss_on_the_diagonal():
    logits, describes = ex.soft_target_cases()[0]
    labels = torch.arange(len(logits))
    plain = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
    torch.testing.assert_close(ex.soft_target_reference(logits, describes), plain)


def test_soft_targets_rejects_one_normalisation_for_both_axes(capsys):
    def rows_only(logits, describes):  # the row targets reused for the columns
        weights = describes.to(logits.dtype)
        targets = weights / weights.sum(1, keepdim=True)
        return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets.T)) / 2

    assert not ex.check_soft_target_loss(rows_only)
    out = capsys.readouterr().out
    assert "✗" in out and "case 3" in out


def test_soft_targets_rejects_the_plain_loss_and_reports_unfinished(capsys):
    def plain(logits, describes):
        labels = torch.arange(len(logits))
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2

    assert not ex.check_soft_target_loss(plain)
    assert "case 2" in capsys.readouterr().out

    def unfinished(logits, describes):
        raise NotImplementedError

    assert not ex.check_soft_target_loss(unfinished)
    assert "not attempted" in capsys.readouterr().out


# ------------------------------------------------------------------------ exercise 2: scale for a floor
def scale_by_formula(batch, target):
    return -(batch - 1) / batch * math.log(math.expm1(target) / (batch - 1))


def scale_by_bisection(batch, target):  # another right answer, slightly above the smallest
    low, high = 0.0, 1e4
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if ex.simplex_floor(middle, batch) > target else (low, middle)
    return high


def test_scale_for_floor_accepts_right_answers():
    assert ex.check_scale_for_floor(scale_by_formula)
    assert ex.check_scale_for_floor(scale_by_bisection)
    assert ex.check_scale_for_floor(lambda b, t: torch.tensor(scale_by_formula(b, t)))


def test_scale_for_floor_rejects_too_small_too_large_and_nonsense(capsys):
    assert not ex.check_scale_for_floor(lambda b, t: 0.9 * scale_by_formula(b, t))
    assert "above the target" in capsys.readouterr().out
    assert not ex.check_scale_for_floor(lambda b, t: 1.1 * scale_by_formula(b, t))
    assert "smaller s" in capsys.readouterr().out
    assert not ex.check_scale_for_floor(lambda b, t: -math.log(math.expm1(t) / (b - 1)))  # factor dropped
    assert "✗" in capsys.readouterr().out
    assert not ex.check_scale_for_floor(lambda b, t: "big")
    assert "finite number" in capsys.readouterr().out


# ---------------------------------------------------------------------- exercise 3: prompts for size
@pytest.fixture(scope="module")
def size_setup():
    tokenizer = CaptionTokenizer.for_shapes()
    model = CLIPModel(ImageEncoder(16, 4), TextEncoder(len(tokenizer), 16)).eval()
    split = make_shape_captions(40, seed=0)
    return model, tokenizer, split.images, split.size


def test_size_prompts_validates_the_templates(size_setup, capsys):
    model, tokenizer, images, sizes = size_setup
    assert not ex.check_size_prompts("a {} circle", model, tokenizer, images, sizes, SIZES)
    assert "list of str" in capsys.readouterr().out
    assert not ex.check_size_prompts(["a red circle"], model, tokenizer, images, sizes, SIZES)
    assert "exactly one" in capsys.readouterr().out
    assert not ex.check_size_prompts(["a {} zebra"], model, tokenizer, images, sizes, SIZES)
    assert "zebra" in capsys.readouterr().out


def test_size_prompts_measures_accuracy(size_setup, capsys):
    model, tokenizer, images, sizes = size_setup
    templates = [f"a {{}} {c} {s}" for s in SHAPES for c in COLOURS]
    accuracy = ex.size_accuracy(templates, model, tokenizer, images, sizes, SIZES)
    assert 0.0 <= accuracy <= 1.0
    assert bool(ex.check_size_prompts(templates, model, tokenizer, images, sizes, SIZES, bar=0.0))
    if accuracy < 1.0:
        assert not ex.check_size_prompts(templates, model, tokenizer, images, sizes, SIZES, bar=1.0)
        assert "accuracy" in capsys.readouterr().out
