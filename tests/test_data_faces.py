"""Tests for helpers.data.faces: determinism, speed, landmarks matching the drawing, splits, pairs, errors."""

import os
import time

import numpy as np
import pytest

from helpers.data import faces
from helpers.data.faces import (
    LANDMARKS,
    NUISANCE_NAMES,
    NUM_PARAMS,
    FaceDataset,
    RenderedFaces,
    all_pairs,
    make_face_dataset,
    paste_faces,
    render_faces,
    sample_identities,
    sample_nuisance,
    verification_pairs,
)


def _render(n=16, size=32, seed=0, strength=1.0, occlusion_prob=0.15, parts=False):
    ids = sample_identities(n, seed)
    return render_faces(
        ids,
        sample_nuisance(n, seed, strength=strength, occlusion_prob=occlusion_prob),
        size,
        seed=seed,
        parts=parts,
    )


def test_shapes_and_ranges():
    out = _render(10, 24)
    assert isinstance(out, RenderedFaces)
    assert out.images.shape == (10, 24, 24) and out.images.dtype == np.float32
    assert out.alpha.shape == (10, 24, 24) and out.landmarks.shape == (10, len(LANDMARKS), 2)
    assert out.images.min() >= 0 and out.images.max() <= 1
    assert out.alpha.min() >= 0 and out.alpha.max() <= 1 + 1e-6
    assert np.all((out.landmarks > 0) & (out.landmarks < 24))
    assert sample_identities(5, 0).shape == (5, NUM_PARAMS)
    assert set(sample_nuisance(3, 0)) == set(NUISANCE_NAMES)


def test_deterministic_by_seed():
    a, b, c = _render(seed=3), _render(seed=3), _render(seed=4)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.landmarks, b.landmarks)
    assert not np.array_equal(a.images, c.images)
    assert np.array_equal(sample_identities(50, 1)[:10], sample_identities(10, 1)), (
        "a longer list extends a shorter one"
    )
    d1 = make_face_dataset(5, 2, num_unseen_identities=3, unseen_images_per_identity=2, seed=2)
    d2 = make_face_dataset(5, 2, num_unseen_identities=3, unseen_images_per_identity=2, seed=2)
    assert np.array_equal(d1.train_images, d2.train_images) and np.array_equal(
        d1.unseen_images, d2.unseen_images
    )


def test_chunking_does_not_change_images(monkeypatch):
    ids, nz = sample_identities(40, 0), sample_nuisance(40, 0)
    whole = render_faces(ids, nz, 32, seed=1)
    monkeypatch.setattr(faces, "_CHUNK", 8)
    chunked = render_faces(ids, nz, 32, seed=1)
    assert np.array_equal(whole.landmarks, chunked.landmarks)
    assert np.allclose(whole.alpha, chunked.alpha)


def test_speed_at_32px_on_one_core():
    """The design target is >= 2,000 images/s on one core; the test asserts a lower bar because the test
    machine may be shared, and prints the measured rate."""
    ids, nz = sample_identities(2000, 0), sample_nuisance(2000, 0)
    render_faces(ids[:64], {k: v[:64] for k, v in nz.items()}, 32)  # warm-up
    start = time.perf_counter()
    render_faces(ids, nz, 32)
    rate = 2000 / (time.perf_counter() - start)
    print(f"render_faces: {rate:.0f} images/s at 32×32 (load average {os.getloadavg()[0]:.1f})")
    assert rate >= 1000, f"only {rate:.0f} images/s"


def _centroid(mask):
    """(N, H, W) coverage -> (N, 2) (x, y) centroid in pixel units (pixel centres at +0.5)."""
    h, w = mask.shape[1:]
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    total = mask.sum((1, 2))
    return np.stack([(mask * xs).sum((1, 2)) / total, (mask * ys).sum((1, 2)) / total], -1)


def test_eye_landmarks_are_centres_of_the_drawn_eyes():
    out = _render(32, 96, seed=5, strength=1.5, occlusion_prob=0.0, parts=True)
    for k, name in enumerate(("left_eye", "right_eye")):
        err = np.abs(_centroid(out.parts[name]) - out.landmarks[:, k]).max()
        assert err < 0.3, (name, err)


