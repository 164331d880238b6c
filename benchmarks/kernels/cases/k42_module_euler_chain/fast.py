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
    a[1:-1] = k * (x[:-2] - 2.0 * x[1:-1] + x[2:]) - damping * v[1:-1]
    v[1:-1] += dt * a[1:-1]
    x[1:-1] += dt * v[1:-1]

energy = 0.5 * (v * v).sum()
print(f"energy={energy:.10e} x_mid={x[n // 2]:.10e} xsum={x.sum():.10e}")
