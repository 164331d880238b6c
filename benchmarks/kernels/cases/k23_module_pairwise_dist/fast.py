import numpy as np

rng = np.random.default_rng(0)
pts = rng.random((820, 3))
diff = pts[:, None, :] - pts[None, :, :]
dist = np.sqrt((diff * diff).sum(axis=-1))

print(f"mean={dist.mean():.10e} max={dist.max():.10e} d01={dist[0, 1]:.10e}")
