"""Per-channel mean and standard deviation of sensor readings (two passes, ddof=1)."""
import math

import numpy as np


def channel_stats(readings):
    nsamples, nchan = readings.shape
    means = np.zeros(nchan)
    stds = np.zeros(nchan)
    for c in range(nchan):
        total = 0.0
        for t in range(nsamples):
            total += readings[t, c]
        means[c] = total / nsamples
        ss = 0.0
        for t in range(nsamples):
            d = readings[t, c] - means[c]
            ss += d * d
        stds[c] = math.sqrt(ss / (nsamples - 1))
    return means, stds


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    readings = rng.normal(loc=np.linspace(-5, 5, 40), scale=np.linspace(0.5, 3.0, 40), size=(57000, 40))
    means, stds = channel_stats(readings)
    print(f"mean_sum={means.sum():.10e} std_sum={stds.sum():.10e} std0={stds[0]:.10e} std_last={stds[-1]:.10e}")
