import numpy as np


def laplacian(img):
    lap = np.zeros_like(img)
    grad = np.zeros_like(img)
    c = img[1:-1, 1:-1]
    lap[1:-1, 1:-1] = img[:-2, 1:-1] + img[2:, 1:-1] + img[1:-1, :-2] + img[1:-1, 2:] - 4.0 * c
    gx = 0.5 * (img[1:-1, 2:] - img[1:-1, :-2])
    gy = 0.5 * (img[2:, 1:-1] - img[:-2, 1:-1])
    grad[1:-1, 1:-1] = np.sqrt(gx * gx + gy * gy)
    return lap, grad


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    img = rng.random((810, 900))
    lap, grad = laplacian(img)
    print(f"lap_sum={lap.sum():.10e} lap_abs={np.abs(lap).sum():.10e} grad_sum={grad.sum():.10e}")