def test_mouth_corners_and_nose_tip_match_the_drawing():
    ids = sample_identities(24, 6)
    nz = sample_nuisance(24, 6, strength=1.5, occlusion_prob=0.0)
    out = render_faces(ids, nz, 96, parts=True)
    theta = np.deg2rad(nz["angle"])
    axis_u = np.stack([np.cos(theta), np.sin(theta)], -1)  # the face's left-right axis in the image
    axis_v = np.stack([-np.sin(theta), np.cos(theta)], -1)  # the face's up-down axis (down positive)
    ys, xs = np.mgrid[0:96, 0:96] + 0.5
    pix = np.stack([xs, ys], -1)  # (H, W, 2)
    for i in range(24):
        mouth = out.parts["mouth"][i] > 0.5
        along = (pix[mouth] - out.landmarks[i, 2]) @ axis_u[i]
        extent = along.min(), along.max()
        corners = (out.landmarks[i, 3:] - out.landmarks[i, 2]) @ axis_u[i]
        assert np.allclose(extent, corners, atol=1.0), (i, extent, corners)
        nose = out.parts["nose"][i] > 0.5
        lowest = ((pix[nose] - out.landmarks[i, 2]) @ axis_v[i]).max()
        assert -1.0 < lowest <= 0.5, (i, lowest)  # the nose ends at the tip landmark


def test_landmarks_sit_on_dark_features():
    out = _render(64, 64, seed=7, strength=0.0, occlusion_prob=0.0)
    idx = np.clip(out.landmarks.astype(int), 0, 63)
    n = np.arange(64)[:, None]
    at_eyes = out.images[n, idx[:, :2, 1], idx[:, :2, 0]].mean(1)
    cheek = out.landmarks[:, 2] + np.array([0.0, -4.0])  # a skin pixel between eyes and nose tip
    cheek = out.images[np.arange(64), cheek[:, 1].astype(int), cheek[:, 0].astype(int)]
    assert np.mean(at_eyes < cheek) > 0.9


def test_strength_zero_is_upright_and_centred():
    out = _render(8, 32, strength=0.0, occlusion_prob=0.0)
    eyes = out.landmarks[:, :2]
    assert np.allclose(eyes[:, 0, 1], eyes[:, 1, 1], atol=1e-4), "eyes level"
    assert np.allclose(eyes[:, :, 0].mean(1), 16.0, atol=1e-4), "centred"


def test_dataset_splits_are_disjoint():
    ds = make_face_dataset(6, 3, num_unseen_identities=4, unseen_images_per_identity=2, size=16, seed=1)
    assert isinstance(ds, FaceDataset)
    assert ds.train_images.shape == (18, 16, 16) and ds.unseen_images.shape == (8, 16, 16)
    assert np.array_equal(ds.train_labels, np.repeat(np.arange(6), 3))
    assert np.array_equal(ds.unseen_labels, np.repeat(np.arange(4), 2))
    assert np.array_equal(np.r_[ds.train_identities, ds.unseen_identities], sample_identities(10, 1))
    assert not any(np.allclose(u, t) for u in ds.unseen_identities for t in ds.train_identities)


def test_verification_pairs():
    labels = np.repeat(np.arange(20), 4)
    i, j, same = verification_pairs(labels, 500, seed=0)
    assert i.shape == j.shape == same.shape == (1000,) and same.sum() == 500
    assert np.all(i != j)
    assert np.array_equal(labels[i] == labels[j], same)
    assert np.array_equal(verification_pairs(labels, 500, seed=0)[0], i)


