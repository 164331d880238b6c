"""Explicit heat equation on a rod, double-buffered, fixed-temperature ends."""
import numpy as np


def heat_1d(u, r, steps):
    n = u.shape[0]
    v = u.copy()
    for step in range(steps):
        for i in range(1, n - 1):
            v[i] = u[i] + r * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        for i in range(1, n - 1):
            u[i] = v[i] + r * (v[i - 1] - 2.0 * v[i] + v[i + 1])
    return u


if __name__ == "__main__":
    n = 4000
    x = np.linspace(0.0, 1.0, n)
    u = np.exp(-200.0 * (x - 0.3) ** 2)
    u[0], u[-1] = 1.0, 0.0
    u = heat_1d(u, 0.25, 340)
    print(f"energy={u.sum():.10e} peak={u.max():.10e} u_mid={u[n // 2]:.10e}")
