"""A weighted linear regression model object: predictions and the weighted squared loss over samples."""
import numpy as np


class WeightedLinearModel:
    def __init__(self, n_samples, n_features, seed=0):
        rng = np.random.default_rng(seed)
        self.x = rng.standard_normal((n_samples, n_features))
        true_coef = rng.uniform(-2.0, 2.0, n_features)
        self.y = self.x @ true_coef + 0.3 * rng.standard_normal(n_samples)
        self.w = rng.uniform(0.5, 1.5, n_samples)
        self.coef = true_coef + 0.05 * rng.standard_normal(n_features)
        self.bias = 0.1

    def weighted_loss(self):
        n, p = self.x.shape
        loss = 0.0
        wsum = 0.0
        for i in range(n):
            pred = self.bias
            for j in range(p):
                pred += self.x[i, j] * self.coef[j]
            r = self.y[i] - pred
            loss += self.w[i] * r * r
            wsum += self.w[i]
        return loss / wsum


if __name__ == "__main__":
    model = WeightedLinearModel(240000, 10, seed=13)
    loss = model.weighted_loss()
    print(f"loss={loss:.8e} coef0={model.coef[0]:.8e} n={model.x.shape[0]}")
