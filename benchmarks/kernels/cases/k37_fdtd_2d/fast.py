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
    for t in range(tmax):
        ey[0, :] = fict[t]
        ey[1:, :] = ey[1:, :] - 0.5 * (hz[1:, :] - hz[:-1, :])
        ex[:, 1:] = ex[:, 1:] - 0.5 * (hz[:, 1:] - hz[:, :-1])
        hz[:-1, :-1] = hz[:-1, :-1] - 0.7 * (ex[:-1, 1:] - ex[:-1, :-1] + ey[1:, :-1] - ey[:-1, :-1])


def main():
    tmax = 48
    ex, ey, hz, fict = init(80, 90, tmax)
    fdtd_2d(tmax, ex, ey, hz, fict)
    print(f"ex={ex.sum():.10e} ey={ey.sum():.10e} hz={hz.sum():.10e} hz00={hz[0, 0]:.10e}")


if __name__ == "__main__":
    main()
