import numpy as np

rng = np.random.default_rng(0)
image = rng.integers(0, 256, size=(585, 615)).astype(np.float64)
blurred = image.copy()
acc = np.zeros_like(image[1:-1, 1:-1])
for dr in (-1, 0, 1):
    for dc in (-1, 0, 1):
        acc += image[1 + dr: image.shape[0] - 1 + dr, 1 + dc: image.shape[1] - 1 + dc]
blurred[1:-1, 1:-1] = acc / 9.0

print(f"mean={blurred.mean():.10e} px={blurred[290, 305]:.10e} var={blurred.var():.10e}")
