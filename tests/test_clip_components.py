"""helpers.components.clip (from notebook 09): the loss against the paper's pseudo-code, the towers."""

import math

import pytest
import torch
import torch.nn.functional as F

from helpers.components.clip import (
    CLIPModel,
    ImageEncoder,
    TextEncoder,
    clip_loss,
    clip_param_groups,
    conv_stack,
    zero_shot_classifier,
)
from helpers.data.shapes import CaptionTokenizer

pytestmark = pytest.mark.usefixtures("one_thread", "seed0")  # fixtures in tests/conftest.py


def reference_loss(image, text, scale):
    logits = F.normalize(image, dim=1) @ F.normalize(text, dim=1).T * scale
    labels = torch.arange(len(image))
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


# ------------------------------------------------------------------------------------------------ loss
@pytest.mark.parametrize("scale", [1.0, 1 / 0.07, 100.0])
def test_clip_loss_matches_cross_entropy(scale):
    image, text = torch.randn(16, 8), torch.randn(16, 8)
    torch.testing.assert_close(
        clip_loss(image, text, scale), reference_loss(image, text, scale), rtol=1e-5, atol=1e-6
    )
    torch.testing.assert_close(clip_loss(image, text, torch.tensor(scale)), clip_loss(image, text, scale))


def test_clip_loss_is_scale_invariant_in_features_and_symmetric():
    image, text = torch.randn(10, 6), torch.randn(10, 6)
    torch.testing.assert_close(clip_loss(3 * image, 0.5 * text, 14.0), clip_loss(image, text, 14.0))
    torch.testing.assert_close(clip_loss(image, text, 14.0), clip_loss(text, image, 14.0))


def test_clip_loss_gradient_and_extremes():
    image = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    text = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: clip_loss(a, b, 10.0), (image, text))
    x = torch.randn(6, 4)
    assert clip_loss(x, torch.randn(6, 4), 0.0).item() == pytest.approx(math.log(6), rel=1e-6)
    assert clip_loss(torch.eye(6), torch.eye(6), 100.0).item() < 1e-6


def test_clip_loss_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"\(B, E\)"):
        clip_loss(torch.randn(4, 3), torch.randn(5, 3), 1.0)
    with pytest.raises(ValueError, match=r"\(B, E\)"):
        clip_loss(torch.randn(4), torch.randn(4), 1.0)


# ------------------------------------------------------------------------------------------------ towers
def test_image_encoder_shapes_and_errors():
    enc = ImageEncoder(embed_dim=12, width=4)
    assert enc(torch.rand(3, 3, 32, 32)).shape == (3, 12)
    with pytest.raises(ValueError, match=r"\(B, 3, 32, 32\)"):
        enc(torch.rand(3, 1, 32, 32))
    with pytest.raises(ValueError, match="width"):
        ImageEncoder(width=0)


def test_image_encoder_outline_path_ignores_colour():
    enc = ImageEncoder(embed_dim=12, width=4)
    mask = torch.zeros(32, 32)
    mask[8:20, 10:16] = 1.0
    red, green = torch.zeros(2, 3, 32, 32), torch.zeros(2, 3, 32, 32)
    red[:, 0], green[:, 1] = mask, mask  # same outline, different colour
    assert not torch.allclose(enc(red), enc(green))  # the colour path sees the difference
    with torch.no_grad():
        enc.colour.weight.zero_()
        enc.colour.bias.zero_()
    torch.testing.assert_close(enc(red), enc(green), rtol=0, atol=0)  # the outline path does not


def test_text_encoder_averages_real_tokens_and_ignores_padding():
    tok = CaptionTokenizer.for_shapes()
    enc = TextEncoder(len(tok), embed_dim=10, d_model=16, num_heads=2, num_layers=2, max_len=16)
    ids = tok.encode(["a red circle", "a small blue square at the top left"])
    out = enc(ids)
    assert out.shape == (2, 10)
    # shorter padding, same caption: padding is masked and left out of the mean
    torch.testing.assert_close(enc(tok.encode(["a red circle"], max_len=8)), out[:1], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="max_len=16"):
        enc(torch.zeros(1, 17, dtype=torch.long))
    with pytest.raises(ValueError, match="vocab_size"):
        TextEncoder(1)


