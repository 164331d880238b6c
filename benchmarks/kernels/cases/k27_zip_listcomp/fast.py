import numpy as np


def combine(temps, offsets):
    return 1.8 * (temps + offsets) + 32.0


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    temps = rng.normal(20.0, 5.0, size=3_600_000)
    offsets = rng.normal(0.0, 0.1, size=3_600_000)
    f = combine(temps, offsets)
    print(f"mean={f.mean():.10e} std={f.std():.10e} first={f[0]:.10e} above90={int((f > 90.0).sum())}")
