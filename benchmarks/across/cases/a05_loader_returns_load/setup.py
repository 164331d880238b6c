import os

import numpy as np

if not os.path.exists("stack.npy"):
    arr = np.lib.format.open_memmap("stack.npy", mode="w+", dtype=np.float32, shape=(80, 1000, 1000))
    rng = np.random.default_rng(7)
    for k in range(0, 80, 20):
        arr[k:k + 20] = rng.random((20, 1000, 1000), dtype=np.float32)
    arr.flush()
