"""polybench correlation: column means and standard deviations (near-constant columns clamped),
normalised data, then the upper triangle of the correlation matrix mirrored to the lower one."""
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
    mean = data.mean(axis=0)
    stddev = np.sqrt(((data - mean) ** 2).sum(axis=0) / float_n)
    stddev = np.where(stddev <= eps, 1.0, stddev)
    data -= mean
    data /= np.sqrt(float_n) * stddev
    corr = data.T @ data
    np.fill_diagonal(corr, 1.0)
    return corr


if __name__ == "__main__":
    data = make_data(500, 90, seed=9)
    corr = correlation(data)
    off = corr - np.diag(np.diag(corr))
    print(f"sum={corr.sum():.10e} abs={np.abs(off).sum():.10e} c01={corr[0, 1]:.10e} "
          f"c5={np.abs(corr[5]).sum():.10e} data={np.abs(data).sum():.10e}")
