"""loop-over-ndarray (OA101) through the real profiler: loop shapes, dependence classes, negatives."""

from __future__ import annotations

import pytest

from tests.helpers import findings, profile_json, write

pytestmark = pytest.mark.slow

N = 300_000

SHAPES = {
    "module_level_range": f"""
        import numpy as np
        a = np.linspace(0.0, 1.0, {N})
        out = np.empty_like(a)
        for i in range(len(a)):
            out[i] = 3.0 * a[i] + 1.0
        print(out[-1])
    """,
    "function_range": f"""
        import numpy as np

        def affine(a):
            out = np.empty_like(a)
            for i in range(a.shape[0]):
                out[i] = 3.0 * a[i] + 1.0
            return out

        print(affine(np.linspace(0.0, 1.0, {N}))[-1])
    """,
    "while_counter": f"""
        import numpy as np

        def affine(a):
            out = np.zeros_like(a)
            i = 0
            while i < a.size:
                out[i] = 3.0 * a[i] + 1.0
                i += 1
            return out

        print(affine(np.linspace(0.0, 1.0, {N}))[-1])
    """,
    "iterate_directly": f"""
        import numpy as np
        a = np.linspace(0.0, 1.0, {N})
        hits = []
        for v in a:
            hits.append(v > 0.5)
        print(sum(hits))
    """,
    "enumerate": f"""
        import numpy as np

        def affine(a):
            out = np.empty_like(a)
            for i, v in enumerate(a):
                out[i] = 3.0 * v + 1.0
            return out

        print(affine(np.linspace(0.0, 1.0, {N}))[-1])
    """,
    "nested_2d": """
        import numpy as np

        def scale(img):
            out = np.empty_like(img)
            for r in range(img.shape[0]):
                for c in range(img.shape[1]):
                    out[r, c] = img[r, c] * 0.5
            return out

        print(scale(np.ones((500, 500))).sum())
    """,
    "reduction": f"""
        import numpy as np

        def energy(x):
            total = 0.0
            for i in range(len(x)):
                total += x[i] * x[i]
            return total

        print(energy(np.linspace(0.0, 1.0, {N})))
    """,
    "method_over_attributes": f"""
        import numpy as np

        class Model:
            def __init__(self, x, coef):
                self.x, self.coef = x, coef

            def predict(self):
                n, p = self.x.shape
                out = np.zeros(n)
                for i in range(n):
                    for j in range(p):
                        out[i] += self.x[i, j] * self.coef[j]
                return out

        print(Model(np.ones(({N // 4}, 4)), np.ones(4)).predict()[-1])
    """,
    "python_list_of_floats": """
        def mean_square(values):
            acc = 0.0
            for i in range(len(values)):
                acc += values[i] ** 2
            return acc / len(values)

        data = [0.001 * k for k in range(1_000_000)]
        print(mean_square(data))
    """,
}

# which line the finding points at, and the dependence it must report
EXPECT = {
    "module_level_range": (5, "independent"),
    "function_range": (6, "independent"),
    "while_counter": (7, None),  # a while loop: "carried" (trip count) is an acceptable class
    "iterate_directly": (5, "independent"),
    "enumerate": (6, "independent"),
    "nested_2d": (6, "independent"),
    "reduction": (6, "reduction"),
    "python_list_of_floats": (4, "reduction"),
    "method_over_attributes": (11, "independent"),
}


def test_arrays_an_object_holds_are_the_evidence_of_its_method(tmp_path):
    write(tmp_path, "s.py", SHAPES["method_over_attributes"])
    proc, doc = profile_json("s.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    [f] = findings(doc, "loop-over-ndarray")
    assert f["function"] == "Model.predict" and {"self.coef", "self.x"} <= set(f["evidence"]["arrays"]), f
    assert f["evidence"]["arrays"]["self.x"]["shape"] == [N // 4, 4]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_loop_shapes_fire(tmp_path, shape):
    write(tmp_path, "s.py", SHAPES[shape])
    proc, doc = profile_json("s.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    found = findings(doc, "loop-over-ndarray")
    line, dependence = EXPECT[shape]
    assert [f["lineno"] for f in found] == [line], (shape, found)
    f = found[0]
    # the loop dominates the run, but how much of the wall time interpreter start-up takes depends on load
    assert f["share"] >= 0.1 and f["severity"] in ("high", "medium"), f
    assert f["confidence"] == "measured"
    assert f["evidence"]["arrays"], f["evidence"]
    if dependence:
        assert f["evidence"]["dependence"] == dependence, f["evidence"]


def test_direct_iteration_over_array_parameter_fires(tmp_path):
    write(tmp_path, "p.py", f"""
        import numpy as np

        def count_big(a):
            hits = 0
            for v in a:
                if v > 0.5:
                    hits += 1
            return hits

        print(count_big(np.linspace(0.0, 1.0, {N})))
    """)
    proc, doc = profile_json("p.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [f["lineno"] for f in findings(doc, "loop-over-ndarray")] == [6]


RECURRENCES = {
    "logistic_scalar": """
        import numpy as np

        def orbit(r, n):
            xs = np.empty(n)
            x = 0.3
            for i in range(n):
                x = r * x * (1.0 - x)
                xs[i] = x
            return xs

        print(orbit(3.7, 300_000)[-5:])
    """,
    "prefix_array": """
        import numpy as np

        def running(a):
            c = np.empty_like(a)
            c[0] = a[0]
            for i in range(1, len(a)):
                c[i] = c[i - 1] + a[i]
            return c

        print(running(np.ones(300_000))[-1])
    """,
}


@pytest.mark.parametrize("name", sorted(RECURRENCES))
def test_recurrences_are_carried_and_get_numba(tmp_path, name):
    write(tmp_path, "r.py", RECURRENCES[name])
    proc, doc = profile_json("r.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    [f] = findings(doc, "loop-over-ndarray")
    assert f["evidence"]["dependence"] == "carried", f["evidence"]
    assert f["fixes"] == ["numba"]
    assert "Numba" in f["message"]


NEGATIVES = {  # static negatives are VALID examples of the rule; this one needs the measured share
    "small_array_loop": """
        import numpy as np

        def tiny(a):
            s = 0.0
            for i in range(len(a)):
                s += a[i]
            return s

        big = np.linspace(0.0, 1.0, 3_000_000)
        for _ in range(5):
            total = tiny(np.ones(50)) + float(np.sort(big)[-1])
        print(total)
    """,
}


NEGATIVES["method_over_a_list_of_strings"] = """
    class Registry:
        def __init__(self, names):
            self.names = names
            self.count = 0

        def tally(self):
            for i in range(len(self.names)):
                if self.names[i].startswith("a"):
                    self.count += 1
            return self.count

    print(Registry(["ab", "cd"] * 300_000).tally())
"""


@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_negatives_stay_silent(tmp_path, name):
    write(tmp_path, "n.py", NEGATIVES[name])
    proc, doc = profile_json("n.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert findings(doc, "loop-over-ndarray") == [], findings(doc, "loop-over-ndarray")
