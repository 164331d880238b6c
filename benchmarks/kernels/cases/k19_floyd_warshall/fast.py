import numpy as np


def random_graph(n, density, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.uniform(1.0, 10.0, size=(n, n))
    W[rng.random((n, n)) > density] = np.inf
    np.fill_diagonal(W, 0.0)
    return W


def floyd_warshall(dist):
    n = dist.shape[0]
    for k in range(n):
        dist = np.minimum(dist, dist[:, k, None] + dist[None, k, :])
    return dist


if __name__ == "__main__":
    D = floyd_warshall(random_graph(156, 0.05))
    finite = np.isfinite(D)
    print(f"reachable={int(finite.sum())} total={D[finite].sum():.10e} d01={D[0, 1]:.10e} diam={D[finite].max():.10e}")
