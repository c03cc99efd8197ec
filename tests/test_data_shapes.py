"""Tests for helpers/data/shapes.py: images, captions, held-out pairs, corruption and the tokenizer."""

import re

import numpy as np
import pytest
import torch

from helpers.data import shapes as S
from helpers.data.shapes import (
    COLOURS,
    POSITIONS,
    SHAPES,
    SIZES,
    CaptionTokenizer,
    combo_index,
    held_out_combos,
    make_captions,
    make_shape_captions,
    make_shapes_dataset,
    render_shapes,
)


def attrs(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return (
        rng.integers(len(SHAPES), size=n),
        rng.integers(len(COLOURS), size=n),
        rng.integers(len(POSITIONS), size=n),
        rng.integers(len(SIZES), size=n),
    )


# ------------------------------------------------------------------------------------------------ images
def test_render_shapes_shape_range_and_determinism():
    a = attrs()
    images = render_shapes(*a, seed=3)
    assert images.shape == (40, 3, 32, 32) and images.dtype == torch.float32
    assert images.min() >= 0 and images.max() <= 1
    torch.testing.assert_close(images, render_shapes(*a, seed=3), rtol=0, atol=0)
    assert not torch.equal(images, render_shapes(*a, seed=4))


def test_render_shapes_colour_and_position():
    n = len(COLOURS)
    images = render_shapes([0] * n, list(range(n)), [0] * n, [1] * n)  # large circles, top left
    for c, name in enumerate(COLOURS):
        pixel = images[c, :, 5, 5]  # inside the top-left circle
        assert torch.allclose(pixel, torch.tensor(S.RGB[name]), atol=0.25), name
    assert images[:, :, 26, 26].max() < 0.3  # bottom right is background
    circle, square = render_shapes([0, 1], [5, 5], [4, 4], [1, 1], seed=0)
    assert (square.mean(0) > 0.5).sum() > (circle.mean(0) > 0.5).sum()  # a square fills its box


def test_render_shapes_rejects_bad_input():
    with pytest.raises(ValueError, match="shape must hold indices"):
        render_shapes([4], [0], [0], [0])
    with pytest.raises(ValueError, match="one length"):
        render_shapes([0, 1], [0], [0], [0])
    with pytest.raises(TypeError, match="colour must be"):
        render_shapes([0], [0.5], [0], [0])
    with pytest.raises(ValueError, match="^seed must be an int >= 0, got -1$"):
        render_shapes([0], [0], [0], [0], seed=-1)


# ---------------------------------------------------------------------------------------------- captions
def test_make_captions_mention_the_attributes():
    a = attrs(200)
    captions = make_captions(*a, seed=1)
    assert len(captions) == 200 and captions == make_captions(*a, seed=1)
    for caption, s, c in zip(captions, a[0], a[1]):
        assert any(w in caption for w in S.SHAPE_WORDS[SHAPES[s]]), caption
        assert any(w in caption for w in S.COLOUR_WORDS[COLOURS[c]]), caption
    assert len(set(captions)) > 100  # varied templates and synonyms
    assert not any(re.search(r"\ba [aeiou]", c) for c in captions)  # "an emerald", not "a emerald"


def test_make_captions_articles_and_templates():
    captions = make_captions([0], [1], [4], [0], templates=["a {colour} {shape}"])
    assert captions[0] in (
        "a green circle",
        "an emerald circle",
        "a lime circle",
        "a green disc",
        "an emerald disc",
        "a lime disc",
        "a green round shape",
        "an emerald round shape",
        "a lime round shape",
        "a green dot",
        "an emerald dot",
        "a lime dot",
    )
    with pytest.raises(ValueError, match="fields"):
        make_captions([0], [0], [0], [0], templates=["a {colour} {animal}"])
    with pytest.raises(TypeError, match="templates"):
        make_captions([0], [0], [0], [0], templates="a {colour}")


def test_combo_index():
    idx = combo_index([0, 1, 3], [0, 2, 5])
    assert idx.tolist() == [0, len(COLOURS) + 2, 3 * len(COLOURS) + 5]
    every = combo_index(np.repeat(np.arange(len(SHAPES)), len(COLOURS)), np.tile(np.arange(len(COLOURS)), 4))
    assert every.tolist() == list(range(len(SHAPES) * len(COLOURS)))  # one class per pair, no gaps
    with pytest.raises(ValueError, match="one length"):
        combo_index([0], [0, 1])


# ------------------------------------------------------------------------------------------ held out
@pytest.mark.parametrize("num", [0, 1, 6, 12])
def test_held_out_combos_keep_every_shape_and_colour_in_training(num):
    for seed in range(3):
        held = held_out_combos(num, seed=seed)
        assert len(held) == len(set(held)) == num
        seen = [(s, c) for s in SHAPES for c in COLOURS if (s, c) not in held]
        assert {s for s, _ in seen} == set(SHAPES) and {c for _, c in seen} == set(COLOURS)
        assert all(sum(1 for s2, _ in seen if s2 == s) >= 3 for s in SHAPES)
    assert held_out_combos(6, seed=0) != held_out_combos(6, seed=1)
    with pytest.raises(ValueError, match="num must be <= 12"):
        held_out_combos(13)


def test_make_shapes_dataset_splits():
    data = make_shapes_dataset(300, 50, 60, seed=1, num_held_out=6)
    assert (len(data.train), len(data.test), len(data.unseen)) == (300, 50, 60)
    held = {SHAPES.index(s) * len(COLOURS) + COLOURS.index(c) for s, c in data.held_out}
    assert not set(data.train.combo.tolist()) & held
    assert not set(data.test.combo.tolist()) & held
    assert set(data.unseen.combo.tolist()) <= held
    assert not data.train.corrupted.any()
    again = make_shapes_dataset(300, 50, 60, seed=1)
    assert again.train.captions == data.train.captions and torch.equal(
        again.unseen.images, data.unseen.images
    )
    assert data.tokenizer.unknown_words(" ".join(data.train.captions)) == []
    assert data.test.describe(0).count(",") == 1
    assert data.test.describe(-1) == data.test.describe(49)
    with pytest.raises(ValueError, match=r"^i must be an int in \[-50, 49\], got 50$"):
        data.test.describe(50)
    with pytest.raises(TypeError, match=r"^i must be an int in \[-50, 49\], got bool$"):
        data.test.describe(True)


def test_no_held_out_pairs():
    data = make_shapes_dataset(50, 10, 10, seed=0, num_held_out=0)
    assert data.held_out == [] and len(data.unseen) == 10


# ------------------------------------------------------------------------------------------ corruption
def test_corrupt_fraction_is_exact_and_wrong():
    clean = make_shape_captions(400, seed=2)
    noisy = make_shape_captions(400, seed=2, corrupt_fraction=0.25)
    assert int(noisy.corrupted.sum()) == 100
    torch.testing.assert_close(noisy.images, clean.images, rtol=0, atol=0)
    for i in torch.nonzero(noisy.corrupted)[:, 0].tolist():
        caption = noisy.captions[i]
        names_true_pair = any(w in caption for w in S.SHAPE_WORDS[SHAPES[noisy.shape[i]]]) and any(
            w in caption.split() for w in S.COLOUR_WORDS[COLOURS[noisy.colour[i]]]
        )
        assert not names_true_pair, caption
    assert make_shape_captions(10, seed=0, corrupt_fraction=1.0).corrupted.all()


def test_corruption_stays_inside_allowed_combos():
    combos = [("circle", "red"), ("square", "blue"), ("cross", "white")]
    data = make_shape_captions(200, seed=0, combos=combos, corrupt_fraction=0.5)
    assert set(data.combo.tolist()) <= {0, 8, 23}
    tok = CaptionTokenizer.for_shapes()
    for caption in data.captions:
        words = set(tok.split(caption))
        assert not words & {"green", "yellow", "purple", "triangle", "emerald"}, caption


def test_make_shape_captions_rejects_bad_input():
    with pytest.raises(ValueError, match=r"^corrupt_fraction must be a finite number in \[0, 1\], got 1.5$"):
        make_shape_captions(10, corrupt_fraction=1.5)
    with pytest.raises(TypeError, match=r"^corrupt_fraction must be a finite number in \[0, 1\], got str$"):
        make_shape_captions(10, corrupt_fraction="half")
    with pytest.raises(ValueError, match="combos must hold"):
        make_shape_captions(10, combos=[("hexagon", "red")])
    with pytest.raises(ValueError, match="^n must be an int >= 1, got 0$"):
        make_shape_captions(0)
    with pytest.raises(ValueError, match="at least two"):
        make_shape_captions(10, combos=[("circle", "red")], corrupt_fraction=0.5)


# ------------------------------------------------------------------------------------------ tokenizer
def test_tokenizer_round_trip_and_specials():
    tok = CaptionTokenizer.for_shapes()
    assert tok.tokens[:4] == ("<pad>", "<unk>", "<bos>", "<eos>")
    assert CaptionTokenizer.split("Top-left: a DISC") == ["top", "-", "left", ":", "a", "disc"]
    ids = tok.encode(["a red circle", "upper-left: an ivory box"], max_len=10)
    assert (
        ids.shape == (2, 10)
        and ids[0, 0] == tok.bos_id
        and ids[0, 4] == tok.eos_id
        and ids[0, 5] == tok.pad_id
    )
    assert tok.decode(ids[1]) == "upper - left : an ivory box"
    assert tok.encode("a zebra")[0, 2] == tok.unk_id and tok.unknown_words("a Zebra, a zebra!") == [
        "zebra",
        "!",
    ]


def test_tokenizer_truncates_keeping_eos_and_validates():
    tok = CaptionTokenizer.for_shapes()
    ids = tok.encode("red " * 30, max_len=8)
    assert ids.shape == (1, 8) and ids[0, -1] == tok.eos_id and (ids != tok.pad_id).all()
    tok2 = CaptionTokenizer.from_captions(["b a", "a c"])
    assert tok2.tokens[4:] == ("b", "a", "c") and len(tok2) == 7
    with pytest.raises(ValueError, match="^max_len must be an int >= 2, got 1$"):
        tok.encode("a", max_len=1)
    with pytest.raises(TypeError, match="texts"):
        tok.encode([3])
    with pytest.raises(ValueError, match=rf"^ids\[1\] must be an int in \[0, {len(tok) - 1}\], got 999$"):
        tok.decode([tok.bos_id, 999])
    with pytest.raises(TypeError, match=r"^ids\[0\] must be an int in \[0, "):
        tok.decode([1.0])
    with pytest.raises(TypeError, match="text must be"):
        tok.split(None)
    with pytest.raises(TypeError, match="words"):
        CaptionTokenizer("abc")
