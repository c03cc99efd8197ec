"""Synthetic scenes for face detection: several procedural faces pasted into cluttered backgrounds.

Each scene is a greyscale image with one to ``max_faces`` faces from :mod:`helpers.data.faces`, drawn at
varied size (crops of several sides), in-plane rotation and lighting, over a background of random gradients,
rectangles, ellipses and stripes. Every face comes with its five landmarks (exact, by construction), its
identity and a ground-truth **face box** computed from the landmarks by :func:`face_boxes` — the same rule
applies to any face with known landmarks, so boxes of generated and real faces follow one convention
(brows to chin, like the crops of ``skimage.data.lfw_subset`` and the boxes of OpenCV's frontal-face
cascade).

Conventions: images ``(N, H, W)`` float32 in [0, 1]; boxes ``(..., 4)`` float32 as ``x1, y1, x2, y2`` in
pixel units (pixel (row i, column j) covers [j, j+1) × [i, i+1)); landmarks ``(..., 5, 2)`` as (x, y) in
``helpers.data.faces.LANDMARKS`` order. Scenes have a fixed number of face *slots*; ``valid`` marks the used
ones. Everything is fixed by ``seed``. What it leaves out: colour, out-of-plane pose, partly visible faces at
the border, crowds with overlapping faces, real backgrounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.data.faces import (
    NUM_PARAMS,
    RenderedFaces,
    paste_faces,
    render_faces,
    sample_identities,
    sample_nuisance,
)
from helpers.validate import check_int, check_real, check_seed

BOX_SIDE_PER_EYE_MOUTH: float = 2.8  # box side / distance from the eyes' midpoint to the mouth's midpoint
BOX_FRACTION: float = 0.68  # typical box side / rendered crop side (face units: 1.9 of 2.78 per side)
MIN_BOX_SIDE = 8  # pixels: the smallest face box make_scenes accepts
MAX_CROP_SHARE = 0.8  # box_range's bound: a face's rendered crop spans at most about this share of the scene
_NUM_SHAPES = 10  # clutter shapes per background
_NUM_BADGES = 2  # face-like distractors per background: a blob with random marks inside
SCENE_NOISE: float = 0.02  # std of the pixel noise over a whole scene, clutter and pasted faces alike


def face_boxes(landmarks: np.ndarray, side_factor: float = BOX_SIDE_PER_EYE_MOUTH) -> np.ndarray:
    """Square face boxes from five landmarks: ``(..., 5, 2)`` → ``(..., 4)`` float32 ``x1, y1, x2, y2``.

    The box is centred halfway between the eyes' midpoint and the mouth's midpoint; its side is
    ``side_factor`` times their distance (2.8 puts the top edge near the brows and the bottom at the chin).
    Axis-aligned, whatever the face's rotation.
    """
    lm = np.asarray(landmarks, dtype=np.float32)
    if lm.ndim < 2 or lm.shape[-2:] != (5, 2):
        raise ValueError(f"landmarks must have shape (..., 5, 2), got {lm.shape}")
    side_factor = check_real("side_factor", side_factor, low=0, low_open=True)
    eyes, mouth = lm[..., 0:2, :].mean(-2), lm[..., 3:5, :].mean(-2)  # (..., 2)
    centre = (eyes + mouth) / 2
    half = side_factor * np.linalg.norm(mouth - eyes, axis=-1, keepdims=True) / 2  # (..., 1)
    return np.concatenate([centre - half, centre + half], -1).astype(np.float32)


def clutter(num_images: int, size: int = 96, seed: int = 0, *, noise: float = SCENE_NOISE) -> np.ndarray:
    """Cluttered backgrounds ``(num_images, size, size)`` float32 in [0, 1]: a linear gradient, random
    rectangles, ellipses and stripes of random grey, "badges" (a blob with three dark or light marks at random
    places inside, so that a blob with marks is not yet a face), and faint pixel noise of std ``noise``.
    Vectorised over images."""
    n = check_int("num_images", num_images, 1)
    noise = check_real("noise", noise, 0, 1)
    size = check_int("size", size, 8)
    rng = np.random.default_rng([check_seed("seed", seed), 12])
    u = lambda low, high, *shape: rng.uniform(low, high, (n, *shape)).astype(np.float32)
    pix = (np.arange(size, dtype=np.float32) + 0.5) / size
    x, y = pix[None, None, :], pix[None, :, None]  # (1, 1, W), (1, H, 1)
    angle = u(0, 2 * np.pi, 1, 1)
    img = u(0.2, 0.8, 1, 1) + u(-0.3, 0.3, 1, 1) * (np.cos(angle) * (x - 0.5) + np.sin(angle) * (y - 0.5))
    img = np.broadcast_to(img, (n, size, size)).copy()
    for _ in range(_NUM_SHAPES):
        kind, tone = rng.integers(0, 3, n)[:, None, None], u(0, 1, 1, 1)
        cx, cy, w, h = u(0, 1, 1, 1), u(0, 1, 1, 1), u(0.04, 0.3, 1, 1), u(0.04, 0.3, 1, 1)
        rect = (np.abs(x - cx) < w) & (np.abs(y - cy) < h)
        ellipse = ((x - cx) / w) ** 2 + ((y - cy) / h) ** 2 < 1
        stripe = np.abs(np.cos(angle) * (x - cx) - np.sin(angle) * (y - cy)) < w / 6
        mask = np.where(kind == 0, rect, np.where(kind == 1, ellipse, stripe))
        img = np.where(mask, tone, img)
    for _ in range(_NUM_BADGES):
        cx, cy, r, tone = u(0.1, 0.9, 1, 1), u(0.1, 0.9, 1, 1), u(0.06, 0.2, 1, 1), u(0.3, 1, 1, 1)
        blob = ((x - cx) / r) ** 2 + ((y - cy) / (r * u(0.8, 1.3, 1, 1))) ** 2 < 1
        img = np.where(blob, tone, img)
        for _mark in range(3):
            mx, my, mr = cx + r * u(-0.6, 0.6, 1, 1), cy + r * u(-0.6, 0.6, 1, 1), r * u(0.1, 0.25, 1, 1)
            mark = ((x - mx) / (mr * 1.6)) ** 2 + ((y - my) / mr) ** 2 < 1
            img = np.where(mark & blob, np.abs(tone - u(0.5, 0.9, 1, 1)), img)
    img += rng.standard_normal(img.shape, dtype=np.float32) * noise
    return np.clip(img, 0, 1).astype(np.float32)


@dataclass
class Scenes:
    """What :func:`make_scenes` returns (K = ``max_faces`` slots per scene).

    Attributes:
        images: ``(N, S, S)`` float32 scenes in [0, 1].
        boxes: ``(N, K, 4)`` float32 face boxes ``x1, y1, x2, y2`` (zeros in unused slots).
        landmarks: ``(N, K, 5, 2)`` float32 landmarks in scene pixels (zeros in unused slots).
        labels: ``(N, K)`` int64 row of ``identities`` shown in each slot, −1 in unused slots.
        valid: ``(N, K)`` bool, True where a slot holds a face.
        identities: ``(C, NUM_PARAMS)`` the identity parameters the labels index.
    """

    images: np.ndarray
    boxes: np.ndarray
    landmarks: np.ndarray
    labels: np.ndarray
    valid: np.ndarray
    identities: np.ndarray

    def __len__(self) -> int:
        return len(self.images)


def make_scenes(
    num_scenes: int,
    size: int = 96,
    *,
    max_faces: int = 3,
    box_range: tuple[float, float] = (20, 40),
    identities: np.ndarray | None = None,
    seed: int = 0,
    strength: float = 1.0,
    occlusion_prob: float = 0.0,
    photometric: float = 0.0,
    max_tries: int = 30,
) -> Scenes:
    """Scenes with 1 to ``max_faces`` non-overlapping faces each, over :func:`clutter` backgrounds.

    Args:
        num_scenes: N.
        size: scene side in pixels (32 to 512).
        max_faces: K, the most faces per scene (each scene draws its count uniformly from 1…K).
        box_range: (low, high) face box sides in pixels, approximately (faces are rendered at crop sides that
            are multiples of 4, then each box follows from the face's landmarks).
        identities: ``(C, NUM_PARAMS)`` identities to draw faces from (e.g. never-seen ones for a gallery);
            default: ``N·K`` fresh ones from ``sample_identities(N·K, seed)``.
        seed: fixes identities, pose, placement and backgrounds.
        strength, occlusion_prob, photometric: passed to :func:`helpers.data.faces.sample_nuisance` (only
            the head is pasted, so occluders do not show; the faces' own pixel noise is replaced by the
            scene's).
        max_tries: placement attempts per face; a face that still overlaps an earlier one is left out.
    """
    n = check_int("num_scenes", num_scenes, 1)
    size = check_int("size", size, 32, 512)
    k = check_int("max_faces", max_faces, 1)
    max_tries = check_int("max_tries", max_tries, 1)
    if not isinstance(box_range, (tuple, list)) or len(box_range) != 2:
        raise TypeError(f"box_range must be a (low, high) pair of numbers, got {box_range!r}")
    low, high = (check_real(f"box_range[{i}]", side) for i, side in enumerate(box_range))
    largest = MAX_CROP_SHARE * BOX_FRACTION * size
    if not MIN_BOX_SIDE <= low <= high <= largest:
        raise ValueError(
            f"box_range must be (low, high) with {MIN_BOX_SIDE} <= low <= high <= {largest:.1f} "
            f"for size {size}, got {box_range!r}"
        )
    seed = check_seed("seed", seed)
    if identities is None:
        identities = sample_identities(n * k, seed)
    if (
        not isinstance(identities, np.ndarray)
        or identities.ndim != 2
        or identities.shape[1] != NUM_PARAMS
        or len(identities) == 0
    ):
        raise ValueError(f"identities must be a numpy array of shape (C, {NUM_PARAMS}) with C >= 1")
    rng = np.random.default_rng([seed, 13])
    labels = rng.integers(0, len(identities), (n, k))
    valid = np.arange(k)[None, :] < rng.integers(1, k + 1, n)[:, None]
    crop = (np.round(rng.uniform(low, high, (n, k)) / BOX_FRACTION / 4) * 4).astype(int)
    crop = np.clip(crop, 8, size)
    nuisance = sample_nuisance(
        n * k,
        (seed * 7919 + 5) % 2**32,
        strength=strength,
        occlusion_prob=occlusion_prob,
        photometric=photometric,
    )
    nuisance = {key: v.reshape(n, k) for key, v in nuisance.items()}
    images = clutter(
        n, size, seed, noise=0.0
    )  # noise-free: one noise layer over clutter and faces at the end
    boxes = np.zeros((n, k, 4), np.float32)
    landmarks = np.zeros((n, k, 5, 2), np.float32)
    for slot in range(k):
        for side in np.unique(crop[:, slot]):
            rows = np.flatnonzero(valid[:, slot] & (crop[:, slot] == side))
            if len(rows) == 0:
                continue
            faces = render_faces(
                identities[labels[rows, slot]],
                {key: v[rows, slot] for key, v in nuisance.items()},
                int(side),
                seed=(seed + 1000 * slot + int(side)) % 2**32,
            )
            local = face_boxes(faces.landmarks)  # (R, 4) in crop pixels
            top, left = np.zeros(len(rows), int), np.zeros(len(rows), int)
            placed = np.zeros(len(rows), bool)
            for _ in range(max_tries):  # vectorised over scenes
                todo = np.flatnonzero(~placed)
                if len(todo) == 0:
                    break
                t, l = rng.integers(0, size - side + 1, (2, len(todo)))
                cand = local[todo] + np.stack([l, t, l, t], 1)
                inside = (cand[:, :2] >= 0).all(1) & (cand[:, 2:] <= size).all(1)
                earlier = boxes[rows[todo], :slot]  # (T, slot, 4)
                overlap = (
                    (
                        np.minimum(cand[:, None, 2:], earlier[..., 2:]) + 2
                        > np.maximum(cand[:, None, :2], earlier[..., :2])
                    ).all(-1)
                    & valid[rows[todo], :slot]
                ).any(1)
                ok = inside & ~overlap
                top[todo[ok]], left[todo[ok]], placed[todo[ok]] = t[ok], l[ok], True
            valid[rows[~placed], slot] = False
            rows, faces = (
                rows[placed],
                RenderedFaces(
                    faces.images[placed], faces.landmarks[placed], faces.alpha[placed], faces.head[placed]
                ),
            )
            if len(rows) == 0:
                continue
            images[rows], landmarks[rows, slot] = paste_faces(images[rows], faces, top[placed], left[placed])
            boxes[rows, slot] = local[placed] + np.stack([left[placed], top[placed]] * 2, 1)
    noise_rng = np.random.default_rng([seed, 14])
    images += noise_rng.standard_normal(images.shape, dtype=np.float32) * SCENE_NOISE
    np.clip(images, 0, 1, out=images)
    labels = np.where(valid, labels, -1).astype(np.int64)
    boxes[~valid], landmarks[~valid] = 0, 0
    return Scenes(images, boxes, landmarks, labels, valid, identities)
