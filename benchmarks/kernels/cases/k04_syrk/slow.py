"""Gram matrix G = alpha * X^T X + beta * G of the columns of a sample matrix."""
import numpy as np


def gram(X, G, alpha, beta):
    nsamp, nfeat = X.shape
    for a in range(nfeat):
        for b in range(nfeat):
            G[a, b] *= beta
            for s in range(nsamp):
                G[a, b] += alpha * X[s, a] * X[s, b]
    return G


def main():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((150, 115))
    G = np.eye(115)
    G = gram(X, G, 0.01, 2.0)
    print(f"trace={np.trace(G):.10e} sum={G.sum():.10e} g01={G[0, 1]:.10e}")


if __name__ == "__main__":
    main()
