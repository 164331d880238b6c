"""Equality with a stated tolerance: printed output, Python/NumPy values, and files.

Tolerance policy (the same everywhere):
- words must be identical (whitespace amounts ignored); integers printed as integers must be equal;
- other numbers a, b are equal when ``math.isclose(a, b, rel_tol=rtol, abs_tol=atol)`` (NaN equals NaN,
  infinities must match exactly); arrays element-wise ``|a - b| <= atol + rtol * max(|a|, |b|)`` with
  equal shape, equal dtype and NaN in the same positions;
- ``rtol`` is the candidate's own (default 1e-9, a rewriter that re-orders float sums states more),
  ``atol`` is tiny (``ATOL`` = 1e-12) so that values that should be zero may differ by rounding only.
Every comparison returns a `Diff`: ok, a one-line reason when not ok, and the largest relative difference.
NumPy is imported lazily, when values or array files are compared (text and plain files need none).
"""

from __future__ import annotations

import math
import numbers
import os
import re
from dataclasses import dataclass
from typing import Any

ATOL = 1e-12

_NUM = re.compile(
    r"(?<![A-Za-z_])[-+]?(?:nan|inf(?:inity)?)(?![A-Za-z_])"
    r"|[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?",
    re.IGNORECASE,
)
_INT = re.compile(r"[-+]?\d+")
TEXT_SUFFIXES = (".txt", ".csv", ".tsv", ".dat", ".out", ".log", ".json")


@dataclass
class Diff:
    ok: bool
    reason: str = ""
    max_rel_diff: float = 0.0

    @staticmethod
    def worst(diffs: list[Diff]) -> Diff:
        bad = [d for d in diffs if not d.ok]
        rel = max((d.max_rel_diff for d in diffs), default=0.0)
        return Diff(False, bad[0].reason, rel) if bad else Diff(True, "", rel)


def rel_diff(a: float, b: float) -> float:
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0.0
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b))


def numbers_close(a: float, b: float, rtol: float, atol: float = ATOL) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


# ------------------------------------------------------------------------------------------ text


Token = tuple[str, Any]  # ("w", "word") | ("n", (float, text))


def tokens(text: str) -> list[Token]:
    """Words and numbers in order of appearance; a number keeps its printed form."""
    out: list[Token] = []
    pos = 0
    for m in _NUM.finditer(text):
        out.extend(("w", w) for w in text[pos:m.start()].split())
        out.append(("n", (float(m.group()), m.group())))
        pos = m.end()
    out.extend(("w", w) for w in text[pos:].split())
    return out


