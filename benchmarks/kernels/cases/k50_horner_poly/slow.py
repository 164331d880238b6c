"""Evaluate a polynomial at many points by Horner's rule (coefficients highest degree first)."""
import numpy as np


def horner(c, x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        acc = 0.0
        for k in range(len(c)):
            acc = acc * x[i] + c[k]
        y[i] = acc
    return y


if __name__ == "__main__":
    # Taylor coefficients of exp(x) up to degree 11, highest first
    c = np.array([1.0 / np.prod(np.arange(1, k + 1, dtype=float)) for k in range(11, -1, -1)])
    x = np.linspace(-2.0, 2.0, 400001)
    y = horner(c, x)
    err = np.abs(y - np.exp(x)).max()
    print(f"sum={y.sum():.10e} y_end={y[-1]:.10e} y_mid={y[200000]:.10e} err={err:.4e}")
