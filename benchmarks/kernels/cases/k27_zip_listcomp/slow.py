"""Combine two measurement series with a list comprehension over zip, then use the result as an array."""
import numpy as np


def combine(temps, offsets):
    corrected = [t + o for t, o in zip(temps, offsets)]
    scaled = [1.8 * c + 32.0 for c in corrected]
    return np.array(scaled)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    temps = rng.normal(20.0, 5.0, size=3_600_000)
    offsets = rng.normal(0.0, 0.1, size=3_600_000)
    f = combine(temps, offsets)
    print(f"mean={f.mean():.10e} std={f.std():.10e} first={f[0]:.10e} above90={int((f > 90.0).sum())}")