def _short(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


def compare_text(a: str, b: str, rtol: float, atol: float = ATOL,
                 ignore: frozenset[int] = frozenset()) -> Diff:
    """`a` is the reference output, `b` the candidate's. Token positions in `ignore` are skipped."""
    ta, tb = tokens(a), tokens(b)
    worst = 0.0
    for i, (x, y) in enumerate(zip(ta, tb)):
        if i in ignore:
            continue
        if x[0] != y[0]:
            return Diff(False, f"output differs at token {i + 1}: {_short(str(x[1][1] if x[0] == 'n' else x[1]))!r}"
                               f" vs {_short(str(y[1][1] if y[0] == 'n' else y[1]))!r}", worst)
        if x[0] == "w":
            if x[1] != y[1]:
                return Diff(False, f"words differ at token {i + 1}: {_short(x[1])!r} vs {_short(y[1])!r}", worst)
            continue
        (va, sa), (vb, sb) = x[1], y[1]
        d = rel_diff(va, vb)
        if bool(_INT.fullmatch(sa)) != bool(_INT.fullmatch(sb)):
            return Diff(False, f"number format differs at token {i + 1}: {sa} vs {sb}", max(worst, d))
        if _INT.fullmatch(sa):
            ok = int(sa) == int(sb)
        else:
            ok = numbers_close(va, vb, rtol, atol)
        if not ok:
            return Diff(False, f"numbers differ at token {i + 1}: {sa} vs {sb}", max(worst, d))
        worst = max(worst, d)
    if len(ta) != len(tb):
        i = min(len(ta), len(tb))
        more, who = (ta, "original") if len(ta) > len(tb) else (tb, "candidate")
        t = more[i]
        shown = t[1][1] if t[0] == "n" else t[1]
        return Diff(False, f"output length differs: the {who} prints more from token {i + 1} "
                           f"({_short(str(shown))!r})", worst)
    return Diff(True, "", worst)


def volatile_positions(outputs: list[str], rtol: float, atol: float = ATOL) -> frozenset[int] | None:
    """Number positions that differ between runs of the same program (timings, unseeded noise).

    None when the runs do not even have the same words/structure: their output cannot be compared."""
    base = tokens(outputs[0])
    varying: set[int] = set()
    for other in outputs[1:]:
        t = tokens(other)
        if len(t) != len(base):
            return None
        for i, (x, y) in enumerate(zip(base, t)):
            if x[0] != y[0] or (x[0] == "w" and x[1] != y[1]):
                return None
            if x[0] == "n" and not numbers_close(x[1][0], y[1][0], rtol, atol):
                varying.add(i)
    return frozenset(varying)


# ------------------------------------------------------------------------------------------ values


def _is_array(x: Any) -> bool:
    import numpy as np

    return isinstance(x, np.ndarray)


def _is_number(x: Any) -> bool:
    if isinstance(x, (bool, numbers.Number)):
        return True
    import numpy as np

    return isinstance(x, np.generic) and np.issubdtype(type(x), np.number) or isinstance(x, np.bool_)


def _number_kind(x: Any) -> str:
    """bool, int or float: a value changing kind (2500 -> 2500.0) is a different result."""
    if isinstance(x, bool) or type(x).__name__ == "bool_":
        return "bool"
    return "int" if isinstance(x, numbers.Integral) or "int" in type(x).__name__ else "float"


def compare_arrays(a: Any, b: Any, rtol: float, atol: float = ATOL, what: str = "array") -> Diff:
    import numpy as np

    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return Diff(False, f"{what}: shape {a.shape} vs {b.shape}")
    if a.dtype != b.dtype:
        return Diff(False, f"{what}: dtype {a.dtype} vs {b.dtype}")
    if a.size == 0:
        return Diff(True)
    if a.dtype.kind not in "fciub":  # object, strings, structured: exact
        try:
            same = bool(np.array_equal(a, b))
        except Exception:  # noqa: BLE001 - uncomparable contents
            same = False
        if not same and a.dtype.kind == "O":
            return Diff.worst([compare_values(x, y, rtol, atol, f"{what}[{i}]")
                               for i, (x, y) in enumerate(zip(a.ravel().tolist(), b.ravel().tolist()))])
        return Diff(same, "" if same else f"{what}: contents differ")
    if a.dtype.kind in "iub":
        ne = np.flatnonzero(a.ravel() != b.ravel())
        if ne.size:
            k = int(ne[0])
            return Diff(False, f"{what}: {int(ne.size)} element(s) differ, first at flat index {k}: "
                               f"{a.ravel()[k]!r} vs {b.ravel()[k]!r}", math.inf)
        return Diff(True)
    af, bf = a.ravel(), b.ravel()
    if np.array_equal(af, bf):  # the common case (equal and NaN-free), in one pass: nothing to measure
        return Diff(True, "", 0.0)
    nan_a, nan_b = np.isnan(af), np.isnan(bf)
    if not np.array_equal(nan_a, nan_b):
        k = int(np.flatnonzero(nan_a != nan_b)[0])
        return Diff(False, f"{what}: NaN positions differ (flat index {k}: {af[k]!r} vs {bf[k]!r})", math.inf)
    fin = np.isfinite(af) & np.isfinite(bf)
    inf_bad = ~fin & ~nan_a & (af != bf)
    if inf_bad.any():
        k = int(np.flatnonzero(inf_bad)[0])
        return Diff(False, f"{what}: infinities differ (flat index {k}: {af[k]!r} vs {bf[k]!r})", math.inf)
    x, y = af[fin], bf[fin]
    with np.errstate(all="ignore"):
        err = np.abs(x - y)
        scale = np.maximum(np.abs(x), np.abs(y))
        bad = err > atol + rtol * scale
        rel = np.where(scale > 0, err / np.where(scale > 0, scale, 1), 0.0)
    worst = float(rel.max()) if rel.size else 0.0
    if bad.any():
        idx = np.flatnonzero(fin)[int(np.flatnonzero(bad)[0])]
        return Diff(False, f"{what}: {int(bad.sum())} element(s) differ beyond rtol={rtol:g}, first at flat "
                           f"index {int(idx)}: {af[idx]!r} vs {bf[idx]!r}", worst)
    return Diff(True, "", worst)


def compare_values(a: Any, b: Any, rtol: float, atol: float = ATOL, what: str = "value") -> Diff:
    """Recursive comparison of two Python/NumPy values (the original's first)."""
    if _is_array(a) or _is_array(b):
        if not (_is_array(a) and _is_array(b)):
            return Diff(False, f"{what}: {type(a).__name__} vs {type(b).__name__}")
        return compare_arrays(a, b, rtol, atol, what)
    if hasattr(a, "toarray") and hasattr(b, "toarray") and hasattr(a, "nnz"):  # scipy.sparse
        if type(a) is not type(b):
            return Diff(False, f"{what}: {type(a).__name__} vs {type(b).__name__}")
        return compare_arrays(a.toarray(), b.toarray(), rtol, atol, what)
    if hasattr(a, "bit_generator") and hasattr(b, "bit_generator"):  # numpy Generator: its stream position
        same = type(a) is type(b) and a.bit_generator.state == b.bit_generator.state
        return Diff(same, "" if same else f"{what}: random generator left in a different state "
                                          f"(numbers drawn differently)")
    if type(a).__name__ == "RandomState" and type(b).__name__ == "RandomState":
        return compare_values(a.get_state(legacy=False), b.get_state(legacy=False), 0.0, 0.0, what)
    if _is_number(a) and _is_number(b):
        if isinstance(a, complex) or isinstance(b, complex) or "complex" in type(a).__name__:
            ok = numbers_close(complex(a).real, complex(b).real, rtol, atol) and \
                numbers_close(complex(a).imag, complex(b).imag, rtol, atol)
            return Diff(ok, "" if ok else f"{what}: {a!r} vs {b!r}")
        if _number_kind(a) != _number_kind(b):
            return Diff(False, f"{what}: {type(a).__name__} {a!r} vs {type(b).__name__} {b!r}")
        fa, fb = float(a), float(b)
        ok = numbers_close(fa, fb, rtol, atol)
        return Diff(ok, "" if ok else f"{what}: {a!r} vs {b!r}", rel_diff(fa, fb))
    if type(a) is not type(b):
        return Diff(False, f"{what}: {type(a).__name__} vs {type(b).__name__}")
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return Diff(False, f"{what}: length {len(a)} vs {len(b)}")
        return Diff.worst([compare_values(x, y, rtol, atol, f"{what}[{i}]") for i, (x, y) in enumerate(zip(a, b))])
    if isinstance(a, dict):
        if list(a.keys()) != list(b.keys()):
            return Diff(False, f"{what}: keys {list(a)[:5]} vs {list(b)[:5]}")
        return Diff.worst([compare_values(a[k], b[k], rtol, atol, f"{what}[{k!r}]") for k in a])
    if isinstance(a, (set, frozenset, str, bytes, type(None))):
        return Diff(a == b, "" if a == b else f"{what}: {_short(repr(a))} vs {_short(repr(b))}")
    if hasattr(a, "__dict__") and not callable(a):
        return compare_values(vars(a), vars(b), rtol, atol, what)
    try:
        same = bool(a == b)
    except Exception:  # noqa: BLE001 - no usable ==: fall back on the printed form
        same = repr(a) == repr(b)
    return Diff(same, "" if same else f"{what}: {_short(repr(a))} vs {_short(repr(b))}")


# ------------------------------------------------------------------------------------------ files


def compare_files(ref: str, new: str, rtol: float, atol: float = ATOL, name: str | None = None) -> Diff:
    """Compare file `new` against reference file `ref`: equal bytes, or for .npy/.npz arrays and
    text tables numbers within tolerance. `name` (default `new`) is used in the reason and for the kind."""
    name = name or new
    with open(ref, "rb") as fa, open(new, "rb") as fb:
        if os.fstat(fa.fileno()).st_size == os.fstat(fb.fileno()).st_size:
            while True:
                x, y = fa.read(1 << 20), fb.read(1 << 20)
                if x != y:
                    break
                if not x:
                    return Diff(True)
    low = name.lower()
    try:
        if low.endswith(".npy"):
            import numpy as np

            return compare_arrays(np.load(ref, allow_pickle=False), np.load(new, allow_pickle=False),
                                  rtol, atol, os.path.basename(name))
        if low.endswith(".npz"):
            import numpy as np

            with np.load(ref, allow_pickle=False) as za, np.load(new, allow_pickle=False) as zb:
                if sorted(za.files) != sorted(zb.files):
                    return Diff(False, f"{os.path.basename(name)}: arrays {sorted(za.files)} vs {sorted(zb.files)}")
                return Diff.worst([compare_arrays(za[k], zb[k], rtol, atol, f"{os.path.basename(name)}[{k}]")
                                   for k in za.files])
        if low.endswith(TEXT_SUFFIXES) and os.path.getsize(new) < (64 << 20):
            with open(ref, encoding="utf-8", errors="replace") as fa, \
                    open(new, encoding="utf-8", errors="replace") as fb:
                d = compare_text(fa.read(), fb.read(), rtol, atol)
            return d if d.ok else Diff(False, f"{os.path.basename(name)}: {d.reason}", d.max_rel_diff)
    except Exception as e:  # noqa: BLE001 - unreadable as data: the bytes already differ
        return Diff(False, f"{os.path.basename(name)}: contents differ ({type(e).__name__} reading it)")
    return Diff(False, f"{os.path.basename(name)}: contents differ (bytes)")
