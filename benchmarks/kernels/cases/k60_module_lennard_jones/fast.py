"""Total Lennard-Jones energy of a small cluster on a jittered cubic lattice, as a flat script."""
import numpy as np

rng = np.random.default_rng(12)
nx, ny, nz = 10, 11, 11
spacing = 1.12
pos = np.array([[x, y, z] for x in range(nx) for y in range(ny) for z in range(nz)]) * spacing
pos += rng.uniform(-0.05, 0.05, size=pos.shape)
n = pos.shape[0]
sigma = 1.0
epsilon = 1.0

i, j = np.triu_indices(n, k=1)
d = pos[i] - pos[j]
r2 = (d * d).sum(axis=1)
sr6 = (sigma * sigma / r2) ** 3
energy = (4.0 * epsilon * (sr6 * sr6 - sr6)).sum()

print(f"n={n} energy={energy:.8e} per_atom={energy / n:.8e}")
