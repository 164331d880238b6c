"""numba on module-level loops: the loop moves into a jitted function the module calls (the names it
reads in, the names read later out), run for real against the original; and the must-decline traps."""

from __future__ import annotations

import runpy
import textwrap

import numpy as np
import pytest

from optadvise.model import MODULE, ArrayInfo, Profile
from optadvise.rewriters.base import Decline
from optadvise.rewriters.numba_jit import NumbaJit
from tests.rewriters.test_numba import finding

REWRITE: dict[str, tuple[str, list[str]]] = {  # script, names compared after the run
    "blur_in_place_of_the_loop": ("""
        import numpy as np

        # a 3x3 box blur
        image = np.arange(48.0).reshape(6, 8) % 7
        H, W = image.shape
        out = image.copy()
        # the hot loop
        for r in range(1, H - 1):  # <-
            for c in range(1, W - 1):
                acc = 0.0
                for dr in (-1, 0, 1):
                    for dc in (-1, 0, 1):
                        acc += image[r + dr, c + dc]
                out[r, c] = acc / 9.0

        print(out.sum())
    """, ["out"]),
    "scalars_read_later_are_returned": ("""
        import numpy as np

        a = np.linspace(0.0, 2.0, 40)
        total = 0.0
        peak = -1.0
        for i in range(a.shape[0]):  # <-
            total += a[i] * a[i]
            if a[i] > peak:
                peak = a[i]
        result = (total, peak)
    """, ["result"]),
    "inside_main_guard_with_a_helper": ("""
        import numpy as np


        def step(x, r):
            return r * x * (1.0 - x)


        if __name__ == "__main__":
            rates = np.linspace(2.5, 4.0, 30)
            out = np.empty_like(rates)
            for k in range(rates.shape[0]):  # <-
                x = 0.5
                for _ in range(50):
                    x = step(x, rates[k])
                out[k] = x
            last = x
    """, ["out", "last"]),
}

DECLINE: dict[str, tuple[str, str]] = {
    "prints_inside": ("""
        import numpy as np
        a = np.ones(5)
        for i in range(5):  # <-
            print(a[i])
    """, "prints"),
    "deletes_a_name": ("""
        import numpy as np
        a = np.ones(5)
        for i in range(5):  # <-
            t = a[i]
            del t
    """, "`del`"),
    "list_of_objects": ("""
        names = ["a", "b", "c"]
        n = 0
        for i in range(3):  # <-
            n += len(names[i])
    """, "`names` holds a Python List"),
    "dict_inside": ("""
        import numpy as np
        a = np.ones(5)
        for i in range(5):  # <-
            d = {"x": a[i]}
    """, "Dict"),
    "f_string_inside": ("""
        import numpy as np
        a = np.ones(5)
        s = ""
        for i in range(5):  # <-
            s = f"{a[i]}"
    """, "FormattedString"),
    "global_in_a_called_function": ("""
        import numpy as np
        count = 0


        def bump(v):
            global count
            count += 1
            return v


        a = np.ones(5)
        for i in range(5):  # <-
            a[i] = bump(a[i])
    """, "Global"),
}


def write(src: str, tmp_path, name: str) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.py"
    path.write_text(src)
    return str(path)


@pytest.mark.parametrize("name", list(REWRITE))
def test_module_loop_is_hoisted_into_a_jitted_function(name: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    src, compared = REWRITE[name]
    src = textwrap.dedent(src)
    before = runpy.run_path(write(src, tmp_path, "before"), run_name="__main__")
    arrays = [ArrayInfo(name=k, function=MODULE, filename="s.py", kind="ndarray", shape=v.shape,
                        dtype=str(v.dtype)) for k, v in before.items() if isinstance(v, np.ndarray)]
    cands = NumbaJit().propose(src, finding(src, MODULE), Profile(script="s.py", argv=[], cwd=".", arrays=arrays))
    new = cands[0].new
    assert "def kernel(" in new and "@numba.njit(cache=True)" in new
    assert [ln for ln in src.splitlines() if ln.lstrip().startswith("#")] == \
        [ln for ln in new.splitlines() if ln.lstrip().startswith("#")]  # comments kept
    for c in cands:
        after = runpy.run_path(write(c.new, tmp_path, "after"), run_name="__main__")
        for k in compared:
            assert np.allclose(np.asarray(after[k]), np.asarray(before[k]), rtol=1e-12, atol=0), k


@pytest.mark.parametrize("name", list(DECLINE))
def test_module_loop_numba_cannot_type_is_declined(name: str) -> None:
    src, why = DECLINE[name]
    src = textwrap.dedent(src)
    with pytest.raises(Decline, match=why):
        NumbaJit().propose(src, finding(src, MODULE), None)
