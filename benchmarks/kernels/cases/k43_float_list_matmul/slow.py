"""Float matrix product and a sum of squares over Python lists, as a script without NumPy writes them."""


def make_matrix(rows, cols, seed):
    return [[((i * 31 + j * 17 + seed) % 97) / 8.0 - 6.0 for j in range(cols)] for i in range(rows)]


def matmul_lists(X, Y):
    n, k, m = len(X), len(Y), len(Y[0])
    Z = [[0.0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            s = 0.0
            for p in range(k):
                s += X[i][p] * Y[p][j]
            Z[i][j] = s
    return Z


def sum_of_squares(xs):
    return sum(x * x for x in xs)


if __name__ == "__main__":
    X = make_matrix(240, 260, 1)
    Y = make_matrix(260, 220, 2)
    Z = matmul_lists(X, Y)
    flat = [v for row in Z for v in row]
    total = sum(flat)
    print(f"total={total:.6f} z00={Z[0][0]:.6f} z_last={Z[-1][-1]:.6f} ss={sum_of_squares(flat):.6e}")
