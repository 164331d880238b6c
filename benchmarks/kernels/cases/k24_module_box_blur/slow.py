"""3x3 box blur of a grayscale image, written at module level as a quick script."""
import numpy as np

rng = np.random.default_rng(0)
image = rng.integers(0, 256, size=(585, 615)).astype(np.float64)
H, W = image.shape
blurred = image.copy()
for r in range(1, H - 1):
    for c in range(1, W - 1):
        acc = 0.0
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                acc += image[r + dr, c + dc]
        blurred[r, c] = acc / 9.0

print(f"mean={blurred.mean():.10e} px={blurred[290, 305]:.10e} var={blurred.var():.10e}")
