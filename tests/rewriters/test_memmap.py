"""memmap rewriter: mapped loads give the same outputs and leave files untouched; unsafe uses decline."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from optadvise.examples import marked_line
from optadvise.model import Finding
from optadvise.rewriters.base import Decline
from optadvise.rewriters.memmap import MemmapRewriter
from tests.rewriters.scripts import run_script


def finding(src: str, **evidence) -> Finding:
    line = marked_line(src)
    return Finding(rule="large-in-ram-load", code="OA401", filename="s.py", lineno=line, end_lineno=line,
                   function="<module>", message="", fixes=["memmap"], evidence=evidence)


def propose(src: str, **evidence):
    src = textwrap.dedent(src)
    (cand,) = MemmapRewriter().propose(src, finding(src, **evidence), None)
    compile(cand.new, "new", "exec")
    return cand


def run(code: str, tmp_path) -> str:
    return run_script(code, tmp_path)


@pytest.fixture
def data(tmp_path):
    arr = np.random.default_rng(0).random((20, 8))
    np.save(tmp_path / "stack.npy", arr)
    np.arange(100, dtype=np.float32).tofile(tmp_path / "raw.bin")
    return tmp_path


POSITIVE = {  # name -> (source, expected text in the rewrite)
    "load_read_only": ("""
        import numpy as np
        frames = np.load("stack.npy")  # <-
        for k in (0, 7, 19):
            print(f"{k}: {float(frames[k].mean()):.12f}")
        print(frames.shape, frames.dtype)
        """, 'np.load("stack.npy", mmap_mode="r")'),
    "load_in_function_with_views": ("""
        import numpy as np

        def main():
            data = np.load("stack.npy")  # <-
            row = data[3]
            block = data[2:5].T
            print(round(float(row.sum()), 10), round(float(np.mean(block)), 10), len(data))

        if __name__ == "__main__":
            main()
        """, 'mmap_mode="r"'),
    "load_written_copy_on_write": ("""
        import numpy as np
        a = np.load("stack.npy")  # <-
        a[0] = 5.0
        a *= 2
        print(round(float(a.sum()), 10))
        """, 'mmap_mode="c"'),
    "fromfile_offset_count": ("""
        import numpy as np
        vals = np.fromfile("raw.bin", dtype=np.float32, count=10, offset=16)  # <-
        print(vals.tolist(), float(vals.sum()))
        """, 'np.memmap("raw.bin", dtype=np.float32, mode="r", offset=16, shape=(10,))'),
    "fromfile_positional_named_count": ("""
        import numpy as np
        n = 25
        vals = np.fromfile("raw.bin", np.float32, n)  # <-
        print(vals.tolist())
        """, "shape=None if n < 0 else (n,)"),
    "fromfile_whole_default_dtype": ("""
        import numpy as np
        v = np.fromfile("raw.bin")  # <-
        print(v.size, float(v.sum()))
        """, 'np.memmap("raw.bin", dtype=float, mode="r")'),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_rewrite_keeps_outputs_and_files(name, data):
    src, expected = POSITIVE[name]
    cand = propose(src, path="stack.npy")
    assert expected in cand.new
    before = (data / "stack.npy").read_bytes(), (data / "raw.bin").read_bytes()
    assert run(cand.new, data) == run(textwrap.dedent(src), data)
    assert ((data / "stack.npy").read_bytes(), (data / "raw.bin").read_bytes()) == before


def test_note_reports_file_size():
    cand = propose(POSITIVE["load_read_only"][0], path="stack.npy", file_bytes=1_600_000_128)
    assert "1600.0 MB" in cand.note and "read-only" in cand.note


LOAD = 'import numpy as np\narr = np.load("x.npy")  # <-\n'

NEGATIVE = {
    "saved_back": LOAD + 'arr[0] = 1\nnp.save("x.npy", arr)\n',
    "file_rewritten": LOAD + 'print(arr.sum())\nnp.save("x.npy", np.zeros(3))\n',
    "npz": 'import numpy as np\nz = np.load("x.npz")  # <-\nprint(z["a"].sum())\n',
    "returned": 'import numpy as np\ndef f():\n    arr = np.load("x.npy")  # <-\n    return arr\n',
    "passed_on": LOAD + "process(arr)\n",
    "printed": LOAD + "print(arr)\n",
    "printed_view": LOAD + "v = arr[0]\nprint(repr(v))\n",
    "sorted_in_place_then_saved": LOAD + "arr.sort()\narr.tofile('y.bin')\n",
    "unknown_path": 'import numpy as np\nimport sys\narr = np.load(sys.argv[1])  # <-\nprint(arr.sum())\n',
    "file_object": 'import numpy as np\nfh = open("x.npy", "rb")\narr = np.load(fh)  # <-\nprint(arr.sum())\n',
    "fromfile_text": 'import numpy as np\nv = np.fromfile("x.txt", sep=",")  # <-\nprint(v.sum())\n',
    "already_mapped": 'import numpy as np\narr = np.load("x.npy", mmap_mode="r")  # <-\nprint(arr.sum())\n',
    "not_bound": 'import numpy as np\nprint(np.load("x.npy").sum())  # <-\n',
}


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_declines(name):
    src = NEGATIVE[name]
    with pytest.raises(Decline):
        MemmapRewriter().propose(src, finding(src), None)


def test_text_formats_decline_with_conversion_commands():
    src = 'import numpy as np\nd = np.loadtxt("data.csv", delimiter=",")  # <-\nprint(d.sum())\n'
    with pytest.raises(Decline) as e:
        MemmapRewriter().propose(src, finding(src), None)
    msg = str(e.value)
    assert "np.save('data.npy', np.loadtxt('data.csv', delimiter=','))" in msg
    assert "np.load('data.npy', mmap_mode='r')" in msg
    src = 'import pandas as pd\ndf = pd.read_csv("t.csv")  # <-\n'
    with pytest.raises(Decline, match="to_parquet"):
        MemmapRewriter().propose(src, finding(src), None)


# ---------------------------------------------------------------- loaders across functions

ACROSS = {  # name -> (source, expected text in the rewrite)
    "loader_returns_load": ("""
        import numpy as np


        def load_stack(path):
            return np.load(path)  # <-


        def frame_means(stack, picks):
            return [float(stack[k].mean()) for k in picks]


        def main():
            stack = load_stack("stack.npy")
            print([round(v, 12) for v in frame_means(stack, (0, 7, 19))])


        main()
        """, 'return np.load(path, mmap_mode="r")'),
    "named_then_returned_and_written_by_caller": ("""
        import numpy as np


        def load():
            data = np.load("stack.npy")  # <-
            return data


        def main():
            work = load()
            work[0] = 0.0
            print(round(float(work[:3].sum()), 10))


        if __name__ == "__main__":
            main()
        """, 'np.load("stack.npy", mmap_mode="c")'),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ACROSS))
def test_across_functions_keeps_outputs_and_files(name, data):
    src, expected = ACROSS[name]
    cand = propose(src, path="stack.npy")
    assert expected in cand.new
    before = (data / "stack.npy").read_bytes()
    assert run(cand.new, data) == run(textwrap.dedent(src), data)
    assert (data / "stack.npy").read_bytes() == before


LOADER = """import numpy as np


def load():
    return np.load("stack.npy")  # <-
"""

ACROSS_DECLINES = {  # name -> (source, reason)
    "caller_prints_it": (LOADER + "\n\nprint(load())\n", "is not bound to a name"),
    "caller_shows_it": (LOADER + "\n\nx = load()\nprint(x)\n", "itself is shown"),
    "caller_hands_it_to_a_library": (LOADER + "\n\nimport scipy.ndimage\nx = load()\n"
                                     "print(scipy.ndimage.median(x))\n", "passed to `scipy.ndimage.median`"),
    "one_caller_saves_it": (LOADER + "\n\nx = load()\ny = load()\nnp.save('copy.npy', y)\n", "is saved"),
    "nobody_calls_it": (LOADER, "which nothing calls"),
}


@pytest.mark.parametrize("name", sorted(ACROSS_DECLINES))
def test_across_functions_declines(name):
    src, reason = ACROSS_DECLINES[name]
    with pytest.raises(Decline) as declined:
        MemmapRewriter().propose(src, finding(src, path="stack.npy"), None)
    assert reason in str(declined.value)
