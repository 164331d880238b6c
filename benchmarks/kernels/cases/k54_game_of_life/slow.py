"""Conway's Game of Life on a board with a dead (zero) border, a fixed number of generations."""
import numpy as np


def life(board, generations):
    n, m = board.shape
    new = np.zeros_like(board)
    for _ in range(generations):
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                count = (board[i - 1, j - 1] + board[i - 1, j] + board[i - 1, j + 1]
                         + board[i, j - 1] + board[i, j + 1]
                         + board[i + 1, j - 1] + board[i + 1, j] + board[i + 1, j + 1])
                if board[i, j] == 1 and (count == 2 or count == 3):
                    new[i, j] = 1
                elif board[i, j] == 0 and count == 3:
                    new[i, j] = 1
                else:
                    new[i, j] = 0
        board, new = new, board
    return board


if __name__ == "__main__":
    rng = np.random.default_rng(21)
    board = np.zeros((142, 142), dtype=np.int64)
    board[1:-1, 1:-1] = (rng.random((140, 140)) < 0.3).astype(np.int64)
    final = life(board, 40)
    rows = final.sum(axis=1)
    print(f"alive={int(final.sum())} row40={int(rows[70])} weighted={int((rows * np.arange(142)).sum())}")
