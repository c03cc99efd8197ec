"""Components taught in one notebook and reused by later ones.

Each is written visibly in its teaching notebook (linked below), which checks that its own version computes
exactly what the version here computes; later notebooks import it from here.

- :mod:`helpers.components.bpe` — the byte-level BPE tokenizer taught in ``01_tokenizer.ipynb``.
- :mod:`helpers.components.transformer` — taught in ``04_transformer.ipynb``.
- :mod:`helpers.components.faces` — the face embedding CNN taught in ``06_softmax_many_classes.ipynb``.
- :mod:`helpers.components.clip` — the loss and the two tiny encoders taught in ``09_clip.ipynb``.
"""

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

__all__ = [
    "scaled_dot_product_attention",
    "MultiHeadAttention",
    "positional_encoding",
    "FeedForward",
    "EncoderLayer",
    "DecoderLayer",
    "Seq2SeqTransformer",
    "causal_mask",
    "padding_mask",
    "greedy_decode",
]
