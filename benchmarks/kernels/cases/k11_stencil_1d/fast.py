import numpy as np


def smooth_and_curvature(sig, h):
    avg = sig.copy()
    d2 = np.zeros(sig.shape[0])
    avg[1:-1] = (sig[:-2] + sig[1:-1] + sig[2:]) / 3.0
    d2[1:-1] = (sig[:-2] - 2.0 * sig[1:-1] + sig[2:]) / (h * h)
    return avg, d2


if __name__ == "__main__":
    n = 1_650_000
    t = np.linspace(0.0, 20.0, n)
    rng = np.random.default_rng(0)
    sig = np.sin(t) + 0.01 * rng.standard_normal(n)
    avg, d2 = smooth_and_curvature(sig, t[1] - t[0])
    print(f"avg_sum={avg.sum():.10e} d2_abs={np.abs(d2).sum():.10e} d2_mid={d2[n // 2]:.10e}")
