import numpy as np


def bicg(A, r, p):
    return r @ A, A @ p


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    n, m = 1600, 1490
    A = rng.random((n, m))
    r = rng.random(n)
    p = rng.random(m)
    s, q = bicg(A, r, p)
    print(f"s_sum={s.sum():.10e} q_sum={q.sum():.10e} s0={s[0]:.10e} q_last={q[-1]:.10e}")
