"""First-passage times of random walks: each walk stops at the first step past the barrier.

TRAP: the inner loop ends at an early break; dropping the break (summing every step) is wrong.
"""
import numpy as np


def first_passage(steps, barrier):
    nwalks, nsteps = steps.shape
    hit = np.full(nwalks, -1, dtype=np.int64)
    final = np.zeros(nwalks)
    for w in range(nwalks):
        pos = 0.0
        for t in range(nsteps):
            pos += steps[w, t]
            if abs(pos) >= barrier:
                hit[w] = t
                break
        final[w] = pos
    return hit, final


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    steps = rng.standard_normal((7000, 1500))
    hit, final = first_passage(steps, 25.0)
    crossed = hit >= 0
    print(f"crossed={int(crossed.sum())} mean_hit={hit[crossed].mean():.10e} final_abs={np.abs(final).sum():.10e}")
