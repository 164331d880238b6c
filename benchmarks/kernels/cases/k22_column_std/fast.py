import numpy as np


def channel_stats(readings):
    return readings.mean(axis=0), readings.std(axis=0, ddof=1)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    readings = rng.normal(loc=np.linspace(-5, 5, 40), scale=np.linspace(0.5, 3.0, 40), size=(57000, 40))
    means, stds = channel_stats(readings)
    print(f"mean_sum={means.sum():.10e} std_sum={stds.sum():.10e} std0={stds[0]:.10e} std_last={stds[-1]:.10e}")
