"""Tests for helpers/components/transformer.py: every part is checked against PyTorch's own implementation."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers.components import transformer as T
from helpers.components.transformer import (
    DecoderLayer,
    EncoderLayer,
    FeedForward,
    MultiHeadAttention,
    Seq2SeqTransformer,
    causal_mask,
    greedy_decode,
    padding_mask,
    positional_encoding,
    scaled_dot_product_attention,
)

ATOL = 1e-5


pytestmark = pytest.mark.usefixtures("one_thread", "seed0")  # fixtures in tests/conftest.py


def random_mask(*shape):
    """A random boolean mask whose rows each allow at least one key (True = may attend)."""
    mask = torch.rand(*shape) > 0.4
    mask[..., 0] = True
    return mask


# --------------------------------------------------------------------------------------------- attention
def test_sdpa_shapes():
    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 6)
    out, w = scaled_dot_product_attention(q, k, v)
    assert out.shape == (2, 3, 5, 6)
    assert w.shape == (2, 3, 5, 7)


def test_sdpa_matches_torch_without_mask():
    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 8)
    out, w = scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v), atol=ATOL, rtol=1e-5)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3, 5))
    assert (w > 0).all()


def test_sdpa_uses_sqrt_d_scaling():
    q, k, v = torch.randn(4, 16), torch.randn(6, 16), torch.randn(6, 3)
    _, w = scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(w, torch.softmax(q @ k.T / 4.0, dim=-1))


@pytest.mark.parametrize("mask_shape", [(2, 3, 5, 7), (2, 1, 1, 7), (5, 7)])
def test_sdpa_matches_torch_with_boolean_mask(mask_shape):
    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 8)
    mask = random_mask(*mask_shape)
    out, w = scaled_dot_product_attention(q, k, v, mask)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, ref, atol=ATOL, rtol=1e-5)
    full = mask.expand(2, 3, 5, 7)
    assert (w[~full] == 0).all(), "masked positions must get exactly zero weight"
    assert (w[full] > 0).all()
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3, 5))


def test_sdpa_masked_keys_do_not_influence_output():
    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 8)
    mask = torch.tensor([[True] * 4 + [False] * 3, [True] * 7])[:, None, None, :]
    out, _ = scaled_dot_product_attention(q, k, v, mask)
    k2, v2 = k.clone(), v.clone()
    k2[0, :, 4:] = 50.0
    v2[0, :, 4:] = 1e3
    torch.testing.assert_close(scaled_dot_product_attention(q, k2, v2, mask)[0], out)
    v2[1, :, 4:] = 1e3  # unmasked in row 1: must change it
    assert not torch.allclose(scaled_dot_product_attention(q, k2, v2, mask)[0][1], out[1])


def test_sdpa_causal_mask_matches_is_causal():
    q = k = v = torch.randn(1, 2, 6, 4)
    out, w = scaled_dot_product_attention(q, k, v, causal_mask(6))
    torch.testing.assert_close(
        out, F.scaled_dot_product_attention(q, k, v, is_causal=True), atol=ATOL, rtol=1e-5
    )
    assert (w.triu(diagonal=1) == 0).all()
    torch.testing.assert_close(w[..., 0, 0], torch.ones(1, 2))


# --------------------------------------------------------------------------------------- multi-head
def copy_mha(ours: MultiHeadAttention, theirs: nn.MultiheadAttention) -> None:
    with torch.no_grad():
        theirs.in_proj_weight.copy_(torch.cat([ours.q_proj.weight, ours.k_proj.weight, ours.v_proj.weight]))
        theirs.in_proj_bias.copy_(torch.cat([ours.q_proj.bias, ours.k_proj.bias, ours.v_proj.bias]))
        theirs.out_proj.weight.copy_(ours.out_proj.weight)
        theirs.out_proj.bias.copy_(ours.out_proj.bias)


def test_mha_shapes_and_parameters():
    mha = MultiHeadAttention(16, 4)
    assert (mha.num_heads, mha.d_head) == (4, 4)
    assert sum(p.numel() for p in mha.parameters()) == 4 * (16 * 16 + 16)
    out, w = mha(torch.randn(2, 5, 16), torch.randn(2, 7, 16), torch.randn(2, 7, 16))
    assert out.shape == (2, 5, 16) and w.shape == (2, 4, 5, 7)
    assert mha.last_weights.shape == (2, 4, 5, 7) and not mha.last_weights.requires_grad
    torch.testing.assert_close(mha.last_weights, w.detach())


@pytest.mark.parametrize("d_model,num_heads", [(16, 4), (12, 1), (12, 12)])
def test_mha_matches_torch(d_model, num_heads):
    ours = MultiHeadAttention(d_model, num_heads)
    theirs = nn.MultiheadAttention(d_model, num_heads, dropout=0.0, batch_first=True)
    copy_mha(ours, theirs)
    q, kv = torch.randn(3, 5, d_model), torch.randn(3, 7, d_model)
    out, w = ours(q, kv, kv)
    ref, ref_w = theirs(q, kv, kv, need_weights=True, average_attn_weights=False)
    torch.testing.assert_close(out, ref, atol=ATOL, rtol=1e-4)
    torch.testing.assert_close(w, ref_w, atol=ATOL, rtol=1e-4)


def test_mha_matches_torch_with_masks():
    ours = MultiHeadAttention(16, 4)
    theirs = nn.MultiheadAttention(16, 4, dropout=0.0, batch_first=True)
    copy_mha(ours, theirs)
    x = torch.randn(2, 6, 16)
    tokens = torch.tensor([[5, 3, 2, 0, 0, 0], [1, 2, 3, 4, 5, 6]])
    # key padding: ours True = real token, torch True = ignore
    out, w = ours(x, x, x, padding_mask(tokens))
    ref, ref_w = theirs(x, x, x, key_padding_mask=tokens == 0, average_attn_weights=False)
    torch.testing.assert_close(out, ref, atol=ATOL, rtol=1e-4)
    torch.testing.assert_close(w, ref_w, atol=ATOL, rtol=1e-4)
    assert (w[0, :, :, 3:] == 0).all()
    # causal: ours True = may attend, torch True = not allowed
    out, _ = ours(x, x, x, causal_mask(6))
    ref, _ = theirs(x, x, x, attn_mask=~causal_mask(6))
    torch.testing.assert_close(out, ref, atol=ATOL, rtol=1e-4)


def test_mha_different_query_and_key_lengths_with_torch():
    ours = MultiHeadAttention(8, 2)
    theirs = nn.MultiheadAttention(8, 2, batch_first=True)
    copy_mha(ours, theirs)
    q, k, v = torch.randn(2, 3, 8), torch.randn(2, 9, 8), torch.randn(2, 9, 8)
    torch.testing.assert_close(ours(q, k, v)[0], theirs(q, k, v)[0], atol=ATOL, rtol=1e-4)


@pytest.mark.parametrize("d_model,num_heads", [(10, 4), (16, 3), (5, 2)])
def test_mha_rejects_indivisible_width(d_model, num_heads):
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(d_model, num_heads)


@pytest.mark.parametrize(
    "d_model,num_heads,error,match",
    [
        (16, 0, ValueError, "num_heads must be an int >= 1, got 0"),
        (0, 4, ValueError, "d_model must be an int >= 1, got 0"),
        (16.0, 4, TypeError, "d_model must be an int >= 1, got float"),
        (16, True, TypeError, "num_heads must be an int >= 1, got bool"),
    ],
)
def test_mha_rejects_bad_sizes(d_model, num_heads, error, match):
    with pytest.raises(error, match=match):
        MultiHeadAttention(d_model, num_heads)


def test_mha_gradients_flow():
    mha = MultiHeadAttention(8, 2)
    x = torch.randn(2, 4, 8, requires_grad=True)
    mha(x, x, x)[0].sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert all(p.grad is not None for p in mha.parameters())


# -------------------------------------------------------------------------------- positional encoding
def test_positional_encoding_values():
    max_len, d = 50, 16
    pe = positional_encoding(max_len, d)
    assert pe.shape == (max_len, d) and pe.dtype == torch.float32
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    i = torch.arange(d // 2, dtype=torch.float64)
    angle = pos / 10000.0 ** (2 * i / d)
    torch.testing.assert_close(pe[:, 0::2], torch.sin(angle).float())
    torch.testing.assert_close(pe[:, 1::2], torch.cos(angle).float())
    # position 0: sin 0 = 0 on even columns, cos 0 = 1 on odd columns
    assert torch.equal(pe[0, 0::2], torch.zeros(d // 2)) and torch.equal(pe[0, 1::2], torch.ones(d // 2))
    # first pair has frequency 1: PE[p, 0] = sin p, PE[p, 1] = cos p
    assert math.isclose(pe[7, 0].item(), math.sin(7), abs_tol=1e-6)
    assert math.isclose(pe[7, 1].item(), math.cos(7), abs_tol=1e-6)
    # last pair: ω = 10000^(-(d-2)/d)
    omega = 10000.0 ** (-(d - 2) / d)
    assert math.isclose(pe[33, d - 2].item(), math.sin(33 * omega), abs_tol=1e-6)
    assert math.isclose(pe[33, d - 1].item(), math.cos(33 * omega), abs_tol=1e-6)
    assert pe.abs().max() <= 1.0


def test_positional_encoding_small_and_prefix_consistent():
    assert positional_encoding(1, 2).tolist() == [[0.0, 1.0]]
    torch.testing.assert_close(positional_encoding(10, 8), positional_encoding(30, 8)[:10])


@pytest.mark.parametrize(
    "max_len,d_model,error,match",
    [
        (10, 3, ValueError, "d_model must be an even int >= 2, got 3"),
        (10, 0, ValueError, "d_model must be an int >= 2, got 0"),
        (10, 1, ValueError, "d_model must be an int >= 2, got 1"),
        (10, -2, ValueError, "d_model must be an int >= 2, got -2"),
        (10, 4.0, TypeError, "d_model must be an int >= 2, got float"),
        (10, True, TypeError, "d_model must be an int >= 2, got bool"),
        (0, 4, ValueError, "max_len must be an int >= 1, got 0"),
        (-1, 4, ValueError, "max_len must be an int >= 1, got -1"),
        (2.0, 4, TypeError, "max_len must be an int >= 1, got float"),
        ("3", 4, TypeError, "max_len must be an int >= 1, got str"),
        (True, 4, TypeError, "max_len must be an int >= 1, got bool"),
        (None, 4, TypeError, "max_len must be an int >= 1, got NoneType"),
    ],
)
def test_positional_encoding_rejects_bad_arguments(max_len, d_model, error, match):
    with pytest.raises(error, match=match):
        positional_encoding(max_len, d_model)


def test_positional_encoding_uses_the_named_base():
    assert T.PE_BASE == 10_000.0  # Vaswani et al. (2017): wavelengths from 2π to 10000·2π
    d = 8
    omega_last = T.PE_BASE ** (-(d - 2) / d)
    assert math.isclose(positional_encoding(20, d)[19, d - 2].item(), math.sin(19 * omega_last), abs_tol=1e-6)


# ------------------------------------------------------------------------------------- feed-forward
def test_feed_forward():
    ff = FeedForward(8, 32)
    x = torch.randn(2, 5, 8)
    out = ff(x)
    assert out.shape == (2, 5, 8)
    ref = F.linear(
        torch.relu(F.linear(x, ff.linear1.weight, ff.linear1.bias)), ff.linear2.weight, ff.linear2.bias
    )
    torch.testing.assert_close(out, ref)
    # position-wise: each position only sees itself
    torch.testing.assert_close(ff(x[:, 2:3]), out[:, 2:3])


# ---------------------------------------------------------------------------------- encoder/decoder
def copy_attention(ours: MultiHeadAttention, prefix: str, theirs_state: dict) -> None:
    theirs_state[f"{prefix}.in_proj_weight"] = torch.cat(
        [ours.q_proj.weight, ours.k_proj.weight, ours.v_proj.weight]
    )
    theirs_state[f"{prefix}.in_proj_bias"] = torch.cat([ours.q_proj.bias, ours.k_proj.bias, ours.v_proj.bias])
    theirs_state[f"{prefix}.out_proj.weight"] = ours.out_proj.weight
    theirs_state[f"{prefix}.out_proj.bias"] = ours.out_proj.bias


def torch_layer_from(ours, decoder: bool):
    d_model, heads = ours.self_attn.q_proj.in_features, ours.self_attn.num_heads
    d_ff = ours.ff.linear1.out_features
    cls = nn.TransformerDecoderLayer if decoder else nn.TransformerEncoderLayer
    theirs = cls(d_model, heads, d_ff, dropout=0.0, batch_first=True, norm_first=ours.norm_first)
    state = {}
    copy_attention(ours.self_attn, "self_attn", state)
    if decoder:
        copy_attention(ours.cross_attn, "multihead_attn", state)
    for name in ("linear1", "linear2"):
        for p in ("weight", "bias"):
            state[f"{name}.{p}"] = getattr(getattr(ours.ff, name), p)
    for i in (1, 2, 3) if decoder else (1, 2):
        for p in ("weight", "bias"):
            state[f"norm{i}.{p}"] = getattr(getattr(ours, f"norm{i}"), p)
    theirs.load_state_dict({k: v.detach().clone() for k, v in state.items()}, strict=True)
    return theirs.train()  # train mode: no fast path, dropout is 0 anyway


def perturb_norms(layer):
    """Give the LayerNorms non-trivial affine parameters so that a mix-up between norms would show."""
    with torch.no_grad():
        for m in layer.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.3)


@pytest.mark.parametrize("norm_first", [True, False])
def test_encoder_layer_matches_torch(norm_first):
    ours = EncoderLayer(16, 4, 32, norm_first=norm_first)
    perturb_norms(ours)
    theirs = torch_layer_from(ours, decoder=False)
    x = torch.randn(2, 6, 16)
    out = ours(x)
    assert out.shape == (2, 6, 16)
    torch.testing.assert_close(out, theirs(x), atol=1e-5, rtol=1e-4)
    tokens = torch.tensor([[4, 2, 7, 0, 0, 0], [1, 2, 3, 4, 5, 9]])
    torch.testing.assert_close(
        ours(x, padding_mask(tokens)), theirs(x, src_key_padding_mask=tokens == 0), atol=1e-5, rtol=1e-4
    )
    torch.testing.assert_close(
        ours(x, causal_mask(6)), theirs(x, src_mask=~causal_mask(6)), atol=1e-5, rtol=1e-4
    )


@pytest.mark.parametrize("norm_first", [True, False])
def test_decoder_layer_matches_torch(norm_first):
    ours = DecoderLayer(16, 4, 32, norm_first=norm_first)
    perturb_norms(ours)
    theirs = torch_layer_from(ours, decoder=True)
    y, memory = torch.randn(2, 5, 16), torch.randn(2, 7, 16)
    out = ours(y, memory)
    assert out.shape == (2, 5, 16)
    torch.testing.assert_close(out, theirs(y, memory), atol=1e-5, rtol=1e-4)
    src = torch.tensor([[3, 1, 4, 1, 5, 0, 0], [2, 7, 1, 8, 2, 8, 1]])
    got = ours(y, memory, causal_mask(5), padding_mask(src))
    ref = theirs(y, memory, tgt_mask=~causal_mask(5), memory_key_padding_mask=src == 0)
    torch.testing.assert_close(got, ref, atol=1e-5, rtol=1e-4)


def test_post_norm_output_is_normalised():
    layer = EncoderLayer(16, 2, 32, norm_first=False)
    out = layer(torch.randn(3, 4, 16) * 5 + 2)
    torch.testing.assert_close(out.mean(-1), torch.zeros(3, 4), atol=1e-5, rtol=0)


# ------------------------------------------------------------------------------------------- masks
def test_causal_mask():
    m = causal_mask(5)
    assert m.shape == (5, 5) and m.dtype == torch.bool
    assert torch.equal(m, torch.ones(5, 5).tril().bool())
    assert m[3, 3] and m[3, 0] and not m[3, 4] and not m[0, 1]
    assert torch.equal(causal_mask(1), torch.tensor([[True]]))
    assert causal_mask(3, device="cpu").device.type == "cpu"


@pytest.mark.parametrize(
    "length,error", [(0, ValueError), (-3, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_causal_mask_rejects_bad_length(length, error):
    with pytest.raises(error, match="length must be an int >= 1"):
        causal_mask(length)


def test_padding_mask():
    tokens = torch.tensor([[5, 3, 0, 0], [1, 2, 3, 4]])
    m = padding_mask(tokens)
    assert m.shape == (2, 1, 1, 4) and m.dtype == torch.bool
    assert m[:, 0, 0].tolist() == [[True, True, False, False], [True, True, True, True]]
    assert padding_mask(tokens, pad_id=3)[:, 0, 0].tolist() == [
        [True, False, True, True],
        [True, True, False, True],
    ]


# ---------------------------------------------------------------------------------------- the model
def small_model(norm_first=True, **kw):
    torch.manual_seed(1)
    args = dict(
        vocab_size=11, d_model=16, num_heads=2, d_ff=32, num_layers=2, max_len=20, norm_first=norm_first
    )
    args.update(kw)
    return Seq2SeqTransformer(**args).eval()


@pytest.mark.parametrize("norm_first", [True, False])
def test_seq2seq_shapes(norm_first):
    model = small_model(norm_first)
    src, tgt = torch.randint(1, 11, (3, 7)), torch.randint(1, 11, (3, 5))
    memory = model.encode(src)
    assert memory.shape == (3, 7, 16)
    logits = model(src, tgt)
    assert logits.shape == (3, 5, 11)
    assert torch.isfinite(logits).all()
    torch.testing.assert_close(model.decode(tgt, memory, src), logits)
    assert isinstance(model.enc_norm, nn.LayerNorm if norm_first else nn.Identity)
    assert model.pe.shape == (20, 16) and "pe" not in model.state_dict()


def test_seq2seq_embedding_scaling_and_positions():
    model = small_model()
    tokens = torch.tensor([[1, 2, 3]])
    expected = model.src_embed.weight[tokens] * 4.0 + positional_encoding(20, 16)[:3]
    torch.testing.assert_close(model.embed(model.src_embed, tokens), expected)


@pytest.mark.parametrize("norm_first", [True, False])
def test_seq2seq_is_causal(norm_first):
    model = small_model(norm_first)
    src = torch.randint(1, 11, (2, 6))
    tgt = torch.randint(1, 11, (2, 8))
    logits = model(src, tgt)
    changed = tgt.clone()
    changed[:, 5] = (changed[:, 5] % 10) + 1  # a different real token
    logits2 = model(src, changed)
    torch.testing.assert_close(logits2[:, :5], logits[:, :5], atol=1e-5, rtol=1e-5)
    assert not torch.allclose(logits2[:, 5:], logits[:, 5:], atol=1e-4), "later positions must see the change"


@pytest.mark.parametrize("norm_first", [True, False])
def test_seq2seq_ignores_padding(norm_first):
    model = small_model(norm_first)
    src = torch.tensor([[4, 5, 6, 0, 0], [7, 8, 9, 10, 3]])
    tgt = torch.randint(1, 11, (2, 4))
    logits = model(src, tgt)
    # what the padding embedding holds cannot matter
    with torch.no_grad():
        model.src_embed.weight[0].normal_(0, 5.0)
    torch.testing.assert_close(model(src, tgt), logits, atol=1e-5, rtol=1e-5)
    # nor can more padding at the end of the source
    longer = torch.cat([src[:1], torch.zeros(1, 4, dtype=torch.long)], dim=1)
    torch.testing.assert_close(model(longer, tgt[:1]), logits[:1], atol=1e-5, rtol=1e-5)
    # but changing a real source token does matter
    changed = src.clone()
    changed[0, 1] = 2
    assert not torch.allclose(model(changed, tgt)[0], logits[0], atol=1e-4)


def test_seq2seq_batch_rows_independent():
    model = small_model()
    src, tgt = torch.randint(1, 11, (3, 6)), torch.randint(1, 11, (3, 4))
    full = model(src, tgt)
    torch.testing.assert_close(model(src[1:2], tgt[1:2]), full[1:2], atol=1e-5, rtol=1e-5)


def test_seq2seq_custom_pad_id():
    model = small_model(pad_id=3)
    src = torch.tensor([[4, 5, 3, 3]])
    tgt = torch.tensor([[1, 2]])
    logits = model(src, tgt)
    torch.testing.assert_close(model(src[:, :2], tgt), logits, atol=1e-5, rtol=1e-5)


# ------------------------------------------------------------------------------------- greedy decode
BOS, EOS = 1, 2


def force_generator(model, token):
    with torch.no_grad():
        model.generator.weight.zero_()
        model.generator.bias.fill_(-10.0)
        model.generator.bias[token] = 10.0


def test_greedy_decode_stops_at_eos():
    model = small_model()
    force_generator(model, EOS)
    out = greedy_decode(model, torch.randint(3, 11, (3, 5)), max_len=8, bos_id=BOS, eos_id=EOS)
    assert out.shape == (3, 1) and out.dtype == torch.long
    assert out.tolist() == [[EOS]] * 3


def test_greedy_decode_runs_to_max_len_without_eos():
    model = small_model()
    force_generator(model, 7)
    out = greedy_decode(model, torch.randint(3, 11, (2, 5)), max_len=6, bos_id=BOS, eos_id=EOS)
    assert out.tolist() == [[7] * 6] * 2


def test_greedy_decode_pads_after_eos(monkeypatch):
    """Row 0 ends at step 2, row 1 at step 4: row 0 is padded after its <eos>, decoding stops at step 4."""
    model = small_model()
    script = torch.tensor([[5, EOS, 6, 6, 6, 6, 6, 6, 6, 6], [5, 6, 7, EOS, 8, 8, 8, 8, 8, 8]])
    calls = []

    def scripted_decode(tgt_in, memory, src):
        t = tgt_in.shape[1]
        calls.append(tgt_in.clone())
        assert (tgt_in[:, 0] == BOS).all()
        logits = torch.full((tgt_in.shape[0], t, 11), -5.0)
        logits[torch.arange(2), -1, script[:, t - 1]] = 5.0
        return logits

    monkeypatch.setattr(model, "decode", scripted_decode)
    out = greedy_decode(model, torch.randint(3, 11, (2, 5)), max_len=10, bos_id=BOS, eos_id=EOS, pad_id=0)
    assert out.tolist() == [[5, EOS, 0, 0], [5, 6, 7, EOS]]
    assert len(calls) == 4
    # every step feeds back what was decoded so far
    assert calls[-1].tolist() == [[BOS, 5, EOS, 0], [BOS, 5, 6, 7]]


@pytest.mark.parametrize("max_len,error", [(0, ValueError), (3.0, TypeError), (None, TypeError)])
def test_greedy_decode_rejects_bad_max_len(max_len, error):
    with pytest.raises(error, match="max_len must be an int >= 1"):
        greedy_decode(small_model(), torch.tensor([[4, 5]]), max_len=max_len, bos_id=BOS, eos_id=EOS)


def test_greedy_decode_matches_teacher_forced_argmax():
    model = small_model()
    src = torch.tensor([[4, 5, 6, 0], [7, 8, 9, 10]])
    out = greedy_decode(model, src, max_len=6, bos_id=BOS, eos_id=EOS)
    assert out.shape[0] == 2 and 1 <= out.shape[1] <= 6
    assert not torch.is_inference_mode_enabled()
    tgt_in = torch.cat([torch.full((2, 1), BOS), out[:, :-1]], dim=1)
    pred = model(src, tgt_in).argmax(-1)
    for row in range(2):
        ended = (out[row] == EOS).nonzero()
        stop = int(ended[0]) + 1 if len(ended) else out.shape[1]
        assert out[row, :stop].tolist() == pred[row, :stop].tolist()
        assert (out[row, stop:] == 0).all()


def test_every_component_module_imports_in_a_fresh_interpreter(repo_root):
    """Each generated module must stand alone: the exporter copies only the imports its cells use, so a name
    that the notebook's kernel happened to hold but the module lacks shows up here as an import error."""
    import subprocess
    import sys

    names = sorted(
        p.stem for p in (repo_root / "helpers" / "components").glob("*.py") if p.stem != "__init__"
    )
    assert names, "no component modules"
    code = "\n".join(f"import helpers.components.{name}" for name in names)
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"a component module does not import on its own:\n{proc.stderr[-800:]}"
