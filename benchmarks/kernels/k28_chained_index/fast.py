import numpy as np


def weighted_field(field, wx, wy):
    return field * wy[:, None] * wx[None, :] + 1.0


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    field = rng.random((700, 600))
    wx = np.hanning(600)
    wy = np.hamming(700)
    out = weighted_field(field, wx, wy)
    print(f"sum={out.sum():.10e} o12={out[1][2]:.10e} omax={out.max():.10e}")
