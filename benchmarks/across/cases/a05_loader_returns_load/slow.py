"""A loader function returns a whole .npy stack; another function reads three frames of it."""
import numpy as np


def load_stack(path):
    return np.load(path)


def frame_means(stack, picks):
    return [float(stack[k].mean()) for k in picks]


def main():
    stack = load_stack("stack.npy")
    for k, mean in zip((0, 40, 79), frame_means(stack, (0, 40, 79))):
        print(f"frame {k}: {mean:.8f}")


if __name__ == "__main__":
    main()
