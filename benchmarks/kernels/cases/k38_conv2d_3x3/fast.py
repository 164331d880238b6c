import numpy as np


def convolve2d(img, kern):
    h, w = img.shape
    kh, kw = kern.shape
    oh, ow = h - kh + 1, w - kw + 1
    out = np.zeros((oh, ow))
    for di in range(kh):
        for dj in range(kw):
            out += img[di:di + oh, dj:dj + ow] * kern[di, dj]
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    img = rng.random((380, 420))
    kern = np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])
    out = convolve2d(img, kern)
    print(f"sum={out.sum():.10e} max={out.max():.10e} o00={out[0, 0]:.10e} shape={out.shape}")