def test_clip_model_temperature_and_cap():
    tok = CaptionTokenizer.for_shapes()
    model = CLIPModel(ImageEncoder(8, 4), TextEncoder(len(tok), 8, 16, 2))
    assert model.logit_scale.item() == pytest.approx(1 / 0.07, rel=1e-6)
    with torch.no_grad():
        model.log_scale.fill_(10.0)
    assert model.logit_scale.item() == pytest.approx(math.exp(10.0))  # the forward pass does not clamp
    model.clamp_logit_scale_()  # open_clip's way: in place, after the optimizer step
    assert model.log_scale.item() == pytest.approx(math.log(100.0))
    a, b, s = model(torch.rand(4, 3, 32, 32), tok.encode(["a red circle"] * 4))
    clip_loss(a, b, s).backward()
    assert model.log_scale.grad.item() != 0.0  # at the cap the gradient still flows
    with torch.no_grad():
        model.log_scale.fill_(-1.0)
    model.clamp_logit_scale_()
    assert model.log_scale.item() == 0.0  # and the scale stays at least 1
    assert torch.allclose(model.encode_image(torch.rand(2, 3, 32, 32)).norm(dim=1), torch.ones(2))
    assert torch.allclose(model.encode_text(tok.encode(["a", "b"])).norm(dim=1), torch.ones(2))
    with pytest.raises(ValueError, match="init_temperature"):
        CLIPModel(ImageEncoder(), TextEncoder(10), init_temperature=0.001)


def test_clip_param_groups_leave_gains_biases_and_scale_undecayed():
    tok = CaptionTokenizer.for_shapes()
    model = CLIPModel(ImageEncoder(8, 4), TextEncoder(len(tok), 8, 16, 2))
    decay, no_decay = clip_param_groups(model, weight_decay=0.1)
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    assert any(p is model.log_scale for p in no_decay["params"])
    assert all(p.ndim >= 2 for p in decay["params"]) and all(p.ndim < 2 for p in no_decay["params"])
    assert len(decay["params"]) + len(no_decay["params"]) == len(list(model.parameters()))


def test_zero_shot_classifier_averages_templates():
    tok = CaptionTokenizer.for_shapes()
    model = CLIPModel(ImageEncoder(8, 4), TextEncoder(len(tok), 8, 16, 2)).eval()
    classes, templates = [("red", "circle"), ("blue", "square")], ["a {} {}", "{} {} (small)"]
    weights = zero_shot_classifier(model, tok, classes, templates)
    assert weights.shape == (2, 8)
    manual = model.encode_text(tok.encode(["a red circle", "red circle (small)"])).mean(0)
    torch.testing.assert_close(weights[0], F.normalize(manual, dim=0), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="templates"):
        zero_shot_classifier(model, tok, classes, "a {} {}")


def test_image_encoder_forward_parts_are_what_forward_is_made_of():
    encoder = ImageEncoder(16, 4)
    images = torch.rand(3, 3, 32, 32)
    features, maps, colour = encoder.forward_parts(images)
    assert maps.shape == (3, 16, 4, 4) and colour.shape == (3, 8)
    assert torch.equal(features, encoder(images))
    assert torch.equal(
        features, encoder.proj(torch.cat([maps.flatten(1), maps.amax(dim=(2, 3)), colour], dim=1))
    )
    with pytest.raises(TypeError, match="images must be a torch.Tensor"):
        encoder.forward_parts([[0.0]])


def test_conv_stack_halves_the_image_three_times():
    stack = conv_stack(3, 2)
    assert stack(torch.rand(5, 3, 32, 32)).shape == (5, 8, 4, 4)
    assert sum(isinstance(m, torch.nn.Conv2d) for m in stack) == 3
