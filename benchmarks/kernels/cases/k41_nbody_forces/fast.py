import numpy as np


def accelerations(pos, mass, eps2):
    d = pos[None, :, :] - pos[:, None, :]
    r2 = (d * d).sum(axis=-1) + eps2
    inv = mass[None, :] / (r2 * np.sqrt(r2))
    np.fill_diagonal(inv, 0.0)
    return (d * inv[:, :, None]).sum(axis=1)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    n = 620
    pos = rng.standard_normal((n, 3))
    vel = np.zeros((n, 3))
    mass = rng.random(n) / n
    acc = accelerations(pos, mass, 0.01)
    vel += 0.01 * acc
    print(f"asum={np.abs(acc).sum():.10e} a0={acc[0, 0]:.10e} v_last={vel[-1, 2]:.10e}")
