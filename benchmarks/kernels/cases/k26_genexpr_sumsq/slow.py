"""Signal energy and RMS using Python's sum over a generator of NumPy scalars."""
import math

import numpy as np


def energy(signal):
    return sum(x * x for x in signal)


def rms(signal):
    return math.sqrt(energy(signal) / len(signal))


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    signal = rng.standard_normal(6_300_000)
    e = energy(signal)
    print(f"energy={e:.10e} rms={rms(signal[::3]):.10e}")
