"""The Transformer parts taught in ``notebooks/04_transformer.ipynb`` (Vaswani et al., 2017).

Shapes: B batch, L query length, S key length, D model width, H heads, d = D / H per-head width.
Masks are boolean and broadcastable to (B, H, L, S); ``True`` means "may attend" (PyTorch's convention for
``F.scaled_dot_product_attention``; note ``nn.MultiheadAttention`` uses the opposite one).
Left out on purpose: dropout, weight tying, key/value caching and beam search.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def scaled_dot_product_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q kᵀ / √d) v for q (..., L, d), k (..., S, d), v (..., S, d_v); returns (output, weights (..., L, S))."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


def positional_encoding(max_len: int, d_model: int) -> torch.Tensor:
    """Sinusoidal encodings (max_len, d_model): PE[p, 2i] = sin(p ω_i), PE[p, 2i+1] = cos(p ω_i), ω_i = 10000^(-2i/D)."""
    if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 1:
        raise ValueError(f"max_len must be an int >= 1, got {max_len!r}")
    if isinstance(d_model, bool) or not isinstance(d_model, int) or d_model < 2 or d_model % 2:
        raise ValueError(f"d_model must be an even int >= 2, got {d_model!r}")
    position = torch.arange(max_len, dtype=torch.float64)[:, None]
    omega = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * omega)
    pe[:, 1::2] = torch.cos(position * omega)
    return pe.float()


class MultiHeadAttention(nn.Module):
    """H heads of scaled dot-product attention on learned projections, concatenated and projected back."""

    def __init__(self, d_model: int, num_heads: int):
        super().__init__()
        if d_model % num_heads:
            raise ValueError(f"d_model ({d_model}) must be divisible by num_heads ({num_heads})")
        self.num_heads, self.d_head = num_heads, d_model // num_heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d_model, d_model) for _ in range(4))
        self.last_weights: torch.Tensor | None = None  # (B, H, L, S), kept for inspection

    def _split(self, x: torch.Tensor) -> torch.Tensor:  # (B, N, D) -> (B, H, N, d)
        return x.unflatten(-1, (self.num_heads, self.d_head)).transpose(1, 2)

    def forward(self, query, key, value, mask=None):
        """query (B, L, D), key/value (B, S, D), mask broadcastable to (B, H, L, S) -> (B, L, D), (B, H, L, S)."""
        q, k, v = (
            self._split(self.q_proj(query)),
            self._split(self.k_proj(key)),
            self._split(self.v_proj(value)),
        )
        out, weights = scaled_dot_product_attention(q, k, v, mask)
        self.last_weights = weights.detach()
        return self.out_proj(out.transpose(1, 2).flatten(-2)), weights


class FeedForward(nn.Module):
    """Position-wise feed-forward network: Linear(D → D_ff), ReLU, Linear(D_ff → D), applied to each position."""

    def __init__(self, d_model: int, d_ff: int):
        super().__init__()
        self.linear1, self.linear2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.linear2(torch.relu(self.linear1(x)))


class EncoderLayer(nn.Module):
    """Self-attention and feed-forward sublayers, each wrapped in a residual connection and LayerNorm.

    ``norm_first=False`` is the paper's post-norm x ← LN(x + f(x)); ``True`` is pre-norm x ← x + f(LN(x)).
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, norm_first: bool = True):
        super().__init__()
        self.self_attn, self.ff = MultiHeadAttention(d_model, num_heads), FeedForward(d_model, d_ff)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.norm_first = norm_first

    def forward(self, x, mask=None):
        """x (B, S, D), mask broadcastable to (B, H, S, S) -> (B, S, D)."""
        if self.norm_first:
            h = self.norm1(x)
            x = x + self.self_attn(h, h, h, mask)[0]
            return x + self.ff(self.norm2(x))
        x = self.norm1(x + self.self_attn(x, x, x, mask)[0])
        return self.norm2(x + self.ff(x))


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention over the encoder output, feed-forward; residual + LayerNorm each."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, norm_first: bool = True):
        super().__init__()
        self.self_attn, self.cross_attn = (
            MultiHeadAttention(d_model, num_heads),
            MultiHeadAttention(d_model, num_heads),
        )
        self.ff = FeedForward(d_model, d_ff)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(d_model) for _ in range(3))
        self.norm_first = norm_first

    def forward(self, y, memory, self_mask=None, memory_mask=None):
        """y (B, T, D), memory (B, S, D), self_mask → (B, H, T, T), memory_mask → (B, H, T, S) -> (B, T, D)."""
        if self.norm_first:
            h = self.norm1(y)
            y = y + self.self_attn(h, h, h, self_mask)[0]
            y = y + self.cross_attn(self.norm2(y), memory, memory, memory_mask)[0]
            return y + self.ff(self.norm3(y))
        y = self.norm1(y + self.self_attn(y, y, y, self_mask)[0])
        y = self.norm2(y + self.cross_attn(y, memory, memory, memory_mask)[0])
        return self.norm3(y + self.ff(y))


