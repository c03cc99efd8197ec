"""Procedural faces: identities as parameter vectors, rendered under nuisance, with five exact landmarks.

No face data set may be downloaded, so faces are drawn in code. An **identity** is a fixed vector of
``NUM_PARAMS`` numbers in [0, 1) (face shape, eye spacing and size, brows, nose, mouth, skin, hair, ...);
``sample_identities`` draws any number of them from a seed. An **image** shows one identity under
**nuisance** (in-plane rotation, scale, shift, an illumination gradient, expression, blink, noise, an
occasional occluder, and — opt-in, with ``photometric`` — the camera's exposure, contrast and gamma),
drawn by ``sample_nuisance``. The photometric nuisance matters: without it the mean brightness of a crop
(skin and hair tone are identity parameters) verifies unseen identities at an equal error rate of about
0.22; with ``photometric=1`` such a one-number verifier is near chance (about 0.43), so a model has to read
the face's shape. Its default, 0, keeps the images of earlier versions. ``render_faces`` maps (identity,
nuisance) pairs to greyscale crops, the head's alpha mask, the head alone (for pasting) and the five
landmarks (eye centres, nose tip, mouth corners) — vectorised NumPy, several thousand 32×32 images per
second on one core.

Rendering is separate from placement: ``render_faces`` returns a crop plus its alpha, so a later notebook
can paste faces into scenes (``paste_faces``) and still knows every landmark. ``make_face_dataset`` splits
identities into a training set and a disjoint never-seen set for verification.

Conventions: images ``(N, H, W)`` float32 in [0, 1]; landmarks ``(N, 5, 2)`` float32 as (x, y) in pixel
units, where pixel (row i, column j) covers [j, j+1) × [i, i+1) so its centre is (j + 0.5, i + 0.5); landmark
order ``LANDMARKS``. What it leaves out: 3-D pose (out-of-plane rotation), colour, texture, age, glasses as
a learned attribute — it is a toy with the right *kind* of difficulty, not a face model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from helpers.validate import check_int, check_real, check_seed

PARAM_NAMES: tuple[str, ...] = (
    "face_width",
    "face_height",
    "jaw_taper",
    "eye_spacing",
    "eye_height",
    "eye_size",
    "eye_aspect",
    "eye_tone",
    "brow_gap",
    "brow_tilt",
    "brow_thickness",
    "nose_length",
    "nose_width",
    "mouth_height",
    "mouth_width",
    "lip_thickness",
    "skin_tone",
    "hair_tone",
    "hairline",
    "hair_part",
)
NUM_PARAMS: int = len(PARAM_NAMES)
LANDMARKS: tuple[str, ...] = ("left_eye", "right_eye", "nose_tip", "mouth_left", "mouth_right")
NUISANCE_NAMES: tuple[str, ...] = (
    "angle",
    "scale",
    "shift_x",
    "shift_y",
    "light_angle",
    "light_strength",
    "background",
    "smile",
    "eye_open",
    "noise",
    "occluder",
    "occ_x",
    "occ_y",
    "occ_w",
    "occ_h",
    "occ_tone",
    "exposure",
    "contrast",
    "gamma",
)
_CHUNK = 256  # images rendered together: large enough to amortise NumPy overhead, small enough for the cache


def sample_identities(num_identities: int, seed: int = 0) -> np.ndarray:
    """Draw identities: ``(num_identities, NUM_PARAMS)`` float32, each entry uniform in [0, 1).

    Identity ``k`` of seed ``s`` is the same whatever ``num_identities`` is (rows are drawn one after another
    from one stream), so a longer list extends a shorter one.
    """
    num_identities = check_int("num_identities", num_identities, 1)
    rng = np.random.default_rng([check_seed("seed", seed), 1])
    return rng.random((num_identities, NUM_PARAMS), dtype=np.float32)


def sample_nuisance(
    num_images: int,
    seed: int = 0,
    *,
    strength: float = 1.0,
    occlusion_prob: float = 0.15,
    photometric: float = 0.0,
) -> dict[str, np.ndarray]:
    """Draw per-image nuisance: a dict ``NUISANCE_NAMES`` → ``(num_images,)`` float32 arrays.

    Args:
        num_images: how many images.
        seed: the random stream (independent of ``sample_identities``' stream for the same seed).
        strength: scales the pose, lighting, expression, blink and noise ranges, from 0 (upright, centred,
            evenly lit, neutral, noise-free) to 2.
        occlusion_prob: probability that an image carries a random occluding rectangle, in [0, 1]
            (independent of ``strength``; pass 0 for no occluders).
        photometric: scales the camera's ranges (independent of ``strength``), from 0 (the default: exposure
            0, contrast and gamma 1, the images of earlier versions) through 1 (exposure ±0.2, contrast and
            gamma factors 0.67 to 1.49) to 2.
    """
    n = check_int("num_images", num_images, 1)
    rng = np.random.default_rng([check_seed("seed", seed), 2])
    k = check_real("strength", strength, 0, 2)
    occlusion_prob = check_real("occlusion_prob", occlusion_prob, 0, 1)
    camera = check_real("photometric", photometric, 0, 2)
    u = lambda low, high: rng.uniform(low, high, n).astype(np.float32)
    draws = {
        "angle": u(-18, 18) * k,  # degrees, in-plane rotation
        "scale": 1 + u(-0.12, 0.12) * k,  # relative face size
        "shift_x": u(-0.07, 0.07) * k,
        "shift_y": u(-0.07, 0.07) * k,  # fractions of the image side
        "light_angle": u(0, 2 * np.pi),  # direction of the illumination gradient
        "light_strength": u(0, 0.45) * k,  # relative brightness change across the face
        "background": u(0.15, 0.85),  # background grey level
        "smile": u(-1, 1) * k,  # expression: mouth curvature and width
        "eye_open": np.clip(1 - u(0, 0.6) * k, 0.15, 1),  # 1 = open, small = blinking
        "noise": u(0.0, 0.06) * k,  # std of additive pixel noise
        "occluder": (rng.random(n) < occlusion_prob).astype(np.float32),
        "occ_x": u(0.05, 0.95),
        "occ_y": u(0.05, 0.95),  # occluder centre, fractions of the side
        "occ_w": u(0.15, 0.5),
        "occ_h": u(0.1, 0.35),  # occluder size, fractions of the side
        "occ_tone": u(0.0, 1.0),
    }
    # the camera, drawn after the rest so the draws above stay those of earlier versions:
    # out = 0.5 + exposure + contrast · (in^gamma − 0.5) on the whole crop
    draws["exposure"] = u(-0.2, 0.2) * camera  # grey-level offset
    draws["contrast"] = np.exp(u(-0.4, 0.4) * camera)  # gain about mid-grey, 0.67 to 1.49 at photometric 1
    draws["gamma"] = np.exp(u(-0.4, 0.4) * camera)  # tone-curve exponent, 0.67 to 1.49 at photometric 1
    return draws


@dataclass
class RenderedFaces:
    """What :func:`render_faces` returns.

    Attributes:
        images: ``(N, H, W)`` float32 in [0, 1], the face on its background.
        landmarks: ``(N, 5, 2)`` float32 (x, y) pixel coordinates in ``LANDMARKS`` order.
        alpha: ``(N, H, W)`` float32 in [0, 1], how much of each pixel the head (face and hair) covers.
        head: ``(N, H, W)`` float32, the head's own grey values (lighting and the camera applied, no
            background, occluder or noise; meaningful where ``alpha > 0``): what :func:`paste_faces` blends
            into a scene with ``alpha``, so no rim of the crop's background comes along.
        parts: only with ``parts=True``: part name → ``(N, H, W)`` coverage of the left/right eye, nose and
            mouth.
    """

    images: np.ndarray
    landmarks: np.ndarray
    alpha: np.ndarray
    head: np.ndarray | None = None
    parts: dict[str, np.ndarray] = field(default_factory=dict)


def _soft(signed: np.ndarray) -> np.ndarray:
    """Coverage of a pixel whose centre lies ``signed`` pixels inside an edge (anti-aliased step)."""
    return np.clip(signed + 0.5, 0.0, 1.0)


def _camera(img: np.ndarray, col) -> np.ndarray:
    """The photometric nuisance: grey levels ``(B, H, W)`` → ``0.5 + exposure + contrast·(img^gamma − 0.5)``
    (clipped to [0, 1] later, with the noise)."""
    exposure, contrast, gamma = col("exposure"), col("contrast"), col("gamma")
    if np.all(exposure == 0) and np.all(contrast == 1) and np.all(gamma == 1):
        return img  # a neutral camera leaves the images exactly as they were
    return 0.5 + exposure + contrast * (np.clip(img, 0, 1) ** gamma - 0.5)


def _geometry(p: np.ndarray) -> dict[str, np.ndarray]:
    """Identity parameters ``(B, P)`` in [0, 1) → shapes in face units (head half-height ≈ 1), each
    ``(B, 1, 1)``."""
    g = {name: p[:, i, None, None] for i, name in enumerate(PARAM_NAMES)}
    lerp = lambda name, low, high: low + (high - low) * g[name]
    return {
        "face_a": lerp("face_width", 0.62, 0.86),
        "face_b": lerp("face_height", 0.88, 1.02),
        "jaw": lerp("jaw_taper", 0.0, 0.45),
        "eye_dx": lerp("eye_spacing", 0.27, 0.42),
        "eye_y": lerp("eye_height", -0.28, -0.08),
        "eye_r": lerp("eye_size", 0.08, 0.15),
        "eye_aspect": lerp("eye_aspect", 0.45, 0.9),
        "eye_tone": lerp("eye_tone", 0.0, 0.3),
        "brow_gap": lerp("brow_gap", 0.1, 0.22),
        "brow_tilt": lerp("brow_tilt", -0.35, 0.35),
        "brow_t": lerp("brow_thickness", 0.025, 0.07),
        "nose_len": lerp("nose_length", 0.2, 0.38),
        "nose_w": lerp("nose_width", 0.07, 0.16),
        "mouth_y": lerp("mouth_height", 0.4, 0.62),
        "mouth_w": lerp("mouth_width", 0.2, 0.36),
        "lip_t": lerp("lip_thickness", 0.025, 0.065),
        "skin": lerp("skin_tone", 0.35, 0.95),
        "hair": lerp("hair_tone", 0.0, 0.75),
        "hairline": lerp("hairline", -0.85, -0.5),
        "part": lerp("hair_part", -0.5, 0.5),
    }


def _render_chunk(p: np.ndarray, nz: dict[str, np.ndarray], size: int, want_parts: bool):
    g = _geometry(p)
    col = lambda name: nz[name][:, None, None]
    theta = np.deg2rad(col("angle"))
    cos, sin = np.cos(theta), np.sin(theta)
    unit = 0.36 * size * col("scale")  # pixels per face unit
    cx, cy = size / 2 + col("shift_x") * size, size / 2 + col("shift_y") * size
    pix = np.arange(size, dtype=np.float32) + 0.5
    dx, dy = pix[None, None, :] - cx, pix[None, :, None] - cy  # (B, 1, W), (B, H, 1)
    u = (cos * dx + sin * dy) / unit  # face frame: u right, v down
    v = (-sin * dx + cos * dy) / unit  # (B, H, W)

    # head: face ellipse narrowing towards the chin, hair cap behind it and a fringe above the hairline
    half_width = g["face_a"] * (1 - g["jaw"] * np.clip(v, 0, None) ** 2)
    face_r = np.sqrt((u / half_width) ** 2 + (v / g["face_b"]) ** 2)
    face = _soft((1 - face_r) * g["face_a"] * unit)
    hair_r = np.sqrt((u / (g["face_a"] * 1.12)) ** 2 + ((v + 0.12) / (g["face_b"] * 0.98)) ** 2)
    hair_cap = _soft((1 - hair_r) * g["face_a"] * unit) * _soft((0.1 - v) * unit)
    fringe = _soft((g["hairline"] + 0.18 * (u - g["part"]) ** 2 - v) * unit)
    alpha = face + (1 - face) * hair_cap  # face over hair
    img = (g["skin"] * face + g["hair"] * (1 - face) * hair_cap) / np.maximum(alpha, 1e-6)
    img = img + (g["hair"] - img) * face * fringe

    parts = {}
    # eyes: dark ellipses, closed by the blink factor; brows above them, tilted per identity
    eye_half_height = g["eye_r"] * g["eye_aspect"] * col("eye_open")
    for name, side in (("left_eye", -1.0), ("right_eye", 1.0)):
        ex = side * g["eye_dx"]
        eye = _soft(
            (1 - np.sqrt(((u - ex) / g["eye_r"]) ** 2 + ((v - g["eye_y"]) / eye_half_height) ** 2))
            * eye_half_height
            * unit
        )
        img = img + (g["eye_tone"] - img) * eye
        brow_v = g["eye_y"] - g["brow_gap"] - g["brow_tilt"] * side * (u - ex)
        brow = _soft((g["brow_t"] - np.abs(v - brow_v)) * unit) * _soft(
            (1.3 * g["eye_r"] - np.abs(u - ex)) * unit
        )
        img = img + (g["hair"] * 0.8 - img) * brow
        parts[name] = eye
    # nose: a shaded triangle whose apex is the nose tip, below the eyes
    nose_tip_v = g["eye_y"] + g["nose_len"]
    depth = (v - (nose_tip_v - g["nose_len"] * 0.8)) / (g["nose_len"] * 0.8)  # 0 at the bridge, 1 at the tip
    nose = _soft((g["nose_w"] * np.clip(depth, 0, 1) - np.abs(u)) * unit) * _soft((nose_tip_v - v) * unit)
    nose = nose * _soft(depth * unit * 0.3)
    img = img * (1 - 0.35 * nose)
    parts["nose"] = nose
    # mouth: a curved band from corner to corner; smiling widens it and lifts the corners relative to its
    # centre
    mouth_half = g["mouth_w"] * (1 + 0.15 * col("smile"))
    mouth_v = g["mouth_y"] + 0.08 * col("smile") * (1 - (u / mouth_half) ** 2)
    mouth = _soft((g["lip_t"] - np.abs(v - mouth_v)) * unit) * _soft((mouth_half - np.abs(u)) * unit)
    img = img + (0.15 * g["skin"] - img) * mouth
    parts["mouth"] = mouth

    # illumination gradient across the face, then the background behind the head
    light = (
        1 + col("light_strength") * (np.cos(col("light_angle")) * u + np.sin(col("light_angle")) * v) * 0.5
    )
    head = img * light
    img = head * alpha + col("background") * (1 - alpha)
    # an occasional occluder (a hand, a scarf, a microphone) in image coordinates
    half_w, half_h = col("occ_w") * size / 2, col("occ_h") * size / 2
    occ = (
        _soft(half_w - np.abs(pix[None, None, :] - col("occ_x") * size))
        * _soft(half_h - np.abs(pix[None, :, None] - col("occ_y") * size))
        * col("occluder")
    )
    img = _camera(img + (col("occ_tone") - img) * occ, col)
    head = np.clip(_camera(head, col), 0, 1)  # the head alone carries no noise: clipped here

    # landmarks in face units -> pixels through the same similarity transform (inverse of the one above)
    q_u = np.stack([-g["eye_dx"], g["eye_dx"], 0 * g["eye_dx"], -mouth_half, mouth_half], 1)[..., 0, 0]
    q_v = np.stack(
        [g["eye_y"], g["eye_y"], nose_tip_v, g["mouth_y"] + 0 * mouth_half, g["mouth_y"] + 0 * mouth_half], 1
    )[..., 0, 0]  # (B, 5)
    c, s, k = cos[:, :, 0], sin[:, :, 0], unit[:, :, 0]
    landmarks = np.stack([cx[:, :, 0] + k * (c * q_u - s * q_v), cy[:, :, 0] + k * (s * q_u + c * q_v)], -1)
    return img, landmarks.astype(np.float32), alpha, head, (parts if want_parts else {})


def render_faces(
    identities: np.ndarray,
    nuisance: dict[str, np.ndarray],
    size: int = 32,
    *,
    seed: int = 0,
    parts: bool = False,
) -> RenderedFaces:
    """Draw one greyscale face per row of ``identities`` under the matching entries of ``nuisance``.

    Args:
        identities: ``(N, NUM_PARAMS)`` parameters in [0, 1] (rows of :func:`sample_identities`, repeated
            as needed: ``identities[labels]``).
        nuisance: ``NUISANCE_NAMES`` → ``(N,)`` arrays, as from :func:`sample_nuisance`.
        size: image side in pixels (8 to 512).
        seed: the stream of the additive pixel noise.
        parts: also return each part's coverage (for tests and figures).
    Returns:
        :class:`RenderedFaces` with ``images (N, size, size)``, ``landmarks (N, 5, 2)``,
        ``alpha (N, size, size)`` and ``head (N, size, size)``.
    """
    if not isinstance(identities, np.ndarray):
        raise TypeError(
            f"identities must be a numpy array of shape (N, {NUM_PARAMS}), got {type(identities).__name__}"
        )
    if identities.ndim != 2 or identities.shape[1] != NUM_PARAMS or len(identities) == 0:
        raise ValueError(f"identities must have shape (N, {NUM_PARAMS}) with N >= 1, got {identities.shape}")
    if not np.all(np.isfinite(identities)) or identities.min() < 0 or identities.max() > 1:
        raise ValueError("identities must hold finite values in [0, 1]")
    if not isinstance(nuisance, dict):
        raise TypeError(f"nuisance must be a dict with keys {NUISANCE_NAMES}, got {type(nuisance).__name__}")
    missing = [k for k in NUISANCE_NAMES if k not in nuisance]
    if missing:
        raise ValueError(f"nuisance lacks keys {missing}; it needs all of {NUISANCE_NAMES}")
    n = len(identities)
    for key in NUISANCE_NAMES:
        if np.shape(nuisance[key]) != (n,):
            raise ValueError(
                f"nuisance[{key!r}] must have shape ({n},) like identities, got {np.shape(nuisance[key])}"
            )
    size = check_int("size", size, 8, 512)
    rng = np.random.default_rng([check_seed("seed", seed), 3])
    p = identities.astype(np.float32, copy=False)
    nz = {k: np.asarray(nuisance[k], dtype=np.float32) for k in NUISANCE_NAMES}
    images = np.empty((n, size, size), np.float32)
    alpha = np.empty((n, size, size), np.float32)
    head = np.empty((n, size, size), np.float32)
    landmarks = np.empty((n, 5, 2), np.float32)
    part_maps = (
        {name: np.empty((n, size, size), np.float32) for name in ("left_eye", "right_eye", "nose", "mouth")}
        if parts
        else {}
    )
    chunk = max(1, _CHUNK * 1024 // (size * size))
    for start in range(0, n, chunk):
        sl = slice(start, min(n, start + chunk))
        img, lm, al, hd, pm = _render_chunk(p[sl], {k: v[sl] for k, v in nz.items()}, size, parts)
        noise = rng.standard_normal(img.shape, dtype=np.float32) * nz["noise"][sl, None, None]
        np.clip(img + noise, 0.0, 1.0, out=images[sl])
        landmarks[sl], alpha[sl], head[sl] = lm, al, hd
        for name, m in pm.items():
            part_maps[name][sl] = m
    return RenderedFaces(images, landmarks, alpha, head, part_maps)


def paste_faces(
    scenes: np.ndarray, faces: RenderedFaces, top: np.ndarray, left: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Paste rendered heads into scenes with their alpha; return the new scenes and the moved landmarks.

    Each pixel becomes ``scene·(1 − alpha) + head·alpha``: only the head (``faces.head``) is blended, not the
    crop with its own background, so no rim of that background is left around the face. The head carries no
    pixel noise: add the scene's noise after pasting so faces and clutter share one noise level.

    Args:
        scenes: ``(N, H, W)`` float32 backgrounds (not modified).
        faces: N rendered faces of side ``S <= min(H, W)``.
        top, left: ``(N,)`` integer pixel offsets of each face crop's corner, with the crop fully inside.
    Returns:
        ``(N, H, W)`` scenes and ``(N, 5, 2)`` landmarks in scene pixels.
    """
    if not isinstance(scenes, np.ndarray) or scenes.ndim != 3:
        raise ValueError(
            f"scenes must be a numpy array of shape (N, H, W), got {getattr(scenes, 'shape', type(scenes))}"
        )
    if not isinstance(faces, RenderedFaces):
        raise TypeError(f"faces must be a RenderedFaces, got {type(faces).__name__}")
    if faces.head is None or faces.head.shape != faces.alpha.shape:
        raise ValueError("faces.head must hold the heads, shaped like faces.alpha (as render_faces returns)")
    n, h, w = scenes.shape
    s = faces.images.shape[-1]
    if len(faces.images) != n:
        raise ValueError(f"faces holds {len(faces.images)} images for {n} scenes")
    top, left = np.asarray(top), np.asarray(left)
    if (
        top.shape != (n,)
        or left.shape != (n,)
        or not np.issubdtype(top.dtype, np.integer)
        or not np.issubdtype(left.dtype, np.integer)
    ):
        raise ValueError(f"top and left must be integer arrays of shape ({n},)")
    if top.min() < 0 or left.min() < 0 or top.max() + s > h or left.max() + s > w:
        raise ValueError(f"top must lie in [0, {h - s}] and left in [0, {w - s}] so each {s}×{s} face fits")
    out = scenes.astype(np.float32, copy=True)
    rows = top[:, None, None] + np.arange(s)[None, :, None]
    cols = left[:, None, None] + np.arange(s)[None, None, :]
    idx = np.arange(n)[:, None, None]
    region = out[idx, rows, cols]
    out[idx, rows, cols] = region * (1 - faces.alpha) + faces.head * faces.alpha
    landmarks = faces.landmarks + np.stack([left, top], -1)[:, None, :].astype(np.float32)
    return out, landmarks


