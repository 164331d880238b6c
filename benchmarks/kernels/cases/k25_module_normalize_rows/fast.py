import numpy as np

rng = np.random.default_rng(0)
counts = rng.integers(1, 100, size=(2370, 790)).astype(np.float64)
probs = counts / counts.sum(axis=1, keepdims=True)

entropy = -(probs * np.log(probs)).sum(axis=1)
print(f"psum={probs.sum():.10e} p00={probs[0, 0]:.10e} entropy_mean={entropy.mean():.10e}")
