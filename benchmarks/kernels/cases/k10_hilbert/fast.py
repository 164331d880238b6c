import numpy as np


def hilbert(n, shift):
    r = np.arange(n)
    return 1.0 / (r[:, None] + r[None, :] + 1 + shift)


if __name__ == "__main__":
    n = 2600
    H = hilbert(n, 0.5)
    v = np.linspace(-1.0, 1.0, n)
    w = H @ v
    print(f"trace={np.trace(H):.10e} hsum={H.sum():.10e} w0={w[0]:.10e} wn={w[-1]:.10e}")
