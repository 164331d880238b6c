"""Exponentially weighted moving average and running peak-to-trough drawdown of a price series.

TRAP: ema[t] depends on ema[t-1] (a first-order recurrence), not on the inputs alone.
"""
import numpy as np


def ema_drawdown(prices, alpha):
    n = prices.shape[0]
    ema = np.empty(n)
    drawdown = np.empty(n)
    ema[0] = prices[0]
    peak = prices[0]
    drawdown[0] = 0.0
    for t in range(1, n):
        ema[t] = alpha * prices[t] + (1.0 - alpha) * ema[t - 1]
        if prices[t] > peak:
            peak = prices[t]
        drawdown[t] = (peak - prices[t]) / peak
    return ema, drawdown


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    prices = 100.0 * np.exp(np.cumsum(0.001 * rng.standard_normal(2_200_000)))
    ema, dd = ema_drawdown(prices, 0.01)
    print(f"ema_last={ema[-1]:.10e} ema_mean={ema.mean():.10e} max_dd={dd.max():.10e} dd_mean={dd.mean():.10e}")
