"""Soft-clipping transfer function applied to a 2-D field: linear inside [-t, t], compressed slope outside."""
import numpy as np


def soft_clip(A, t, slope):
    return np.where(A > t, t + slope * (A - t),
                    np.where(A < -t, -t + slope * (A + t), A))


if __name__ == "__main__":
    rng = np.random.default_rng(11)
    field = rng.normal(0.0, 1.5, size=(1600, 1700))
    y = soft_clip(field, 1.0, 0.2)
    clipped = int((np.abs(field) > 1.0).sum())
    print(f"sum={y.sum():.10e} abs={np.abs(y).sum():.10e} y0={y[0, 0]:.10e} max={y.max():.10e} clipped={clipped}")
