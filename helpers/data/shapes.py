"""Image–caption pairs for the language–image notebooks (09 CLIP, 10 SigLIP, 11 BLIP), generated in code.

Each image is 32×32 RGB: one coloured shape (circle, square, triangle or cross) of a size (small or large) at
one of nine positions (a 3×3 grid) on a dark, slightly noisy background. Each caption describes it with one
of several templates and synonyms ("a small red circle at the top left", "upper-left: a crimson disc" …).

- :func:`render_shapes` draws images from attribute indices, vectorised (no loop over images).
- :func:`make_captions` writes captions for attribute indices.
- :func:`held_out_combos` picks (shape, colour) pairs kept out of training, for zero-shot tests: every shape
  and every colour still appears in training, only never *together*.
- :func:`make_shapes_dataset` builds train / seen-test / unseen-test splits; ``corrupt_fraction`` replaces
  that fraction of training captions with captions of other attributes (noisy "web" captions).
- :class:`CaptionTokenizer` splits captions into lower-case words and maps them to ids.

Everything is deterministic by ``seed``. Left out on purpose: more than one object per image, occlusion,
textures, and anything a real photo has.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from helpers.validate import check_int, check_real

IMAGE_SIZE = 32
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "cross")
COLOURS: tuple[str, ...] = ("red", "green", "blue", "yellow", "purple", "white")
SIZES: tuple[str, ...] = ("small", "large")
ROWS: tuple[str, ...] = ("top", "middle", "bottom")
COLUMNS: tuple[str, ...] = ("left", "centre", "right")
#: The nine positions, row-major: index = 3 · row + column.
POSITIONS: tuple[str, ...] = tuple(f"{r} {c}" for r in ROWS for c in COLUMNS)

#: Base colour of each entry of :data:`COLOURS`, RGB in [0, 1] (each image jitters it slightly).
RGB: dict[str, tuple[float, float, float]] = {
    "red": (0.92, 0.12, 0.10),
    "green": (0.15, 0.78, 0.15),
    "blue": (0.15, 0.35, 0.98),
    "yellow": (0.95, 0.88, 0.10),
    "purple": (0.62, 0.18, 0.85),
    "white": (0.95, 0.95, 0.95),
}

SHAPE_WORDS: dict[str, tuple[str, ...]] = {
    "circle": ("circle", "disc", "round shape", "dot"),
    "square": ("square", "box", "block"),
    "triangle": ("triangle", "wedge", "three-sided shape"),
    "cross": ("cross", "plus sign", "plus"),
}
COLOUR_WORDS: dict[str, tuple[str, ...]] = {
    "red": ("red", "crimson", "scarlet"),
    "green": ("green", "emerald", "lime"),
    "blue": ("blue", "azure", "navy"),
    "yellow": ("yellow", "golden", "lemon"),
    "purple": ("purple", "violet", "lilac"),
    "white": ("white", "snowy", "ivory"),
}
SIZE_WORDS: dict[str, tuple[str, ...]] = {
    "small": ("small", "tiny", "little"),
    "large": ("large", "big", "huge"),
}
ROW_WORDS: dict[str, tuple[str, ...]] = {
    "top": ("top", "upper"),
    "middle": ("middle", "centre"),
    "bottom": ("bottom", "lower"),
}
COLUMN_WORDS: dict[str, tuple[str, ...]] = {
    "left": ("left",),
    "centre": ("centre", "middle"),
    "right": ("right",),
}

#: Caption templates; fields {size} {colour} {shape} {pos}.
TEMPLATES: tuple[str, ...] = (
    "a {size} {colour} {shape} at the {pos}",
    "{pos}: a {colour} {shape}",
    "there is a {colour} {shape} in the {pos}",
    "a {colour} {shape}",
    "{size} {shape}, {colour}, {pos}",
    "the {shape} is {colour} and {size}",
    "a {shape} coloured {colour} near the {pos}",
    "{colour} {shape} ({size})",
)
SPECIALS: tuple[str, ...] = ("<pad>", "<unk>", "<bos>", "<eos>")
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
_ARTICLE = re.compile(r"\ba (?=[aeiou])")
_WORD = re.compile(r"[a-z]+|[0-9]+|[^\sa-z0-9]")


def _check_indices(name: str, values, n_options: int) -> np.ndarray:
    arr = values.cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(
            f"{name} must be a 1-D sequence or tensor of ints, got dtype {arr.dtype} shape {arr.shape}"
        )
    if arr.size and (arr.min() < 0 or arr.max() >= n_options):
        raise ValueError(
            f"{name} must hold indices in [0, {n_options}), got values in [{arr.min()}, {arr.max()}]"
        )
    return arr.astype(np.int64)


def _check_attributes(shape, colour, position, size) -> tuple[np.ndarray, ...]:
    arrays = (
        _check_indices("shape", shape, len(SHAPES)),
        _check_indices("colour", colour, len(COLOURS)),
        _check_indices("position", position, len(POSITIONS)),
        _check_indices("size", size, len(SIZES)),
    )
    if len({len(a) for a in arrays}) != 1:
        raise ValueError(
            f"shape, colour, position and size must have one length, got {[len(a) for a in arrays]}"
        )
    return arrays


def render_shapes(shape, colour, position, size, *, seed: int = 0) -> torch.Tensor:
    """Draw one shape per image.

    Args:
        shape, colour, position, size: (N,) indices into :data:`SHAPES`, :data:`COLOURS`, :data:`POSITIONS`
            (row-major 3×3 grid) and :data:`SIZES`.
        seed: jitter of centre (±1.5 px), radius, colour (±0.06) and background noise.
    Returns:
        (N, 3, 32, 32) float32 images in [0, 1].
    """
    shape, colour, position, size = _check_attributes(shape, colour, position, size)
    check_int("seed", seed, low=0)
    rng = np.random.default_rng(seed)
    n = len(shape)
    cell = IMAGE_SIZE / 3
    cx = ((position % 3 + 0.5) * cell + rng.uniform(-1.5, 1.5, n)).astype(np.float32)  # (N,) centre, pixels
    cy = ((position // 3 + 0.5) * cell + rng.uniform(-1.5, 1.5, n)).astype(np.float32)
    radius = np.where(size == 1, rng.uniform(6.6, 7.4, n), rng.uniform(4.6, 5.2, n)).astype(np.float32)
    grid = np.arange(IMAGE_SIZE, dtype=np.float32) + 0.5
    dx = np.abs(grid[None, None, :] - cx[:, None, None])  # (N, 1, W)
    dy = grid[None, :, None] - cy[:, None, None]  # (N, H, 1)
    ady, r = np.abs(dy), radius[:, None, None]
    kind = shape[:, None, None]
    mask = np.where(
        kind == 0,
        dx**2 + dy**2 <= r**2,  # circle
        np.where(
            kind == 1,
            np.maximum(dx, ady) <= r,  # square
            np.where(
                kind == 2,
                (ady <= r) & (dx <= (dy + r) / 2 + 0.5),  # triangle, apex up
                ((dx <= r / 3) & (ady <= r)) | ((ady <= r / 3) & (dx <= r)),
            ),
        ),
    )  # cross; (N, H, W)
    base = np.array([RGB[c] for c in COLOURS], dtype=np.float32)[colour]  # (N, 3)
    brightness = rng.uniform(0.85, 1.0, (n, 1)).astype(np.float32)
    rgb = np.clip(base * brightness + rng.uniform(-0.08, 0.08, (n, 3)).astype(np.float32), 0, 1)
    images = rng.standard_normal((n, 3, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    images *= 0.03
    images += 0.08  # dark background with a little noise
    np.maximum(images, 0, out=images)
    np.copyto(images, np.broadcast_to(rgb[:, :, None, None], images.shape), where=mask[:, None])
    return torch.from_numpy(images)


def _pick(options: Sequence[str], draw) -> str:
    return options[int(draw) % len(options)]


def _position_phrase(position: int, a: int, b: int, c: int) -> str:
    """A phrase for one of the nine positions; ``a``, ``b``, ``c`` are random draws choosing the wording."""
    row, column = ROWS[position // 3], COLUMNS[position % 3]
    if row == "middle" and column == "centre":
        return _pick(("centre", "middle"), a)
    if row == "middle":
        return _pick((column, f"middle {column}"), a)
    if column == "centre":
        return _pick((row, f"{row} centre"), a)
    row_word = _pick(ROW_WORDS[row], b)
    return f"{row_word}-{column}" if c % 10 < 3 else f"{row_word} {column}"


def make_captions(
    shape, colour, position, size, *, seed: int = 0, templates: Sequence[str] | None = None
) -> list[str]:
    """One caption per image, with a random template and random synonyms.

    Args:
        shape, colour, position, size: (N,) attribute indices as in :func:`render_shapes`.
        seed: chooses templates and synonyms.
        templates: format strings with fields ``{size} {colour} {shape} {pos}`` (default :data:`TEMPLATES`).
    Returns:
        N captions (lower case).
    """
    shape, colour, position, size = _check_attributes(shape, colour, position, size)
    check_int("seed", seed, low=0)
    templates = TEMPLATES if templates is None else templates
    if isinstance(templates, str) or not templates or not all(isinstance(t, str) for t in templates):
        raise TypeError("templates must be a non-empty sequence of str")
    rng = np.random.default_rng(seed)
    n = len(shape)
    draws = rng.integers(0, 2**31, size=(7, n))  # one column of choices per caption
    positions = [
        _position_phrase(int(p), int(a), int(b), int(c)) for p, a, b, c in zip(position, *draws[3:6])
    ]
    out = []
    for i in range(n):  # string formatting: one caption at a time
        words = dict(
            shape=_pick(SHAPE_WORDS[SHAPES[shape[i]]], draws[0, i]),
            colour=_pick(COLOUR_WORDS[COLOURS[colour[i]]], draws[1, i]),
            size=_pick(SIZE_WORDS[SIZES[size[i]]], draws[2, i]),
            pos=positions[i],
        )
        try:
            text = templates[draws[6, i] % len(templates)].format(**words)
        except (KeyError, IndexError) as exc:
            raise ValueError(
                f"templates may only use the fields {{size}} {{colour}} {{shape}} {{pos}}: {exc}"
            ) from None
        out.append(_ARTICLE.sub("an ", text))
    return out


def combo_index(shape, colour) -> torch.Tensor:
    """(N,) class index ``shape · len(COLOURS) + colour`` of each (shape, colour) pair."""
    s, c = _check_indices("shape", shape, len(SHAPES)), _check_indices("colour", colour, len(COLOURS))
    if len(s) != len(c):
        raise ValueError(f"shape and colour must have one length, got {len(s)} and {len(c)}")
    return torch.from_numpy(s * len(COLOURS) + c)


_FIRST_PASS, _SECOND_PASS = (0, 1, 2, 3, 0, 1), (2, 3, 0, 1, 3, 2)


def held_out_combos(num: int = 6, *, seed: int = 0) -> list[tuple[str, str]]:
    """(shape, colour) pairs kept out of training, chosen so every shape and colour still occurs in training.

    The k-th pair takes colour k mod 6 and a shape from a fixed pattern that spreads the pairs evenly (the
    first 6 cover every colour once and every shape once or twice; 12 take exactly 3 colours from every
    shape); ``seed`` permutes the names of shapes and colours first.
    Args:
        num: how many pairs, 0 … 12 (half the table at most, so each shape keeps 3 colours in training).
    Returns:
        ``num`` (shape name, colour name) pairs.
    """
    num = check_int("num", num, low=0)
    check_int("seed", seed, low=0)
    limit = len(SHAPES) * len(COLOURS) // 2
    if num > limit:
        raise ValueError(f"num must be <= {limit} so every shape and colour stays in training, got {num}")
    rng = np.random.default_rng(seed)
    shape_perm, colour_perm = rng.permutation(len(SHAPES)), rng.permutation(len(COLOURS))
    table = _FIRST_PASS + _SECOND_PASS  # shape slot of the k-th held-out pair
    pairs = [(SHAPES[shape_perm[table[k]]], COLOURS[colour_perm[k % len(COLOURS)]]) for k in range(num)]
    return pairs


@dataclass
class ShapeCaptions:
    """Images with captions and the attributes they were drawn from.

    Attributes:
        images: (N, 3, 32, 32) float32 in [0, 1].
        captions: N strings.
        shape, colour, position, size: (N,) int64 attribute indices.
        corrupted: (N,) bool, True where the caption describes *other* attributes than the image.
    """

    images: torch.Tensor
    captions: list[str]
    shape: torch.Tensor
    colour: torch.Tensor
    position: torch.Tensor
    size: torch.Tensor
    corrupted: torch.Tensor

    def __len__(self) -> int:
        return len(self.captions)

    @property
    def combo(self) -> torch.Tensor:
        """(N,) (shape, colour) class index, see :func:`combo_index`."""
        return combo_index(self.shape, self.colour)

    def describe(self, i: int) -> str:
        """The true attributes of item ``i``, e.g. ``'small red circle, top left'``."""
        i = check_int("i", i, -len(self), len(self) - 1)
        return (
            f"{SIZES[self.size[i]]} {COLOURS[self.colour[i]]} {SHAPES[self.shape[i]]}, "
            f"{POSITIONS[self.position[i]]}"
        )


def _sample_attributes(n: int, allowed: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    pick = allowed[rng.integers(len(allowed), size=n)]  # (n,) combo indices
    return (
        pick // len(COLOURS),
        pick % len(COLOURS),
        rng.integers(len(POSITIONS), size=n),
        rng.integers(len(SIZES), size=n),
    )


def make_shape_captions(
    n: int, *, seed: int = 0, combos: Sequence[tuple[str, str]] | None = None, corrupt_fraction: float = 0.0
) -> ShapeCaptions:
    """``n`` image–caption pairs whose (shape, colour) pair is drawn uniformly from ``combos``.

    Args:
        n: number of pairs.
        seed: everything random (attributes, drawing, captions, corruption).
        combos: allowed (shape name, colour name) pairs (default: all 24).
        corrupt_fraction: exactly ``round(corrupt_fraction · n)`` captions, chosen at random, describe other
            attributes (another allowed (shape, colour) pair, another position and size) than their image.
    """
    n = check_int("n", n, low=1)
    check_int("seed", seed, low=0)
    corrupt_fraction = check_real("corrupt_fraction", corrupt_fraction, 0, 1)
    if combos is None:
        combos = [(s, c) for s in SHAPES for c in COLOURS]
    allowed = []
    for pair in combos:
        if not (isinstance(pair, tuple) and len(pair) == 2 and pair[0] in SHAPES and pair[1] in COLOURS):
            raise ValueError(
                f"combos must hold (shape, colour) pairs with shape in {SHAPES} and colour in "
                f"{COLOURS}, got {pair!r}"
            )
        allowed.append(SHAPES.index(pair[0]) * len(COLOURS) + COLOURS.index(pair[1]))
    allowed = np.array(sorted(set(allowed)))
    if len(allowed) == 0:
        raise ValueError("combos must not be empty")
    rng = np.random.default_rng(seed)
    shape, colour, position, size = _sample_attributes(n, allowed, rng)
    images = render_shapes(shape, colour, position, size, seed=int(rng.integers(2**31)))
    cap_shape, cap_colour, cap_position, cap_size = shape.copy(), colour.copy(), position.copy(), size.copy()
    corrupted = np.zeros(n, dtype=bool)
    corrupted[rng.permutation(n)[: int(round(corrupt_fraction * n))]] = True
    if corrupted.any():
        k = int(corrupted.sum())
        other = _sample_attributes(k, allowed, rng)
        same = other[0] * len(COLOURS) + other[1] == shape[corrupted] * len(COLOURS) + colour[corrupted]
        # a wrong caption must name a wrong (shape, colour) pair: shift the colour where it would match
        new_colour = np.where(same, (other[1] + 1) % len(COLOURS), other[1])
        fixed = np.isin(other[0] * len(COLOURS) + new_colour, allowed)
        new_shape = np.where(same & ~fixed, (other[0] + 1) % len(SHAPES), other[0])
        cap_shape[corrupted], cap_colour[corrupted] = new_shape, new_colour
        cap_position[corrupted], cap_size[corrupted] = other[2], other[3]
        if len(allowed) == 1:
            raise ValueError("corrupt_fraction > 0 needs at least two allowed combos")
        bad = ~np.isin(cap_shape * len(COLOURS) + cap_colour, allowed)  # rare: shifted pair not allowed
        for i in np.flatnonzero(bad):
            choices = allowed[allowed != shape[i] * len(COLOURS) + colour[i]]
            pick = choices[rng.integers(len(choices))]
            cap_shape[i], cap_colour[i] = pick // len(COLOURS), pick % len(COLOURS)
    captions = make_captions(cap_shape, cap_colour, cap_position, cap_size, seed=int(rng.integers(2**31)))
    as_long = lambda a: torch.from_numpy(np.asarray(a, dtype=np.int64))
    return ShapeCaptions(
        images,
        captions,
        as_long(shape),
        as_long(colour),
        as_long(position),
        as_long(size),
        torch.from_numpy(corrupted),
    )


class CaptionTokenizer:
    """Lower-case word tokenizer with a fixed vocabulary; ids 0–3 are ``<pad> <unk> <bos> <eos>``.

    ``encode`` writes ``<bos> w_1 … w_k <eos>`` then padding, so a text encoder can read the sentence at the
    ``<eos>`` position (as CLIP does). Words outside the vocabulary become ``<unk>``.
    """

    def __init__(self, words: Sequence[str]):
        if isinstance(words, str) or not all(isinstance(w, str) and w for w in words):
            raise TypeError("words must be a sequence of non-empty str")
        vocab = list(SPECIALS) + [w for w in dict.fromkeys(words) if w not in SPECIALS]
        self.tokens: tuple[str, ...] = tuple(vocab)
        self.index = {t: i for i, t in enumerate(self.tokens)}
        self.pad_id, self.unk_id, self.bos_id, self.eos_id = PAD_ID, UNK_ID, BOS_ID, EOS_ID

    @staticmethod
    def split(text: str) -> list[str]:
        """Lower-case words, numbers and single punctuation marks.

        ``'Top-left: a DISC'`` → ``['top', '-', 'left', ':', 'a', 'disc']``.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        return _WORD.findall(text.lower())

    @classmethod
    def from_captions(cls, captions: Sequence[str]) -> CaptionTokenizer:
        """A vocabulary of every word in ``captions``, in order of first appearance."""
        if isinstance(captions, str) or not all(isinstance(c, str) for c in captions):
            raise TypeError("captions must be a sequence of str")
        return cls([w for c in captions for w in cls.split(c)])

    @classmethod
    def for_shapes(cls) -> CaptionTokenizer:
        """Every word the generator can write (templates and all synonyms): one vocabulary for any seed."""
        texts = (
            list(TEMPLATES)
            + ["an"]
            + [
                w
                for table in (SHAPE_WORDS, COLOUR_WORDS, SIZE_WORDS, ROW_WORDS, COLUMN_WORDS)
                for words in table.values()
                for w in words
            ]
        )
        return cls.from_captions([re.sub(r"\{\w+\}", " ", t) for t in texts])

    def __len__(self) -> int:
        return len(self.tokens)

    def unknown_words(self, text: str) -> list[str]:
        """The words of ``text`` that are not in the vocabulary (in order, without repeats)."""
        return list(dict.fromkeys(w for w in self.split(text) if w not in self.index))

    def encode(self, texts: str | Sequence[str], max_len: int = 16) -> torch.Tensor:
        """(N, max_len) int64 ids ``<bos> … <eos> <pad> …``; longer texts are cut so ``<eos>`` always fits.

        Args:
            texts: one str or N strs.
            max_len: sequence length including ``<bos>`` and ``<eos>``, >= 2.
        """
        if isinstance(texts, str):
            texts = [texts]
        if not all(isinstance(t, str) for t in texts):
            raise TypeError("texts must be a str or a sequence of str")
        max_len = check_int("max_len", max_len, low=2)
        out = torch.full((len(texts), max_len), self.pad_id, dtype=torch.long)
        for i, text in enumerate(texts):
            ids = [self.index.get(w, self.unk_id) for w in self.split(text)][: max_len - 2]
            out[i, : len(ids) + 2] = torch.tensor([self.bos_id, *ids, self.eos_id])
        return out

    def decode(self, ids) -> str:
        """Ids back to words joined by spaces, without ``<bos>``, ``<eos>`` and padding."""
        ids = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
        words = []
        for position, value in enumerate(ids):
            i = check_int(f"ids[{position}]", value, 0, len(self.tokens) - 1)
            if i not in (self.pad_id, self.bos_id, self.eos_id):
                words.append(self.tokens[i])
        return " ".join(words)


