import numpy as np


def gram(X, G, alpha, beta):
    return beta * G + alpha * (X.T @ X)


def main():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((150, 115))
    G = np.eye(115)
    G = gram(X, G, 0.01, 2.0)
    print(f"trace={np.trace(G):.10e} sum={G.sum():.10e} g01={G[0, 1]:.10e}")


if __name__ == "__main__":
    main()
