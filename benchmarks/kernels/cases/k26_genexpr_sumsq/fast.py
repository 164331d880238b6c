import math

import numpy as np


def energy(signal):
    return float(np.dot(signal, signal))


def rms(signal):
    return math.sqrt(energy(signal) / len(signal))


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    signal = rng.standard_normal(6_300_000)
    e = energy(signal)
    print(f"energy={e:.10e} rms={rms(signal[::3]):.10e}")