def test_paste_faces():
    out = _render(3, 16)
    scenes = np.zeros((3, 40, 50), np.float32)
    new, lm = paste_faces(scenes, out, np.array([0, 10, 24]), np.array([0, 20, 34]))
    assert scenes.max() == 0, "input scenes are not modified"
    assert np.allclose(new[1, 10:26, 20:36], out.head[1] * out.alpha[1])
    assert np.allclose(lm[1], out.landmarks[1] + np.array([20, 10]))
    with pytest.raises(ValueError, match="top must lie"):
        paste_faces(scenes, out, np.array([0, 0, 30]), np.array([0, 0, 0]))
    with pytest.raises(TypeError, match="RenderedFaces"):
        paste_faces(scenes, out.images, np.array([0, 0, 0]), np.array([0, 0, 0]))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: sample_identities(0), ValueError, "^num_identities must be an int >= 1, got 0$"),
        (lambda: sample_identities(2.5), TypeError, "^num_identities must be an int >= 1, got float$"),
        (
            lambda: sample_identities(3, seed=-1),
            ValueError,
            r"^seed must be an int in \[0, 4294967295\], got -1$",
        ),
        (lambda: sample_identities(3, seed=2**32), ValueError, r"^seed must be an int in \[0, 4294967295\]"),
        (
            lambda: sample_nuisance(3, strength=3.0),
            ValueError,
            r"^strength must be a finite number in \[0, 2\], got 3.0$",
        ),
        (
            lambda: sample_nuisance(3, strength=-0.1),
            ValueError,
            r"^strength must be a finite number in \[0, 2\]",
        ),
        (
            lambda: sample_nuisance(3, occlusion_prob="x"),
            TypeError,
            r"^occlusion_prob must be a finite number in \[0, 1\], got str$",
        ),
        (lambda: sample_nuisance(3, occlusion_prob=float("nan")), ValueError, "^occlusion_prob must be"),
        (lambda: render_faces([[0.5] * NUM_PARAMS], sample_nuisance(1)), TypeError, "identities"),
        (lambda: render_faces(np.full((2, 3), 0.5), sample_nuisance(2)), ValueError, "identities"),
        (lambda: render_faces(np.full((1, NUM_PARAMS), 2.0), sample_nuisance(1)), ValueError, r"\[0, 1\]"),
        (lambda: render_faces(sample_identities(2), sample_nuisance(3)), ValueError, "nuisance"),
        (lambda: render_faces(sample_identities(2), {"angle": np.zeros(2)}), ValueError, "lacks keys"),
        (
            lambda: render_faces(sample_identities(2), sample_nuisance(2), size=4),
            ValueError,
            r"^size must be an int in \[8, 512\], got 4$",
        ),
        (
            lambda: render_faces(sample_identities(2), sample_nuisance(2), size=513),
            ValueError,
            r"^size must be an int in \[8, 512\]",
        ),
        (lambda: make_face_dataset(3, 0), ValueError, "^images_per_identity must be an int >= 1, got 0$"),
        (
            lambda: verification_pairs(np.repeat(np.arange(3), 2), 0),
            ValueError,
            "^num_pairs must be an int >= 1, got 0$",
        ),
        (lambda: verification_pairs(np.arange(5), 3), ValueError, "two images"),
        (lambda: verification_pairs(np.zeros(5), 3), ValueError, "integer"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_all_pairs_counts_every_pair_once():
    labels = np.array([0, 0, 1, 1, 1, 2])
    i, j, same = all_pairs(labels)
    assert len(i) == 15 and np.all(i < j)
    assert len({(a, b) for a, b in zip(i, j)}) == 15
    assert same.sum() == 1 + 3  # C(2,2) + C(3,2)
    assert np.array_equal(same, labels[i] == labels[j])


@pytest.mark.parametrize(
    "labels, match",
    [(np.zeros(1, int), "at least two"), (np.zeros(4), "integer"), (np.zeros((2, 2), int), "1-D")],
)
def test_all_pairs_rejects_bad_labels(labels, match):
    with pytest.raises(ValueError, match=match):
        all_pairs(labels)


def test_face_dataset_keeps_the_nuisance_it_was_rendered_with():
    from helpers.data.faces import make_face_dataset, sample_nuisance

    data = make_face_dataset(3, 2, num_unseen_identities=2, unseen_images_per_identity=3, seed=5)
    assert set(data.unseen_nuisance) == set(sample_nuisance(1)), "every nuisance draw is kept"
    assert all(len(v) == len(data.unseen_labels) for v in data.unseen_nuisance.values())
    assert all(len(v) == len(data.train_labels) for v in data.train_nuisance.values())
    again = make_face_dataset(3, 2, num_unseen_identities=2, unseen_images_per_identity=3, seed=5)
    assert (again.unseen_nuisance["smile"] == data.unseen_nuisance["smile"]).all(), "fixed by the seed"
