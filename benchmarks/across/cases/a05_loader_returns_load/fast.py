import numpy as np

stack = np.load("stack.npy", mmap_mode="r")
for k in (0, 40, 79):
    print(f"frame {k}: {float(stack[k].mean()):.8f}")
