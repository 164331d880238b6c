"""polybench correlation: column means and standard deviations (near-constant columns clamped),
normalised data, then the upper triangle of the correlation matrix mirrored to the lower one."""
import math

import numpy as np


def make_data(n, m, seed):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((n, m)) @ rng.random((m, m)) + 2.0
    data[:, 5] = 3.0 + 0.01 * rng.standard_normal(n)  # a near-constant sensor, below eps
    return data


def correlation(data):
    n, m = data.shape
    float_n = float(n)
    eps = 0.1
    mean = np.zeros(m)
    stddev = np.zeros(m)
    corr = np.zeros((m, m))
    for j in range(m):
        for i in range(n):
            mean[j] += data[i, j]
        mean[j] /= float_n
    for j in range(m):
        for i in range(n):
            stddev[j] += (data[i, j] - mean[j]) * (data[i, j] - mean[j])
        stddev[j] /= float_n
        stddev[j] = math.sqrt(stddev[j])
        stddev[j] = 1.0 if stddev[j] <= eps else stddev[j]
    for i in range(n):
        for j in range(m):
            data[i, j] -= mean[j]
            data[i, j] /= math.sqrt(float_n) * stddev[j]
    for i in range(m - 1):
        corr[i, i] = 1.0
        for j in range(i + 1, m):
            corr[i, j] = 0.0
            for k in range(n):
                corr[i, j] += data[k, i] * data[k, j]
            corr[j, i] = corr[i, j]
    corr[m - 1, m - 1] = 1.0
    return corr


if __name__ == "__main__":
    data = make_data(500, 90, seed=9)
    corr = correlation(data)
    off = corr - np.diag(np.diag(corr))
    print(f"sum={corr.sum():.10e} abs={np.abs(off).sum():.10e} c01={corr[0, 1]:.10e} "
          f"c5={np.abs(corr[5]).sum():.10e} data={np.abs(data).sum():.10e}")
