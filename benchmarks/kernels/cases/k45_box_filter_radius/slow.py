"""2-D Gaussian filter of radius r over an image, the kernel indexed by offset plus radius."""
import numpy as np


def gaussian_filter(img, kern, r):
    h, w = img.shape
    out = img.copy()
    for i in range(r, h - r):
        for j in range(r, w - r):
            acc = 0.0
            for di in range(-r, r + 1):
                for dj in range(-r, r + 1):
                    acc += img[i + di, j + dj] * kern[di + r, dj + r]
            out[i, j] = acc
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    img = rng.random((260, 280))
    r = 2
    x = np.arange(-r, r + 1)
    g = np.exp(-0.5 * (x[:, None] ** 2 + x[None, :] ** 2) / 1.2 ** 2)
    g /= g.sum()
    out = gaussian_filter(img, g, r)
    print(f"sum={out.sum():.10e} max={out.max():.10e} o={out[40, 50]:.10e} shape={out.shape}")
