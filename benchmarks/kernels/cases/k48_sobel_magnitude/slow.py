"""Sobel edge magnitude of a grey image: the two 3x3 derivative stencils written out neighbour by neighbour."""
import math

import numpy as np


def sobel_magnitude(img):
    h, w = img.shape
    out = np.zeros((h, w))
    for i in range(1, h - 1):
        for j in range(1, w - 1):
            gx = (img[i - 1, j + 1] + 2.0 * img[i, j + 1] + img[i + 1, j + 1]
                  - img[i - 1, j - 1] - 2.0 * img[i, j - 1] - img[i + 1, j - 1])
            gy = (img[i + 1, j - 1] + 2.0 * img[i + 1, j] + img[i + 1, j + 1]
                  - img[i - 1, j - 1] - 2.0 * img[i - 1, j] - img[i - 1, j + 1])
            out[i, j] = math.sqrt(gx * gx + gy * gy)
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
