"""Sample covariance and correlation of the columns of a data matrix (polybench data-mining style)."""
import numpy as np


def column_means(data):
    n, m = data.shape
    mean = np.zeros(m)
    for j in range(m):
        for i in range(n):
            mean[j] += data[i, j]
        mean[j] /= n
    return mean


def covariance(data):
    n, m = data.shape
    mean = column_means(data)
    centred = data.copy()
    for i in range(n):
        for j in range(m):
            centred[i, j] -= mean[j]
    cov = np.zeros((m, m))
    for i in range(m):
        for j in range(i, m):
            s = 0.0
            for k in range(n):
                s += centred[k, i] * centred[k, j]
            cov[i, j] = s / (n - 1)
            cov[j, i] = cov[i, j]
    return cov


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    data = rng.standard_normal((420, 120)) @ rng.random((120, 120)) + 3.0
    cov = covariance(data)
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    print(f"trace={np.trace(cov):.10e} sum={cov.sum():.10e} c01={cov[0, 1]:.10e} corr_mean={corr.mean():.10e}")
