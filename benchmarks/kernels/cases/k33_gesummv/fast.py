import numpy as np


def init(n):
    rng = np.random.default_rng(0)
    A = rng.random((n, n))
    B = rng.random((n, n))
    x = rng.random(n)
    return A, B, x


def gesummv(alpha, beta, A, B, x):
    return alpha * (A @ x) + beta * (B @ x)


def main():
    A, B, x = init(880)
    y = gesummv(1.5, 1.2, A, B, x)
    print(f"sum={y.sum():.10e} y0={y[0]:.10e} y_last={y[-1]:.10e}")


if __name__ == "__main__":
    main()
