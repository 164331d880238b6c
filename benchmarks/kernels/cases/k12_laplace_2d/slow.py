"""Five-point Laplacian of an image and its gradient magnitude on interior pixels."""
import numpy as np


def laplacian(img):
    h, w = img.shape
    lap = np.zeros_like(img)
    grad = np.zeros_like(img)
    for y in range(1, h - 1):
        for x in range(1, w - 1):
            lap[y, x] = img[y - 1, x] + img[y + 1, x] + img[y, x - 1] + img[y, x + 1] - 4.0 * img[y, x]
            gx = 0.5 * (img[y, x + 1] - img[y, x - 1])
            gy = 0.5 * (img[y + 1, x] - img[y - 1, x])
            grad[y, x] = np.sqrt(gx * gx + gy * gy)
    return lap, grad


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    img = rng.random((810, 900))
    lap, grad = laplacian(img)
    print(f"lap_sum={lap.sum():.10e} lap_abs={np.abs(lap).sum():.10e} grad_sum={grad.sum():.10e}")
