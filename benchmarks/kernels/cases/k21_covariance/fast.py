import numpy as np


def covariance(data):
    n = data.shape[0]
    centred = data - data.mean(axis=0)
    return centred.T @ centred / (n - 1)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    data = rng.standard_normal((420, 120)) @ rng.random((120, 120)) + 3.0
    cov = covariance(data)
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    print(f"trace={np.trace(cov):.10e} sum={cov.sum():.10e} c01={cov[0, 1]:.10e} corr_mean={corr.mean():.10e}")
