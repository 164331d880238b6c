"""`check` with the shipped rules on the patterns they are meant to catch (and a clean twin of each)."""

from __future__ import annotations

import pytest

from .helpers import cli, cli_json, write

LOOP = """\
    import numpy as np

    def mul(a, b):
        out = np.empty_like(a)
        for i in range(len(a)):
            out[i] = a[i] * b[i]
        return out

    a = np.zeros(10)
    b = np.ones(10)
    print(mul(a, b))
"""
APPEND = """\
    import numpy as np

    x = np.array([])
    for v in range(100):
        x = np.append(x, v)
    print(x.sum())
"""
THREADS = """\
    import threading

    def work(n):
        total = 0
        for i in range(n):
            total += i * i
        return total

    threads = [threading.Thread(target=work, args=(10_000_000,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
"""
LOAD = """\
    import numpy as np

    def first_rows(path):
        data = np.load(path)
        return data[:10]

    raw = np.fromfile("big.bin", dtype=np.float64)
    print(first_rows("big.npy"), raw[:3])
"""
CLEAN = """\
    import numpy as np

    a = np.zeros(10)
    b = np.ones(10)
    print((a * b).sum(), np.concatenate([a, b]).shape)
"""


@pytest.mark.parametrize("source, code, slug", [
    (LOOP, "OA101", "loop-over-ndarray"),
    (APPEND, "OA102", "append-in-loop"),
    (THREADS, "OA301", "cpu-bound-threading"),
    (LOAD, "OA401", "large-in-ram-load"),
])
def test_rule_flags_its_pattern(tmp_path, source, code, slug):
    write(tmp_path, "script.py", source)
    status, doc = cli_json(["check", "script.py"], tmp_path)
    hits = [f for f in doc["findings"] if f["code"] == code]
    assert hits, doc
    assert all(f["rule"] == slug and f["confidence"] == "static" and f["severity"] == "low" for f in hits)
    assert status == 1
    # and the same finding can be suppressed by code on its line
    lines = source.splitlines()
    for f in hits:
        lines[f["lineno"] - 1] += f"  # noqa: {code}"
    write(tmp_path, "script.py", "\n".join(lines) + "\n")
    _, doc = cli_json(["check", "script.py"], tmp_path)
    assert not [f for f in doc["findings"] if f["code"] == code]


def test_clean_script_passes(tmp_path):
    write(tmp_path, "clean.py", CLEAN)
    result = cli(["check", "clean.py"], tmp_path)
    assert result.exit_code == 0, result.stdout


def test_select_by_slug_keeps_only_that_rule(tmp_path):
    write(tmp_path, "a.py", LOOP)
    write(tmp_path, "b.py", APPEND)
    _, doc = cli_json(["check", ".", "--select", "append-in-loop"], tmp_path)
    assert {f["code"] for f in doc["findings"]} == {"OA102"}
