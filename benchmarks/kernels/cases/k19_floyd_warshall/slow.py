"""All-pairs shortest paths (Floyd-Warshall) on a random sparse weighted digraph."""
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
        for i in range(n):
            for j in range(n):
                if dist[i, k] + dist[k, j] < dist[i, j]:
                    dist[i, j] = dist[i, k] + dist[k, j]
    return dist


if __name__ == "__main__":
    D = floyd_warshall(random_graph(156, 0.05))
    finite = np.isfinite(D)
    print(f"reachable={int(finite.sum())} total={D[finite].sum():.10e} d01={D[0, 1]:.10e} diam={D[finite].max():.10e}")
