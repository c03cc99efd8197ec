"""The dual encoder taught in ``notebooks/09_clip.ipynb`` (Radford et al., 2021), sized for 32×32 toy images.

Shapes: B batch, E shared embedding width, L caption length (ids from
:class:`helpers.data.shapes.CaptionTokenizer`: ``<bos> … <eos>`` then ``<pad>``), C classes, T prompt templates.

- :class:`ImageEncoder` — a small CNN on the outline (brightest channel) plus a pooled colour path, projected
  linearly: (B, 3, 32, 32) → (B, E).
- :class:`TextEncoder` — token + learned position embeddings, Transformer encoder layers from
  :mod:`helpers.components.transformer`, averaged over the caption's tokens: (B, L) → (B, E).
- :class:`CLIPModel` — both towers and the learnable temperature: ``logit_scale = exp(s)``, ``s`` initialised
  to ``log(1/0.07)``, the scale capped at 100.
- :func:`clip_loss` — the symmetric contrastive loss; :func:`zero_shot_classifier` — class embeddings from
  prompt templates (averaged over templates: prompt ensembling).

Left out on purpose: the paper's ResNet/ViT towers (ours separates shape from colour by design, see the
notebook), causal masking and <eos> read-out in the text tower, mixed precision and
the sharded all-gather of features across devices.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from helpers.components.transformer import EncoderLayer, padding_mask


def clip_loss(image_features: torch.Tensor, text_features: torch.Tensor, logit_scale) -> torch.Tensor:
    """Symmetric InfoNCE: mean of the image→text and text→image cross-entropies over the batch.

    Args:
        image_features, text_features: (B, E); row i of each is a matching pair. Normalised to unit length here.
        logit_scale: the multiplier of the cosine similarities (a float or 0-d tensor; not its logarithm).
    Returns:
        0-d tensor.
    """
    if image_features.ndim != 2 or image_features.shape != text_features.shape:
        raise ValueError(
            f"image_features and text_features must both be (B, E), got "
            f"{tuple(image_features.shape)} and {tuple(text_features.shape)}"
        )
    image = image_features / image_features.norm(dim=-1, keepdim=True)
    text = text_features / text_features.norm(dim=-1, keepdim=True)
    logits = logit_scale * image @ text.T  # (B, B): row i = image i against every caption
    diagonal = logits.diagonal()
    image_to_text = (torch.logsumexp(logits, dim=1) - diagonal).mean()
    text_to_image = (torch.logsumexp(logits, dim=0) - diagonal).mean()
    return (image_to_text + text_to_image) / 2


class ImageEncoder(nn.Module):
    """(B, 3, 32, 32) images in [0, 1] → (B, embed_dim) features, with shape and colour in separate paths.

    *Outline path:* the brightest channel of each pixel (the outline, whatever its colour) goes through three
    3×3 convolutions with ReLU and 2×2 max-pooling (32 → 16 → 8 → 4 pixels; ``width``, 2·``width``,
    4·``width`` channels); the 4×4 map is flattened (*where*) and also max-pooled over space (*what*).
    *Colour path:* a 1×1 convolution of the RGB values with ReLU, max-pooled over space (2·``width``).
    The three parts are concatenated and projected linearly, so shape and colour add up in the embedding.
    """

    def __init__(self, embed_dim: int = 64, width: int = 8):
        super().__init__()
        for name, value in (("embed_dim", embed_dim), ("width", width)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        self.convs = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(2 * width, 4 * width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.colour = nn.Conv2d(3, 2 * width, 1)
        self.proj = nn.Linear(4 * width * (4 * 4 + 1) + 2 * width, embed_dim)

    def forward_parts(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The feature and the parts it is made of, for models that also need spatial tokens (notebook 11).

        Returns: features (B, embed_dim); outline maps (B, 4·width, 4, 4); colour (B, 2·width).
        """
        if not isinstance(images, torch.Tensor):
            raise TypeError(f"images must be a torch.Tensor, got {type(images).__name__}")
        if images.ndim != 4 or tuple(images.shape[1:]) != (3, 32, 32):
            raise ValueError(f"images must be (B, 3, 32, 32), got {tuple(images.shape)}")
        maps = self.convs(images.amax(dim=1, keepdim=True) - 0.5)  # (B, 4·width, 4, 4) outline
        colour = torch.relu(self.colour(images - 0.5)).amax(dim=(2, 3))  # (B, 2·width)
        features = self.proj(torch.cat([maps.flatten(1), maps.amax(dim=(2, 3)), colour], dim=1))
        return features, maps, colour

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.forward_parts(images)[0]


