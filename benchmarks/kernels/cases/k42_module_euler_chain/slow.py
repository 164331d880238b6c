"""Explicit (semi-implicit Euler) time stepping of a damped chain of coupled oscillators, in a script with no functions."""
import numpy as np

n = 500
steps = 940
k = 40.0
damping = 0.2
dt = 0.002
x = np.sin(np.linspace(0.0, 3.0 * np.pi, n))
x[0] = x[-1] = 0.0
v = np.zeros(n)
a = np.zeros(n)
for step in range(steps):
    for i in range(1, n - 1):
        a[i] = k * (x[i - 1] - 2.0 * x[i] + x[i + 1]) - damping * v[i]
    for i in range(1, n - 1):
        v[i] += dt * a[i]
        x[i] += dt * v[i]

energy = 0.5 * (v * v).sum()
print(f"energy={energy:.10e} x_mid={x[n // 2]:.10e} xsum={x.sum():.10e}")