@dataclass
class ShapesDataset:
    """Splits for contrastive training and zero-shot tests.

    Attributes:
        train: pairs whose (shape, colour) is not held out (captions possibly corrupted).
        test: clean pairs of the training combos, new images.
        unseen: clean pairs of the held-out combos only.
        held_out: the held-out (shape, colour) pairs.
        tokenizer: :meth:`CaptionTokenizer.for_shapes`.
    """

    train: ShapeCaptions
    test: ShapeCaptions
    unseen: ShapeCaptions
    held_out: list[tuple[str, str]]
    tokenizer: CaptionTokenizer


def make_shapes_dataset(
    n_train: int = 4000,
    n_test: int = 500,
    n_unseen: int = 500,
    *,
    seed: int = 0,
    num_held_out: int = 6,
    corrupt_fraction: float = 0.0,
) -> ShapesDataset:
    """Training pairs without the held-out (shape, colour) pairs; clean test sets with and without them.

    Args:
        n_train, n_test, n_unseen: sizes of the three splits.
        seed: all randomness, including which combos are held out (:func:`held_out_combos`).
        num_held_out: how many (shape, colour) pairs never appear in training (0 … 12).
        corrupt_fraction: fraction of *training* captions replaced by wrong ones.
    """
    check_int("seed", seed, low=0)
    held = held_out_combos(num_held_out, seed=seed)
    seen = [(s, c) for s in SHAPES for c in COLOURS if (s, c) not in held]
    train = make_shape_captions(n_train, seed=seed * 3 + 1, combos=seen, corrupt_fraction=corrupt_fraction)
    test = make_shape_captions(n_test, seed=seed * 3 + 2, combos=seen)
    if held:
        unseen = make_shape_captions(n_unseen, seed=seed * 3 + 3, combos=held)
    else:
        check_int("n_unseen", n_unseen, low=1)
        unseen = make_shape_captions(n_unseen, seed=seed * 3 + 3, combos=seen)
    return ShapesDataset(train, test, unseen, held, CaptionTokenizer.for_shapes())
