"""Sobel edge magnitude of a grey image: the two 3x3 derivative stencils written out neighbour by neighbour."""
import numpy as np


def sobel_magnitude(img):
    h, w = img.shape
    out = np.zeros((h, w))
    up, down = img[:-2, :], img[2:, :]
    mid = img[1:-1, :]
    gx = (up[:, 2:] + 2.0 * mid[:, 2:] + down[:, 2:]
          - up[:, :-2] - 2.0 * mid[:, :-2] - down[:, :-2])
    gy = (down[:, :-2] + 2.0 * down[:, 1:-1] + down[:, 2:]
          - up[:, :-2] - 2.0 * up[:, 1:-1] - up[:, 2:])
    out[1:h - 1, 1:w - 1] = np.sqrt(gx * gx + gy * gy)
    return out


def test_image(h, w, seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    disc = ((yy - h / 2) ** 2 + (xx - w / 2) ** 2 < (min(h, w) / 3) ** 2).astype(float)
    return disc + 0.5 * (xx > w // 4) + 0.1 * rng.random((h, w))


if __name__ == "__main__":
    img = test_image(660, 740, seed=3)
    mag = sobel_magnitude(img)
    edges = int((mag > 1.0).sum())
    print(f"sum={mag.sum():.10e} max={mag.max():.10e} m={mag[330, 187]:.10e} edges={edges}")
