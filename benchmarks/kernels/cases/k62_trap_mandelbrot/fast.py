"""Escape-time Mandelbrot set: iterate z -> z^2 + c per pixel until |z| > 2 or maxiter.

TRAP: the while loop stops at a different step for each pixel; iterating every pixel maxiter times
without the exit test overflows and gives different counts.
"""
import numba
import numpy as np


@numba.njit(cache=True)
def escape_time(xs, ys, maxiter):
    h, w = len(ys), len(xs)
    counts = np.zeros((h, w), dtype=np.int64)
    for i in range(h):
        for j in range(w):
            cr = xs[j]
            ci = ys[i]
            zr = 0.0
            zi = 0.0
            k = 0
            while k < maxiter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                k += 1
            counts[i, j] = k
    return counts


if __name__ == "__main__":
    xs = np.linspace(-2.2, 0.8, 460)
    ys = np.linspace(-1.2, 1.2, 341)
    counts = escape_time(xs, ys, 60)
    inside = int((counts == 60).sum())
    print(f"total={int(counts.sum())} inside={inside} row={int(counts[170].sum())} c={int(counts[120, 300])}")
