"""2-D finite-difference time-domain update of three fields (polybench fdtd-2d)."""
import numpy as np


def init(nx, ny, tmax):
    i = np.arange(nx, dtype=float)[:, None]
    j = np.arange(ny, dtype=float)[None, :]
    ex = (i * (j + 1)) / nx
    ey = (i * (j + 2)) / ny
    hz = (i * (j + 3)) / nx
    fict = np.arange(tmax, dtype=float)
    return ex, ey, hz, fict


def fdtd_2d(tmax, ex, ey, hz, fict):
    nx, ny = ex.shape
    for t in range(tmax):
        for j in range(ny):
            ey[0, j] = fict[t]
        for i in range(1, nx):
            for j in range(ny):
                ey[i, j] = ey[i, j] - 0.5 * (hz[i, j] - hz[i - 1, j])
        for i in range(nx):
            for j in range(1, ny):
                ex[i, j] = ex[i, j] - 0.5 * (hz[i, j] - hz[i, j - 1])
        for i in range(nx - 1):
            for j in range(ny - 1):
                hz[i, j] = hz[i, j] - 0.7 * (ex[i, j + 1] - ex[i, j] + ey[i + 1, j] - ey[i, j])


def main():
    tmax = 48
    ex, ey, hz, fict = init(80, 90, tmax)
    fdtd_2d(tmax, ex, ey, hz, fict)
    print(f"ex={ex.sum():.10e} ey={ey.sum():.10e} hz={hz.sum():.10e} hz00={hz[0, 0]:.10e}")


if __name__ == "__main__":
    main()
