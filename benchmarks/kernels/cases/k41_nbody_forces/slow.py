"""Softened gravitational accelerations summed over all pairs of bodies, then one leapfrog kick."""
import math

import numpy as np


def accelerations(pos, mass, eps2):
    n = pos.shape[0]
    acc = np.zeros((n, 3))
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            dx = pos[j, 0] - pos[i, 0]
            dy = pos[j, 1] - pos[i, 1]
            dz = pos[j, 2] - pos[i, 2]
            r2 = dx * dx + dy * dy + dz * dz + eps2
            inv = mass[j] / (r2 * math.sqrt(r2))
            acc[i, 0] += dx * inv
            acc[i, 1] += dy * inv
            acc[i, 2] += dz * inv
    return acc


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    n = 620
    pos = rng.standard_normal((n, 3))
    vel = np.zeros((n, 3))
    mass = rng.random(n) / n
    acc = accelerations(pos, mass, 0.01)
    vel += 0.01 * acc
    print(f"asum={np.abs(acc).sum():.10e} a0={acc[0, 0]:.10e} v_last={vel[-1, 2]:.10e}")
