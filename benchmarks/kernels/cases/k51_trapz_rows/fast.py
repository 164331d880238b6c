"""Trapezoid-rule integrals of many sampled signals on a shared, non-uniform time grid."""
import numpy as np


def make_signals(nsig, nt, seed):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0.0, 10.0, nt))
    t[0], t[-1] = 0.0, 10.0
    freq = rng.uniform(0.5, 3.0, nsig)
    damp = rng.uniform(0.05, 0.5, nsig)
    y = np.exp(-damp[:, None] * t[None, :]) * np.cos(freq[:, None] * t[None, :]) + 1.0
    return t, y


def integrate_rows(t, y):
    return (0.5 * (y[:, :-1] + y[:, 1:]) * np.diff(t)).sum(axis=1)


def main():
    t, y = make_signals(1000, 2000, seed=5)
    area = integrate_rows(t, y)
    print(f"total={area.sum():.10e} a0={area[0]:.10e} amax={area.max():.10e} amin={area.min():.10e}")


if __name__ == "__main__":
    main()
