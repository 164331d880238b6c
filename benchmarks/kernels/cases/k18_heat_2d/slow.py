"""Heat diffusion on a plate: explicit 2-D scheme, new grid each step (double buffer by swap)."""
import numpy as np


def diffuse(T, alpha, nsteps):
    nx, ny = T.shape
    T_new = T.copy()
    for _ in range(nsteps):
        for i in range(1, nx - 1):
            for j in range(1, ny - 1):
                T_new[i, j] = T[i, j] + alpha * (
                    T[i + 1, j] - 2.0 * T[i, j] + T[i - 1, j]
                    + T[i, j + 1] - 2.0 * T[i, j] + T[i, j - 1]
                )
        T, T_new = T_new, T
    return T


def hot_plate(nx, ny):
    T = np.zeros((nx, ny))
    T[:, 0] = 100.0
    T[nx // 3: 2 * nx // 3, ny // 3: 2 * ny // 3] = 50.0
    return T


if __name__ == "__main__":
    T = diffuse(hot_plate(100, 90), 0.125, 155)
    print(f"total={T.sum():.10e} centre={T[50, 45]:.10e} edge={T[50, 1]:.10e}")