@dataclass
class FaceDataset:
    """Training identities and a disjoint set of never-seen identities, rendered under independent nuisance.

    Attributes:
        train_images ``(N_train, S, S)``, train_labels ``(N_train,)`` int64 in [0, num_train_identities),
        train_landmarks ``(N_train, 5, 2)``; unseen_images, unseen_labels (in [0, num_unseen_identities)),
        unseen_landmarks likewise; train_identities ``(C_train, NUM_PARAMS)``, unseen_identities
        ``(C_unseen, NUM_PARAMS)``; train_nuisance and unseen_nuisance: the per-image draws of
        :func:`sample_nuisance` they were rendered with (name -> ``(N,)`` array, e.g. ``"smile"``), for
        analyses by nuisance.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    train_landmarks: np.ndarray
    unseen_images: np.ndarray
    unseen_labels: np.ndarray
    unseen_landmarks: np.ndarray
    train_identities: np.ndarray
    unseen_identities: np.ndarray
    train_nuisance: dict = field(default_factory=dict)
    unseen_nuisance: dict = field(default_factory=dict)


def make_face_dataset(
    num_identities: int,
    images_per_identity: int,
    *,
    num_unseen_identities: int = 200,
    unseen_images_per_identity: int = 5,
    size: int = 32,
    seed: int = 0,
    strength: float = 1.0,
    occlusion_prob: float = 0.15,
    photometric: float = 0.0,
) -> FaceDataset:
    """Render a classification set over ``num_identities`` identities and a verification set over
    ``num_unseen_identities`` further identities that never appear in training.

    Images are ordered identity by identity (``labels = [0]*k + [1]*k + …``). The two splits take disjoint
    rows of one ``sample_identities`` stream and independent nuisance streams, all fixed by ``seed``.
    ``strength``, ``occlusion_prob`` and ``photometric`` go to :func:`sample_nuisance`.
    """
    num_identities = check_int("num_identities", num_identities, 1)
    k = check_int("images_per_identity", images_per_identity, 1)
    num_unseen = check_int("num_unseen_identities", num_unseen_identities, 1)
    k_unseen = check_int("unseen_images_per_identity", unseen_images_per_identity, 1)
    seed = check_seed("seed", seed)
    everyone = sample_identities(num_identities + num_unseen, seed)
    splits = []
    for offset, (ids, per) in enumerate(
        ((everyone[:num_identities], k), (everyone[num_identities:], k_unseen))
    ):
        labels = np.repeat(np.arange(len(ids)), per)
        sub_seed = (seed * 7919 + offset) % 2**32
        nuisance = sample_nuisance(
            len(labels), sub_seed, strength=strength, occlusion_prob=occlusion_prob, photometric=photometric
        )
        faces = render_faces(ids[labels], nuisance, size, seed=sub_seed)
        splits.append((faces.images, labels.astype(np.int64), faces.landmarks, nuisance))
    (ti, tl, tm, tn), (ui, ul, um, un) = splits
    return FaceDataset(ti, tl, tm, ui, ul, um, everyone[:num_identities], everyone[num_identities:], tn, un)


def all_pairs(labels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every unordered pair of images once: ``(i, j, same)`` with ``i < j``.

    ``labels`` ``(N,)`` integer identities → ``(N·(N−1)/2,)`` int64 indices ``i``, ``j`` (row-major order of
    the upper triangle) and a bool array, True for genuine (same identity) pairs. Unlike
    :func:`verification_pairs` nothing is sampled, so no pair is counted twice. Needs at least two images.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be a 1-D integer array, got shape {labels.shape} and dtype {labels.dtype}"
        )
    if len(labels) < 2:
        raise ValueError(f"labels must hold at least two images, got {len(labels)}")
    i, j = np.triu_indices(len(labels), k=1)
    return i.astype(np.int64), j.astype(np.int64), labels[i] == labels[j]


def verification_pairs(
    labels: np.ndarray, num_pairs: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample ``num_pairs`` same-identity and ``num_pairs`` different-identity index pairs of ``labels (N,)``.

    Returns ``(i, j, same)``: ``(2·num_pairs,)`` int64 indices with ``i != j`` and a bool array, True for
    genuine (same identity) pairs. Needs at least one identity with two images and two identities.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be a 1-D integer array, got shape {labels.shape} and dtype {labels.dtype}"
        )
    num_pairs = check_int("num_pairs", num_pairs, 1)
    rng = np.random.default_rng([check_seed("seed", seed), 4])
    order = np.argsort(labels, kind="stable")
    uniq, first, counts = np.unique(labels[order], return_index=True, return_counts=True)
    if len(uniq) < 2 or counts.max() < 2:
        raise ValueError("labels must contain at least two identities and one identity with two images")
    # genuine: pick an identity with >= 2 images (weighted by its image count), then two distinct images of it
    multi = np.flatnonzero(counts >= 2)
    who = rng.choice(multi, num_pairs, p=counts[multi] / counts[multi].sum())
    a = rng.integers(0, counts[who])
    b = (a + rng.integers(1, counts[who])) % counts[who]
    gi, gj = order[first[who] + a], order[first[who] + b]
    # impostor: two random images, redrawn until their identities differ
    ii, ij = rng.integers(0, len(labels), num_pairs), rng.integers(0, len(labels), num_pairs)
    while np.any(bad := labels[ii] == labels[ij]):
        ij[bad] = rng.integers(0, len(labels), int(bad.sum()))
    same = np.r_[np.ones(num_pairs, bool), np.zeros(num_pairs, bool)]
    return np.r_[gi, ii].astype(np.int64), np.r_[gj, ij].astype(np.int64), same
