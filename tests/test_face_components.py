"""helpers.components.faces.FaceCNN: shapes, parameter count, errors."""
import pytest
import torch

from helpers.components.faces import FaceCNN


@pytest.mark.parametrize("dim,width", [(2, 8), (64, 16)])
def test_face_cnn_maps_faces_to_features(dim, width):
    model = FaceCNN(feature_dim=dim, width=width).eval()
    assert model(torch.rand(3, 1, 32, 32)).shape == (3, dim)
    convs = 9 * (width + 2 * width * width + 8 * width * width) + 7 * width  # weights+biases, BN affine
    convs += 2 * (width + 2 * width + 4 * width)
    assert sum(p.numel() for p in model.parameters()) == convs + 4 * width * 16 * dim + dim


@pytest.mark.parametrize("kwargs", [{"feature_dim": 0}, {"width": -1}, {"feature_dim": 2.5}, {"width": True}])
def test_face_cnn_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError, match="must be an int >= 1"):
        FaceCNN(**kwargs)
