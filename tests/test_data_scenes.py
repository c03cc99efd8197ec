"""helpers.data.scenes: face boxes from landmarks, cluttered backgrounds, scenes with faces pasted in."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.data.faces import NUM_PARAMS, render_faces, sample_identities, sample_nuisance
from helpers.data.scenes import BOX_SIDE_PER_EYE_MOUTH, Scenes, clutter, face_boxes, make_scenes


@pytest.fixture(scope="module")
def scenes() -> Scenes:
    return make_scenes(12, size=96, max_faces=3, seed=3)


# --- face_boxes ---------------------------------------------------------------------------------------


def test_face_boxes_geometry():
    # eyes at y = 10, mouth at y = 20, all centred on x = 50: centre (50, 15), side 2.8 · 10
    lm = np.array([[[45, 10], [55, 10], [50, 15], [46, 20], [54, 20]]], dtype=np.float32)
    box = face_boxes(lm)[0]
    half = BOX_SIDE_PER_EYE_MOUTH * 10 / 2
    np.testing.assert_allclose(box, [50 - half, 15 - half, 50 + half, 15 + half], rtol=1e-6)
    np.testing.assert_allclose(face_boxes(lm, side_factor=2.0)[0], [40, 5, 60, 25], rtol=1e-6)


def test_face_boxes_keeps_leading_dimensions_and_is_square():
    lm = np.random.default_rng(0).uniform(0, 50, (4, 3, 5, 2)).astype(np.float32)
    boxes = face_boxes(lm)
    assert boxes.shape == (4, 3, 4) and boxes.dtype == np.float32
    np.testing.assert_allclose(boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1], rtol=1e-5)


def test_face_boxes_contain_the_landmarks_of_rendered_faces():
    ids = sample_identities(64, seed=1)
    faces = render_faces(ids, sample_nuisance(64, seed=1), 48, seed=1)
    boxes = face_boxes(faces.landmarks)
    inside = ((faces.landmarks >= boxes[:, None, :2]) & (faces.landmarks <= boxes[:, None, 2:])).all()
    assert inside


@pytest.mark.parametrize("bad", [np.zeros((5, 3)), np.zeros((2, 4, 2)), np.zeros(10)])
def test_face_boxes_rejects_bad_shapes(bad):
    with pytest.raises(ValueError, match="landmarks"):
        face_boxes(bad)


@pytest.mark.parametrize(
    "bad, exc",
    [(0, ValueError), (-1.0, ValueError), (float("inf"), ValueError), (True, TypeError), ("2", TypeError)],
)
def test_face_boxes_rejects_bad_side_factor(bad, exc):
    with pytest.raises(exc, match="^side_factor must be a finite number > 0, got "):
        face_boxes(np.zeros((1, 5, 2)), side_factor=bad)


# --- clutter -------------------------------------------------------------------------------------------


def test_clutter_shape_range_and_determinism():
    a, b = clutter(5, 40, seed=7), clutter(5, 40, seed=7)
    assert a.shape == (5, 40, 40) and a.dtype == np.float32
    assert a.min() >= 0 and a.max() <= 1
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, clutter(5, 40, seed=8))
    assert a.std(axis=(1, 2)).min() > 0.02  # actually cluttered, not flat


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        ({"num_images": 0}, ValueError, "num_images must be an int >= 1, got 0"),
        ({"num_images": 2.0}, TypeError, "num_images must be an int >= 1, got float"),
        ({"num_images": 2, "size": 4}, ValueError, "size must be an int >= 8, got 4"),
        ({"num_images": 2, "seed": -1}, ValueError, r"seed must be an int in \[0, 4294967295\], got -1"),
    ],
)
def test_clutter_rejects_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=f"^{word}$"):
        clutter(**kwargs)


# --- make_scenes -------------------------------------------------------------------------------------------


def test_scene_shapes_and_types(scenes):
    n, k = 12, 3
    assert len(scenes) == n
    assert scenes.images.shape == (n, 96, 96) and scenes.images.dtype == np.float32
    assert scenes.boxes.shape == (n, k, 4) and scenes.landmarks.shape == (n, k, 5, 2)
    assert scenes.labels.shape == (n, k) and scenes.labels.dtype == np.int64
    assert scenes.valid.shape == (n, k) and scenes.valid.dtype == bool
    assert scenes.identities.shape == (n * k, NUM_PARAMS)
    assert scenes.images.min() >= 0 and scenes.images.max() <= 1


def test_every_scene_has_a_face_and_unused_slots_are_empty(scenes):
    assert scenes.valid.any(1).all()
    assert (scenes.labels[~scenes.valid] == -1).all() and (scenes.labels[scenes.valid] >= 0).all()
    assert (scenes.boxes[~scenes.valid] == 0).all() and (scenes.landmarks[~scenes.valid] == 0).all()


def test_boxes_follow_the_landmarks_lie_inside_and_do_not_overlap(scenes):
    v = scenes.valid
    np.testing.assert_allclose(scenes.boxes[v], face_boxes(scenes.landmarks[v]), atol=1e-4)
    assert (scenes.boxes[v][:, :2] >= 0).all() and (scenes.boxes[v][:, 2:] <= 96).all()
    for boxes in (b[m] for b, m in zip(scenes.boxes, v)):
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                overlap = np.minimum(boxes[i, 2:], boxes[j, 2:]) - np.maximum(boxes[i, :2], boxes[j, :2])
                assert (overlap <= 0).any(), "two faces of one scene overlap"


def test_faces_are_drawn_where_the_boxes_are(scenes):
    # the face region differs from a fresh clutter background drawn with the same seed
    background = clutter(12, 96, seed=3)
    v = scenes.valid
    for s, slot in zip(*np.nonzero(v)):
        x1, y1, x2, y2 = scenes.boxes[s, slot].astype(int)
        changed = np.abs(scenes.images[s, y1:y2, x1:x2] - background[s, y1:y2, x1:x2]) > 0.02
        assert changed.mean() > 0.25


def test_box_sizes_follow_box_range():
    small = make_scenes(20, 96, box_range=(14, 18), seed=0)
    large = make_scenes(20, 96, box_range=(36, 40), seed=0)
    side = lambda s: (s.boxes[..., 2] - s.boxes[..., 0])[s.valid]
    assert side(small).mean() < side(large).mean() / 1.6


def test_given_identities_are_used_and_seed_fixes_everything():
    ids = sample_identities(4, seed=9)
    a = make_scenes(6, 64, max_faces=2, box_range=(16, 24), identities=ids, seed=5)
    b = make_scenes(6, 64, max_faces=2, box_range=(16, 24), identities=ids, seed=5)
    assert a.identities is ids or np.array_equal(a.identities, ids)
    assert a.labels.max() < 4
    for field in ("images", "boxes", "landmarks", "labels", "valid"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    c = make_scenes(6, 64, max_faces=2, box_range=(16, 24), identities=ids, seed=6)
    assert not np.array_equal(a.images, c.images)


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        ({"num_scenes": 0}, ValueError, "^num_scenes must be an int >= 1, got 0$"),
        ({"num_scenes": 2, "size": 16}, ValueError, r"^size must be an int in \[32, 512\], got 16$"),
        ({"num_scenes": 2, "size": 600}, ValueError, r"^size must be an int in \[32, 512\], got 600$"),
        ({"num_scenes": 2, "max_faces": 0}, ValueError, "^max_faces must be an int >= 1, got 0$"),
        (
            {"num_scenes": 2, "box_range": (30, 20)},
            ValueError,
            r"^box_range must be \(low, high\) with 8 <= low",
        ),
        ({"num_scenes": 2, "box_range": (4, 20)}, ValueError, "^box_range must be"),
        ({"num_scenes": 2, "box_range": (20, 90)}, ValueError, r"<= 52\.2 for size 96, got \(20, 90\)$"),
        ({"num_scenes": 2, "box_range": 20}, TypeError, r"^box_range must be a \(low, high\) pair"),
        ({"num_scenes": 2, "box_range": (20, 30, 40)}, TypeError, "^box_range must be a"),
        (
            {"num_scenes": 2, "box_range": (20, "30")},
            TypeError,
            r"^box_range\[1\] must be a finite number, got str$",
        ),
        ({"num_scenes": 2, "box_range": (float("nan"), 30)}, ValueError, r"^box_range\[0\] must be a finite"),
        ({"num_scenes": 2, "identities": np.zeros((3, 5))}, ValueError, "^identities must be"),
        ({"num_scenes": 2, "max_tries": 0}, ValueError, "^max_tries must be an int >= 1, got 0$"),
        ({"num_scenes": 2, "seed": 2**32}, ValueError, r"^seed must be an int in \[0, 4294967295\]"),
        ({"num_scenes": 2, "strength": 3.0}, ValueError, "^strength must be"),
    ],
)
def test_make_scenes_rejects_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        make_scenes(**kwargs)
