import numpy as np


def weighted_field(field, wx, wy):
    return field * wy[:, None] * wx[None, :] + 1.0


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    field = rng.random((1575, 1420))
    wx = np.hanning(1420)
    wy = np.hamming(1575)
    out = weighted_field(field, wx, wy)
    print(f"sum={out.sum():.10e} o12={out[1][2]:.10e} omax={out.max():.10e}")
