"""The face generator's nuisance and pasting (issue: identity must not be readable from one number; pasted
faces must carry the scene's noise and no rim of their own background)."""

import numpy as np
import pytest
from sklearn.metrics import roc_curve

from helpers.data.faces import (
    make_face_dataset,
    paste_faces,
    render_faces,
    sample_identities,
    sample_nuisance,
    verification_pairs,
)
from helpers.data.scenes import SCENE_NOISE, make_scenes


def _eer(scores, same):
    far, tar, _ = roc_curve(same, scores)
    k = np.argmin(np.abs(1 - tar - far))
    return (far[k] + 1 - tar[k]) / 2


def _brightness_eer(photometric, seed):
    """EER of the one-number verifier: −|difference of two crops' mean brightness over the central half|."""
    ds = make_face_dataset(2, 2, num_unseen_identities=300, seed=seed, photometric=photometric)
    brightness = ds.unseen_images[:, 8:24, 8:24].mean((1, 2))
    i, j, same = verification_pairs(ds.unseen_labels, 5_000, seed=seed)
    return _eer(-np.abs(brightness[i] - brightness[j]), same)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_brightness_verifier_is_near_chance_with_the_camera_nuisance(seed):
    assert _brightness_eer(1.0, seed) >= 0.40


def test_without_the_camera_nuisance_brightness_gives_identity_away():
    assert _brightness_eer(0.0, 0) < 0.3  # the leak that photometric=1 closes


def test_photometric_zero_is_neutral_and_keeps_other_draws():
    plain, camera = sample_nuisance(50, 3), sample_nuisance(50, 3, photometric=1.0)
    assert np.all(plain["exposure"] == 0) and np.all(plain["contrast"] == 1) and np.all(plain["gamma"] == 1)
    for key in plain:
        if key not in ("exposure", "contrast", "gamma"):
            assert np.array_equal(plain[key], camera[key]), key
    assert camera["contrast"].min() > 0.6 and camera["contrast"].max() < 1.5
    assert np.ptp(camera["exposure"]) > 0.3 and np.ptp(np.log(camera["gamma"])) > 0.6


def test_photometric_is_validated():
    with pytest.raises(ValueError, match="photometric"):
        sample_nuisance(3, photometric=2.5)


def test_paste_blends_the_head_only_no_halo():
    ids = sample_identities(4, 0)
    faces = render_faces(ids, sample_nuisance(4, 0, occlusion_prob=0.0), 24, seed=0)
    scenes = np.full((4, 30, 30), 0.9, np.float32)
    out, _ = paste_faces(scenes, faces, np.array([3, 3, 3, 3]), np.array([2, 2, 2, 2]))
    region = out[:, 3:27, 2:26]
    np.testing.assert_allclose(region, 0.9 * (1 - faces.alpha) + faces.head * faces.alpha, atol=1e-6)
    outside = faces.alpha == 0
    assert np.all(region[outside] == np.float32(0.9)), "pixels outside the head keep the scene's value"


def test_scene_noise_is_the_same_on_faces_and_on_clutter():
    scenes = make_scenes(40, seed=0, box_range=(30, 40))
    images = scenes.images.astype(np.float64)
    # noise estimate: the second difference along rows, robust to edges (median absolute deviation)
    second = images[:, :, 2:] - 2 * images[:, :, 1:-1] + images[:, :, :-2]
    inside = np.zeros(images.shape, bool)
    for n, k in zip(*np.nonzero(scenes.valid)):
        x1, y1, x2, y2 = scenes.boxes[n, k].astype(int)
        inside[n, y1 + 4 : y2 - 4, x1 + 4 : x2 - 4] = True
    inside = inside[:, :, 1:-1]
    mad = lambda v: 1.4826 * np.median(np.abs(v - np.median(v))) / np.sqrt(6)
    face_noise, clutter_noise = mad(second[inside]), mad(second[~inside])
    assert 0.6 * SCENE_NOISE < face_noise < 1.6 * SCENE_NOISE, face_noise
    assert 0.6 * SCENE_NOISE < clutter_noise < 1.6 * SCENE_NOISE, clutter_noise
