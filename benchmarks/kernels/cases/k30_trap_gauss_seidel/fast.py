import numba
import numpy as np


@numba.njit(cache=True)
def gauss_seidel(u, f, h, sweeps):
    n = u.shape[0]
    for sweep in range(sweeps):
        for i in range(1, n - 1):
            u[i] = 0.5 * (u[i - 1] + u[i + 1] + h * h * f[i])
    return u


if __name__ == "__main__":
    n = 2000
    x = np.linspace(0.0, 1.0, n)
    f = np.pi ** 2 * np.sin(np.pi * x)
    u = np.zeros(n)
    u = gauss_seidel(u, f, x[1] - x[0], 1500)
    print(f"u_sum={u.sum():.10e} u_mid={u[n // 2]:.10e} u_q={u[n // 4]:.10e}")
