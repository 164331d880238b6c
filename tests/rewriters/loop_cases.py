"""Loop shapes for the loop rewriters: each case is a small program, the loop marked `# <-`,
the arguments to call `f` with (None for module-level cases), and whether `vectorize` must rewrite
("ok") or decline ("no")."""

from __future__ import annotations

import numpy as np

R = np.random.default_rng(42)


def f8(n: int = 7) -> np.ndarray:
    return R.standard_normal(n)


def m8(h: int = 5, w: int = 6) -> np.ndarray:
    return R.standard_normal((h, w))


def ints(dtype: str, n: int = 9, lo: int = -100, hi: int = 100) -> np.ndarray:
    return R.integers(lo, hi, n).astype(dtype)


# name: (expect, source, args factory)
CASES: dict[str, tuple[str, str, object]] = {
    "map_mul": ("ok", """
import numpy as np
def f(a, b):
    out = np.empty_like(a)
    for i in range(len(a)):  # <-
        out[i] = a[i] * b[i]
    return out
""", lambda: (f8(), f8())),
    "map_math": ("ok", """
import math
import numpy as np
def f(a, b, c):
    out = np.zeros(a.shape[0])
    for i in range(a.shape[0]):  # <-
        out[i] = math.sqrt(abs(a[i])) + math.sin(b[i]) * c - math.exp(-a[i] ** 2)
    return out
""", lambda: (f8(), f8(), 1.5)),
    "map_ifexp_minmax": ("ok", """
import numpy as np
def f(a, b):
    out = np.empty(len(a))
    for i in range(len(a)):  # <-
        out[i] = (a[i] if a[i] > 0 else 0.0) + min(a[i], b[i]) - max(b[i], 0.25)
    return out
""", lambda: (f8(), f8())),
    "map_elif_chain": ("ok", """
import numpy as np
def f(a):
    out = np.empty_like(a)
    for i in range(a.size):  # <-
        if a[i] < -0.5:
            out[i] = -1.0
        elif a[i] < 0.5:
            out[i] = a[i]
        else:
            out[i] = 1.0
    return out
""", lambda: (f8(),)),
    "temp_branches": ("ok", """
import numpy as np
def f(a):
    out = np.empty_like(a)
    for i in range(len(a)):  # <-
        if a[i] > 0:
            v = a[i]
        else:
            v = -a[i]
        out[i] = v * 2.0 + v
    return out
""", lambda: (f8(),)),
    "image_2d": ("ok", """
import numpy as np
def f(img, gamma, gain):
    h, w = img.shape
    out = np.empty((h, w))
    for r in range(h):  # <-
        for c in range(w):
            v = gain * abs(img[r, c]) ** gamma
            out[r, c] = v if v < 1.0 else 1.0
    return out
""", lambda: (m8(), 0.8, 1.3)),
    "jacobi_2d": ("ok", """
import numpy as np
def f(u, iters):
    n, m = u.shape
    for _ in range(iters):  # <-
        new = u.copy()
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                new[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
        u = new
    return u
""", lambda: (m8(7, 8), 3)),
    "stencil_1d": ("ok", """
import numpy as np
def f(u):
    new = u.copy()
    for i in range(1, len(u) - 1):  # <-
        new[i] = (u[i - 1] + u[i + 1]) / 2.0
    return new
""", lambda: (f8(),)),
    "stencil_alias_no_copy": ("no", """
import numpy as np
def f(u):
    new = u
    for i in range(1, len(u) - 1):  # <-
        new[i] = (u[i - 1] + u[i + 1]) / 2.0
    return new
""", lambda: (f8(),)),
    "prefix_sum": ("no", """
import numpy as np
def f(a):
    b = a.copy()
    for i in range(1, len(b)):  # <-
        b[i] = b[i - 1] + b[i]
    return b
""", lambda: (f8(),)),
    "geometric_recurrence": ("no", """
import numpy as np
def f(a, r):
    for i in range(1, len(a)):  # <-
        a[i] = a[i - 1] * r
    return a
""", lambda: (f8(), 0.9)),
    "shift_forward_inplace": ("ok", """
import numpy as np
def f(a):
    for i in range(len(a) - 1):  # <-
        a[i] = a[i + 1]
    return a
""", lambda: (f8(),)),
    "shift_backward_inplace": ("no", """
import numpy as np
def f(a):
    for i in range(1, len(a)):  # <-
        a[i] = a[i - 1]
    return a
""", lambda: (f8(),)),
    "inplace_increment": ("ok", """
import numpy as np
def f(a):
    for i in range(len(a)):  # <-
        a[i] += 1
    return None
""", lambda: (ints("int64"),)),
    "write_then_read_ahead": ("no", """
import numpy as np
def f(a):
    b = np.zeros(len(a))
    for i in range(len(a) - 1):  # <-
        a[i] = 0.0
        b[i] = a[i + 1]
    return b
""", lambda: (f8(),)),
    "write_then_read_same": ("ok", """
import numpy as np
def f(a):
    out = np.empty_like(a)
    out2 = np.empty_like(a)
    for i in range(len(a)):  # <-
        out[i] = a[i] * 2.0
        out2[i] = out[i] + 1.0
    return out, out2
""", lambda: (f8(),)),
    "param_out_guarded_against_alias": ("ok", """
import numpy as np
def f(a, out):
    for i in range(1, len(a)):  # <-
        out[i] = a[i - 1] * 2.0
    return out
""", lambda: (f8(), np.zeros(7))),
    "early_break": ("no", """
import numpy as np
def f(a):
    s = 0.0
    for i in range(len(a)):  # <-
        if a[i] > 1.0:
            break
        s += a[i]
    return s
""", lambda: (f8(),)),
    "early_return": ("no", """
import numpy as np
def f(a):
    for i in range(len(a)):  # <-
        if a[i] > 1.0:
            return i
    return -1
""", lambda: (f8(),)),
    "int32_sum_overflow": ("no", """
import numpy as np
def f(a):
    s = 0
    for i in range(len(a)):  # <-
        s += a[i] * a[i]
    return s
""", lambda: (ints("int32", 50, 40000, 50000),)),
    "int8_count": ("ok", """
import numpy as np
def f(a):
    c = 0
    for i in range(len(a)):  # <-
        if a[i] > 0:
            c += 1
    return c
""", lambda: (ints("int8"),)),
    "float_sum_filter": ("ok", """
import numpy as np
def f(a, b):
    s = 0.5
    for i in range(len(a)):  # <-
        if a[i] > 0 and b[i] < 0.5:
            s += a[i] * 2.0
    return s
""", lambda: (f8(), f8())),
    "dot_empty": ("ok", """
import numpy as np
def f(a, b):
    s = 0.0
    for i in range(len(a)):  # <-
        s += a[i] * b[i]
    return s
""", lambda: (np.empty(0), np.empty(0))),
    "zero_d": ("no", """
import numpy as np
def f(a):
    s = 0.0
    for i in range(a.size):  # <-
        s += a[i]
    return s
""", lambda: (np.array(3.0),)),
    "noncontiguous_view": ("ok", """
import numpy as np
def f(a, b):
    out = np.empty(len(a))
    for i in range(len(a)):  # <-
        out[i] = a[i] - 2.0 * b[i]
    return out
""", lambda: (f8(14)[::2], m8(7, 3)[:, 1])),
    "module_dot_norm": ("ok", """
import numpy as np
rng = np.random.default_rng(6)
u = rng.standard_normal(50)
v = rng.standard_normal(50)
dot = 0.0
norm2 = 0.0
for i in range(u.size):  # <-
    dot += u[i] * v[i]
    norm2 += u[i] * u[i]
result = (dot, norm2 ** 0.5)
""", None),
    "module_map": ("ok", """
import numpy as np
x = np.linspace(0.0, 1.0, 30)
y = np.zeros(30)
for k in range(30):  # <-
    y[k] = 3.0 * x[k] ** 2 - x[k]
result = y
""", None),
    "module_concat_rows": ("ok", """
import numpy as np
rng = np.random.default_rng(8)
raw = rng.random((40, 3))
table = np.empty((0, 4))
for row in raw:  # <-
    feat = np.array([[row[0], row[1], row[2], row[0] * row[1]]])
    table = np.concatenate([table, feat])
result = table
""", None),
    "while_counter": ("ok", """
import numpy as np
def f(a):
    i = 0
    s = 0.0
    while i < len(a):  # <-
        s += a[i]
        i += 1
    return s
""", lambda: (f8(),)),
    "while_counter_from_a_parameter_up_to_and_including": ("ok", """
import numpy as np
def f(a, k):
    out = np.zeros_like(a)
    i = k
    while i <= len(a) - 2:  # <-
        out[i] = a[i] * a[i + 1]
        i += 1
    return out
""", lambda: (f8(), 2)),
    "while_counter_read_after_the_loop": ("no", """
import numpy as np
def f(a):
    out = np.zeros_like(a)
    i = 0
    while i < len(a):  # <-
        out[i] = a[i] * 2.0
        i += 1
    return out, i
""", lambda: (f8(),)),
    "while_counter_stepped_twice": ("no", """
import numpy as np
def f(a):
    out = np.zeros_like(a)
    i = 0
    while i < len(a):  # <-
        out[i] = a[i] * 2.0
        if a[i] > 0:
            i += 1
        i += 1
    return out
""", lambda: (f8(),)),
    "while_counter_with_continue": ("no", """
import numpy as np
def f(a):
    out = np.zeros_like(a)
    i = 0
    while i < len(a):  # <-
        out[i] = a[i] * 2.0
        if a[i] > 0:
            continue
        i += 1
    return out
""", lambda: (-np.abs(f8()),)),
    "while_counter_start_rebound_before_the_loop": ("no", """
import numpy as np
def f(a, k):
    out = np.zeros_like(a)
    i = k
    k = 0
    while i < len(a):  # <-
        out[i] = a[i] * 2.0
        i += 1
    return out
""", lambda: (f8(), 2)),
    "while_with_a_data_dependent_stop": ("no", """
import numpy as np
def f(a):
    out = np.zeros_like(a)
    n = len(a)
    i = 0
    while i < n:  # <-
        out[i] = a[i] * 2.0
        n = n - 1
        i += 1
    return out
""", lambda: (f8(),)),
    "enumerate_map": ("ok", """
import numpy as np
def f(a):
    out = np.zeros_like(a)
    for i, x in enumerate(a):  # <-
        out[i] = x * 2.0 + i
    return out
""", lambda: (f8(),)),
    "zip_dot": ("ok", """
import numpy as np
def f(a, b):
    s = 0.0
    for x, y in zip(a, b):  # <-
        s += x * y
    return s
""", lambda: (f8(), f8()[:-3])),
    "zip_map_into_rows": ("ok", """
import numpy as np
def f(A, w):
    out = np.zeros(A.shape[0])
    s = 0.0
    for row, wi in zip(A, w):  # <-
        s += wi * row[1]
    return s
""", lambda: (np.arange(24.0).reshape(8, 3), f8()[:8])),
    "zip_over_a_computed_value": ("no", """
import numpy as np
def f(a, b):
    s = 0.0
    for x, y in zip(a, b[::-1]):  # <-
        s += x * y
    return s
""", lambda: (f8(), f8())),
    "zip_over_an_array_the_loop_rebinds": ("no", """
import numpy as np
def f(a, b):
    s = 0.0
    for x, y in zip(a, b):  # <-
        s += x * y
        b = a
    return s
""", lambda: (f8(), f8())),
    "iterate_list_append": ("ok", """
import math
import numpy as np
def f(a):
    vals = []
    for x in a:  # <-
        if x > 0:
            vals.append(math.sqrt(x))
    return vals
""", lambda: (f8(20),)),
    "iterate_sum": ("ok", """
import numpy as np
def f(a):
    s = 0.0
    for x in a:  # <-
        s += x * x
    return s
""", lambda: (f8(),)),
    "loop_var_after": ("no", """
import numpy as np
def f(a):
    out = np.empty_like(a)
    for i in range(len(a)):  # <-
        out[i] = a[i] + 1.0
    return out, i
""", lambda: (f8(),)),
    "temp_after": ("no", """
import numpy as np
def f(a):
    out = np.empty_like(a)
    for i in range(len(a)):  # <-
        t = a[i] + 1.0
        out[i] = t * t
    return out, t
""", lambda: (f8(),)),
    "running_max_if": ("ok", """
import numpy as np
def f(a):
    m = -np.inf
    for i in range(len(a)):  # <-
        if a[i] > m:
            m = a[i]
    return m
""", lambda: (f8(),)),
    "running_min_builtin": ("ok", """
import numpy as np
def f(a):
    m = 10.0
    for i in range(len(a)):  # <-
        m = min(m, a[i] * 2.0)
    return m
""", lambda: (f8(),)),
    "np_append_filter": ("ok", """
import numpy as np
def f(a):
    res = np.array([])
    for i in range(len(a)):  # <-
        if a[i] > 0:
            res = np.append(res, a[i] * 10.0)
    return res
""", lambda: (f8(30),)),
    "overwrite_across_inner": ("no", """
import numpy as np
def f(a):
    h, w = a.shape
    out = np.empty(h)
    for i in range(h):  # <-
        for j in range(w):
            out[i] = a[i, j]
    return out
""", lambda: (m8(),)),
    "row_sums_2d": ("ok", """
import numpy as np
def f(a):
    h, w = a.shape
    out = np.zeros(h)
    for i in range(h):  # <-
        for j in range(w):
            out[i] += a[i, j]
    return out
""", lambda: (m8(),)),
    "impure_call": ("no", """
import numpy as np
def f(a, rng):
    out = np.empty_like(a)
    for i in range(len(a)):  # <-
        out[i] = a[i] + rng.random()
    return out
""", lambda: (f8(), np.random.default_rng(1))),
    "logistic_map": ("ok", """
import numpy as np
def f(rates, steps):
    out = np.empty_like(rates)
    for k in range(rates.shape[0]):  # <-
        x = 0.5
        r = rates[k]
        for _ in range(steps):
            x = r * x * (1.0 - x)
        out[k] = x
    return out
""", lambda: (np.linspace(2.5, 4.0, 9), 50)),
    "matmul_lists": ("no", """
def f(A, B):
    n = len(A)
    C = [[0.0] * n for _ in range(n)]
    for i in range(n):  # <-
        for j in range(n):
            for k in range(n):
                C[i][j] += A[i][k] * B[k][j]
    return C
""", lambda: ([[1.0, 2.0], [3.0, 4.0]], [[0.5, 1.0], [1.5, 2.0]])),
    "loop_var_value": ("ok", """
import numpy as np
def f(a):
    out = np.empty_like(a)
    for i in range(2, len(a)):  # <-
        out[i] = i * a[i] - a[i - 2] / (i + 1)
    return out[2:]
""", lambda: (f8(),)),
    "guarded_write_no_else": ("ok", """
import numpy as np
def f(a):
    out = np.zeros(len(a))
    for i in range(len(a)):  # <-
        if a[i] > 0:
            out[i] = a[i] ** 2
    return out
""", lambda: (f8(),)),
    "multi_statement_branch": ("ok", """
import numpy as np
def f(a):
    out = np.zeros(len(a))
    cnt = 0
    for i in range(len(a)):  # <-
        if a[i] > 0:
            out[i] = 1.0
            cnt += 1
        else:
            out[i] = a[i]
    return out, cnt
""", lambda: (f8(),)),
    "branch_modifies_cond_array": ("ok", """
import numpy as np
def f(a):
    b = np.zeros(len(a))
    for i in range(len(a)):  # <-
        if a[i] > 0:
            a[i] = 0.0
            b[i] = a[i] + 5.0
    return b
""", lambda: (f8(),)),
    "float32_map": ("ok", """
import math
import numpy as np
def f(a):
    out = np.empty_like(a)
    for i in range(len(a)):  # <-
        out[i] = math.sqrt(abs(a[i])) * 3.0
    return out
""", lambda: (f8().astype(np.float32),)),
    "int8_math": ("ok", """
import math
import numpy as np
def f(a):
    out = np.empty(len(a))
    for i in range(len(a)):  # <-
        out[i] = math.sqrt(abs(a[i]) + 0.5)
    return out
""", lambda: (ints("int8"),)),
}
