"""Pairwise Euclidean distances between points, computed in a script with no functions."""
import math

import numpy as np

rng = np.random.default_rng(0)
pts = rng.random((820, 3))
npts = pts.shape[0]
dist = np.zeros((npts, npts))
for a in range(npts):
    for b in range(npts):
        dx = pts[a, 0] - pts[b, 0]
        dy = pts[a, 1] - pts[b, 1]
        dz = pts[a, 2] - pts[b, 2]
        dist[a, b] = math.sqrt(dx * dx + dy * dy + dz * dz)

print(f"mean={dist.mean():.10e} max={dist.max():.10e} d01={dist[0, 1]:.10e}")
