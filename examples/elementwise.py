"""A typical slow script: element-wise work and a reduction written as Python loops."""
import numpy as np


def scale_and_shift(signal, gain, offset):
    out = np.empty_like(signal)
    for i in range(len(signal)):
        out[i] = gain * signal[i] + offset
    return out


def energy(x):
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i] * x[i]
    return total


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    sig = rng.standard_normal(1_000_000)
    y = scale_and_shift(sig, 2.0, 0.5)
    print(f"energy={energy(y):.6e}")