def causal_mask(length: int, device=None) -> torch.Tensor:
    """(length, length) boolean, True on and below the diagonal: position t may attend to positions ≤ t."""
    return torch.ones(length, length, dtype=torch.bool, device=device).tril()


def padding_mask(tokens: torch.Tensor, pad_id: int = 0) -> torch.Tensor:
    """(B, S) token ids -> (B, 1, 1, S) boolean, True where the key is a real token (not padding)."""
    return (tokens != pad_id)[:, None, None, :]


class Seq2SeqTransformer(nn.Module):
    """Encoder–decoder Transformer: embeddings·√D + sinusoidal positions, N encoder and N decoder layers."""

    def __init__(
        self,
        vocab_size: int,
        d_model: int = 64,
        num_heads: int = 4,
        d_ff: int = 128,
        num_layers: int = 2,
        max_len: int = 64,
        norm_first: bool = True,
        pad_id: int = 0,
    ):
        super().__init__()
        self.d_model, self.pad_id, self.norm_first = d_model, pad_id, norm_first
        self.src_embed, self.tgt_embed = nn.Embedding(vocab_size, d_model), nn.Embedding(vocab_size, d_model)
        for table in (self.src_embed, self.tgt_embed):  # std D^-1/2, so that after the ·√D scaling the
            nn.init.normal_(table.weight, std=d_model**-0.5)  # token and position signals are both ~1
        self.register_buffer("pe", positional_encoding(max_len, d_model), persistent=False)
        self.encoder = nn.ModuleList(
            EncoderLayer(d_model, num_heads, d_ff, norm_first) for _ in range(num_layers)
        )
        self.decoder = nn.ModuleList(
            DecoderLayer(d_model, num_heads, d_ff, norm_first) for _ in range(num_layers)
        )
        self.enc_norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.dec_norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.generator = nn.Linear(d_model, vocab_size)

    def embed(self, table: nn.Embedding, tokens: torch.Tensor) -> torch.Tensor:
        return table(tokens) * math.sqrt(self.d_model) + self.pe[: tokens.shape[1]]

    def encode(self, src: torch.Tensor) -> torch.Tensor:
        """src (B, S) ids -> memory (B, S, D)."""
        x, mask = self.embed(self.src_embed, src), padding_mask(src, self.pad_id)
        for layer in self.encoder:
            x = layer(x, mask)
        return self.enc_norm(x)

    def decode(self, tgt_in: torch.Tensor, memory: torch.Tensor, src: torch.Tensor) -> torch.Tensor:
        """tgt_in (B, T) ids, memory (B, S, D), src (B, S) ids -> logits (B, T, V)."""
        y = self.embed(self.tgt_embed, tgt_in)
        self_mask = causal_mask(tgt_in.shape[1], tgt_in.device)
        memory_mask = padding_mask(src, self.pad_id)
        for layer in self.decoder:
            y = layer(y, memory, self_mask, memory_mask)
        return self.generator(self.dec_norm(y))

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: src (B, S), tgt_in (B, T) -> logits (B, T, V)."""
        return self.decode(tgt_in, self.encode(src), src)


@torch.inference_mode()
def greedy_decode(
    model: Seq2SeqTransformer, src: torch.Tensor, max_len: int, bos_id: int, eos_id: int, pad_id: int = 0
) -> torch.Tensor:
    """Decode a batch greedily: src (B, S) -> (B, ≤ max_len) ids after <bos>, padded with ``pad_id`` after <eos>."""
    memory = model.encode(src)
    out = torch.full((src.shape[0], 1), bos_id, dtype=torch.long, device=src.device)
    done = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
    for _ in range(max_len):
        next_token = model.decode(out, memory, src)[:, -1].argmax(-1)
        next_token = torch.where(done, torch.full_like(next_token, pad_id), next_token)
        out = torch.cat([out, next_token[:, None]], dim=1)
        done |= next_token == eos_id
        if bool(done.all()):
            break
    return out[:, 1:]
