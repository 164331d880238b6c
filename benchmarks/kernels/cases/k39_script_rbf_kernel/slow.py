"""Kernel density scores with a Gaussian (RBF) kernel matrix: data made in one function, the
loop nest in another, both called from main, as a small analysis script is written."""
import math

import numpy as np


def make_samples(n, dim, seed):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 3.0, size=(4, dim))
    labels = rng.integers(0, 4, size=n)
    return centres[labels] + rng.normal(0.0, 1.0, size=(n, dim))


def gaussian_kernel(X, bandwidth):
    n, dim = X.shape
    gamma = 0.5 / (bandwidth * bandwidth)
    K = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            d2 = 0.0
            for k in range(dim):
                diff = X[i, k] - X[j, k]
                d2 += diff * diff
            K[i, j] = math.exp(-gamma * d2)
    return K


def main():
    X = make_samples(640, 3, seed=7)
    K = gaussian_kernel(X, bandwidth=1.5)
    density = K.sum(axis=1) / K.shape[0]
    best = int(np.argmax(density))
    print(f"ksum={K.sum():.10e} dmax={density[best]:.10e} best={best} dmin={density.min():.10e}")


if __name__ == "__main__":
    main()
