import numpy as np


def heat_1d(u, r, steps):
    v = u.copy()
    for step in range(steps):
        v[1:-1] = u[1:-1] + r * (u[:-2] - 2.0 * u[1:-1] + u[2:])
        u[1:-1] = v[1:-1] + r * (v[:-2] - 2.0 * v[1:-1] + v[2:])
    return u


if __name__ == "__main__":
    n = 4000
    x = np.linspace(0.0, 1.0, n)
    u = np.exp(-200.0 * (x - 0.3) ** 2)
    u[0], u[-1] = 1.0, 0.0
    u = heat_1d(u, 0.25, 340)
    print(f"energy={u.sum():.10e} peak={u.max():.10e} u_mid={u[n // 2]:.10e}")
