"""Conway's Game of Life on a board with a dead (zero) border, a fixed number of generations."""
import numpy as np


def life(board, generations):
    n, m = board.shape
    new = np.zeros_like(board)
    for _ in range(generations):
        b = board
        count = (b[:-2, :-2] + b[:-2, 1:-1] + b[:-2, 2:]
                 + b[1:-1, :-2] + b[1:-1, 2:]
                 + b[2:, :-2] + b[2:, 1:-1] + b[2:, 2:])
        centre = b[1:-1, 1:-1]
        alive = (count == 3) | ((centre == 1) & (count == 2))
        new[1:-1, 1:-1] = alive
        board, new = new, board
    return board


if __name__ == "__main__":
    rng = np.random.default_rng(21)
    board = np.zeros((142, 142), dtype=np.int64)
    board[1:-1, 1:-1] = (rng.random((140, 140)) < 0.3).astype(np.int64)
    final = life(board, 40)
    rows = final.sum(axis=1)
    print(f"alive={int(final.sum())} row40={int(rows[70])} weighted={int((rows * np.arange(142)).sum())}")