class TextEncoder(nn.Module):
    """(B, L) token ids → (B, embed_dim) features: the mean over each caption's real tokens (not padding).

    Token and learned position embeddings, ``num_layers`` pre-norm :class:`EncoderLayer` s with a padding mask,
    the mean over non-padding positions, a LayerNorm and a linear projection. (CLIP reads the ``<eos>``
    position instead; the mean keeps a caption's embedding closer to the sum of its words.)
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int = 64,
        d_model: int = 64,
        num_heads: int = 4,
        num_layers: int = 1,
        max_len: int = 16,
        pad_id: int = 0,
    ):
        super().__init__()
        for name, value, low in (
            ("vocab_size", vocab_size, 2),
            ("embed_dim", embed_dim, 1),
            ("d_model", d_model, 1),
            ("num_heads", num_heads, 1),
            ("num_layers", num_layers, 1),
            ("max_len", max_len, 2),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
        self.pad_id, self.max_len = pad_id, max_len
        self.token_embed = nn.Embedding(vocab_size, d_model)
        self.pos_embed = nn.Parameter(torch.randn(max_len, d_model) * 0.02)
        self.layers = nn.ModuleList(EncoderLayer(d_model, num_heads, 2 * d_model) for _ in range(num_layers))
        self.norm = nn.LayerNorm(d_model)
        self.proj = nn.Linear(d_model, embed_dim, bias=False)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        if tokens.ndim != 2 or not 1 <= tokens.shape[1] <= self.max_len:
            raise ValueError(
                f"tokens must be (B, L) with 1 <= L <= max_len={self.max_len}, got {tuple(tokens.shape)}"
            )
        x = self.token_embed(tokens) + self.pos_embed[: tokens.shape[1]]  # (B, L, d_model)
        mask = padding_mask(tokens, self.pad_id)  # (B, 1, 1, L)
        for layer in self.layers:
            x = layer(x, mask)
        real = (tokens != self.pad_id).unsqueeze(-1).to(x.dtype)  # (B, L, 1)
        mean = (x * real).sum(dim=1) / real.sum(dim=1).clamp_min(1)  # (B, d_model)
        return self.proj(self.norm(mean))


class CLIPModel(nn.Module):
    """Image and text towers with a learnable temperature.

    ``logit_scale = exp(log_scale)`` with ``log_scale`` initialised to ``log(1 / init_temperature)`` and the
    scale capped at ``max_logit_scale`` (the cap also stops the gradient, as clipping the parameter does).
    """

    def __init__(
        self,
        image_encoder: nn.Module,
        text_encoder: nn.Module,
        init_temperature: float = 0.07,
        max_logit_scale: float = 100.0,
    ):
        super().__init__()
        if not (init_temperature > 0 and 1 / init_temperature <= max_logit_scale):
            raise ValueError(
                f"init_temperature must be > 0 with 1/init_temperature <= max_logit_scale, got "
                f"{init_temperature} and {max_logit_scale}"
            )
        self.image_encoder, self.text_encoder = image_encoder, text_encoder
        self.log_scale = nn.Parameter(torch.tensor(math.log(1 / init_temperature)))
        self.max_logit_scale = max_logit_scale

    @property
    def logit_scale(self) -> torch.Tensor:
        """0-d tensor exp(log_scale), at most ``max_logit_scale``."""
        return self.log_scale.exp().clamp(max=self.max_logit_scale)

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, 32, 32) → (B, E) unit-length features."""
        return F.normalize(self.image_encoder(images), dim=-1)

    def encode_text(self, tokens: torch.Tensor) -> torch.Tensor:
        """(B, L) → (B, E) unit-length features."""
        return F.normalize(self.text_encoder(tokens), dim=-1)

    def forward(self, images: torch.Tensor, tokens: torch.Tensor):
        """→ (image features (B, E), text features (B, E), logit_scale), features not yet normalised."""
        return self.image_encoder(images), self.text_encoder(tokens), self.logit_scale


@torch.inference_mode()
def zero_shot_classifier(
    model: CLIPModel,
    tokenizer,
    class_names: Sequence[Sequence[str]],
    templates: Sequence[str],
    max_len: int = 16,
) -> torch.Tensor:
    """Class embeddings (C, E): each template filled with each class, encoded, normalised, averaged, renormalised.

    Args:
        model: a trained :class:`CLIPModel`.
        tokenizer: has ``encode(texts, max_len) -> (N, L)`` ids.
        class_names: C tuples of words that fill the templates' ``{}`` fields in order, e.g. ``("red", "circle")``.
        templates: T format strings with positional fields, e.g. ``"a {} {}"``; T > 1 is prompt ensembling.
    """
    if not class_names or not templates or isinstance(templates, str):
        raise ValueError(
            "class_names and templates must be non-empty sequences (templates a sequence of str)"
        )
    prompts = [t.format(*names) for names in class_names for t in templates]  # class-major: (C·T,)
    device = model.log_scale.device
    features = model.encode_text(tokenizer.encode(prompts, max_len).to(device))
    per_class = features.view(len(class_names), len(templates), -1).mean(dim=1)  # (C, E)
    return F.normalize(per_class, dim=-1)
