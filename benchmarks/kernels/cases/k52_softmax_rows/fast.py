"""Row-wise softmax of a matrix of logits, with the row maximum subtracted for stability."""
import numpy as np


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


if __name__ == "__main__":
    rng = np.random.default_rng(2)
    logits = rng.normal(0.0, 4.0, size=(14000, 100))
    probs = softmax_rows(logits)
    labels = rng.integers(0, 100, size=14000)
    nll = -np.log(probs[np.arange(14000), labels]).mean()
    print(f"nll={nll:.10e} pmax={probs.max():.10e} p00={probs[0, 0]:.10e} rows={probs.sum():.10e}")
