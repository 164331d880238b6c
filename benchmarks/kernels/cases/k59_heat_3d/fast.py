"""polybench heat-3d: explicit 7-point stencil in a cube, A -> B then B -> A each time step."""
import numpy as np


def init_array(n):
    i, j, k = np.meshgrid(np.arange(n), np.arange(n), np.arange(n), indexing="ij")
    A = (i + j + (n - k)) * 10.0 / n
    return A, A.copy()


def step(src, dst):
    c = src[1:-1, 1:-1, 1:-1]
    dst[1:-1, 1:-1, 1:-1] = (0.125 * (src[2:, 1:-1, 1:-1] - 2.0 * c + src[:-2, 1:-1, 1:-1])
                             + 0.125 * (src[1:-1, 2:, 1:-1] - 2.0 * c + src[1:-1, :-2, 1:-1])
                             + 0.125 * (src[1:-1, 1:-1, 2:] - 2.0 * c + src[1:-1, 1:-1, :-2])
                             + c)


def kernel_heat_3d(tsteps, n, A, B):
    for t in range(1, tsteps + 1):
        step(A, B)
        step(B, A)


if __name__ == "__main__":
    n = 20
    A, B = init_array(n)
    kernel_heat_3d(40, n, A, B)
    print(f"A={A.sum():.10e} B={B.sum():.10e} a={A[10, 10, 10]:.10e} b={B[1, 2, 3]:.10e}")
