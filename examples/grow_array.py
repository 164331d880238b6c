"""Building a table of per-sample features by growing an array with np.append."""
import numpy as np


def features(samples):
    table = np.array([])
    for s in samples:
        table = np.append(table, np.sqrt(abs(s)) * np.sign(s))
    return table


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    samples = rng.standard_normal(35_000)
    table = features(samples)
    print(f"{table.size} features, mean {table.mean():.6f}, max {table.max():.6f}")
