import numpy as np


def diffuse(T, alpha, nsteps):
    T_new = T.copy()
    for _ in range(nsteps):
        T_new[1:-1, 1:-1] = T[1:-1, 1:-1] + alpha * (
            T[2:, 1:-1] - 2.0 * T[1:-1, 1:-1] + T[:-2, 1:-1]
            + T[1:-1, 2:] - 2.0 * T[1:-1, 1:-1] + T[1:-1, :-2]
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
