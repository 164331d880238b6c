"""Rewriter `memmap` for large-in-ram-load: map a binary file instead of reading all of it into RAM.

`A = np.load("x.npy")` becomes `np.load("x.npy", mmap_mode="r")` when `A` (and every view or alias of
it) is only read, or `mmap_mode="c"` (copy-on-write: writes stay in memory, the file is untouched) when
it is written. `np.fromfile(path, dtype, count, offset=k)` becomes `np.memmap(path, dtype=..., mode=...,
offset=k, shape=(count,))`. The array is followed through the script's own functions: into the
functions it is passed to and, when a loader function returns it, to every caller's use of the result.
Declines when the array reaches code it cannot follow (a library, a caller that does not bind the
result), is printed or saved, or its file is written by the script; for `.npz` or a path it cannot tell; and for text
formats, where it says how to convert the file once to `.npy`.
"""

from __future__ import annotations

import libcst as cst

from optadvise import examples
from optadvise.model import Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, Rewriter
from optadvise.rewriters.cst import SAVE_FUNCS, Edits, Tree, Use, call_args, candidate, expr, finish, uses_through
from optadvise.rewriters.cst.calls import enclosing_function
from optadvise.rewriters.cst.flow import uses_of_result

LOADS = {"numpy.load", "numpy.fromfile"}
TEXT = {"numpy.loadtxt": "numpy", "numpy.genfromtxt": "numpy", "pandas.read_csv": "pandas",
        "pandas.read_table": "pandas"}
OPENERS = {"open", "io.open", "builtins.open"}
LOAD_OPTIONS = {"file", "encoding", "fix_imports", "max_header_size", "allow_pickle"}


@register
class MemmapRewriter(Rewriter):
    """Memory-maps whole-file binary loads (np.load mmap_mode, np.memmap for np.fromfile)."""

    kind = "memmap"
    EXAMPLES = (
        examples.Rewrite(
            "large-in-ram-load",
            '''import numpy as np

frames = np.load("frames.npy")  # <-
print(frames[0].mean())
''',
            '''import numpy as np

frames = np.load("frames.npy", mmap_mode="r")  # <-
print(frames[0].mean())
'''),
        examples.Rewrite(
            "large-in-ram-load",
            '''import numpy as np

raw = np.fromfile("data.bin", dtype=np.float32)  # <-
raw[0] = 0.0
print(raw[:10].sum())
''',
            '''import numpy as np

raw = np.memmap("data.bin", dtype=np.float32, mode="c")  # <-
raw[0] = 0.0
print(raw[:10].sum())
'''),
        examples.Decline(
            "large-in-ram-load",
            '''import numpy as np


def load():
    a = np.load("a.npy")  # <-
    return a
''',
            "returned"),
        examples.Rewrite(
            "large-in-ram-load",
            '''import numpy as np


def load():
    return np.load("frames.npy")  # <-


def main():
    frames = load()
    print(frames[0].mean())
''',
            '''import numpy as np


def load():
    return np.load("frames.npy", mmap_mode="r")  # <-


def main():
    frames = load()
    print(frames[0].mean())
'''),
        examples.Decline(
            "large-in-ram-load",
            '''import numpy as np
import scipy.ndimage


def load():
    return np.load("frames.npy")  # <-


def main():
    frames = load()
    print(scipy.ndimage.median(frames))
''',
            "passed to `scipy.ndimage.median`"),
        examples.Decline(
            "large-in-ram-load",
            '''import numpy as np

x = np.loadtxt("x.txt")  # <-
print(x.sum())
''',
            "a text file cannot be memory-mapped"),
    )

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        tree = Tree(source)
        st = tree.statement_at(finding.lineno)
        calls = [n for n in tree.walk(st) if isinstance(n, cst.Call)
                 and tree.resolve(n.func) in (LOADS | set(TEXT))]
        if not calls:
            raise Decline(f"no np.load/np.fromfile call at line {finding.lineno}")
        call = calls[0]
        api = tree.resolve(call.func)
        if api in TEXT:
            raise Decline(_text_advice(tree, call, api))
        assign = tree.parent.get(call)
        if isinstance(assign, cst.Return):  # a loader function: follow what its callers do with the array
            fn = enclosing_function(tree, call)
            name, uses = f"the array `{fn.name.value if fn else '?'}` returns", uses_of_result(tree, call)
        elif isinstance(assign, cst.Assign) and len(assign.targets) == 1 \
                and isinstance(assign.targets[0].target, cst.Name):
            var = assign.targets[0].target.value
            name, uses = f"`{var}`", uses_through(tree, tree.scope_of(st), var, returns=True)
        else:
            raise Decline("the loaded array is not bound to a single name")
        pos, kw = call_args(call)
        path = pos[0].value if pos else (kw["file"].value if "file" in kw else None)
        if path is None:
            raise Decline("the load call has no path argument")
        ev_path = str((finding.evidence or {}).get("path", ""))
        _check_path(tree, path, ev_path, ".npy" if api == "numpy.load" else "")
        mode = _mode(name, uses)
        _file_not_written(tree, path)
        edits = Edits()
        if api == "numpy.load":
            if "mmap_mode" in kw or len(pos) > 1:
                raise Decline("np.load already has mmap_mode (or positional options)")
            if set(kw) - LOAD_OPTIONS or _truthy(kw.get("allow_pickle")):
                raise Decline("np.load is called with allow_pickle or other options; not rewritten")
            new_call = expr(f'{tree.code(call)[:-1].rstrip().rstrip(",")}, mmap_mode="{mode}")', tree)
            desc = f'np.load(..., mmap_mode="{mode}") for {name}'
        else:
            new_call = _memmap_call(tree, pos, kw, mode, edits)
            desc = f'np.memmap(..., mode="{mode}") instead of np.fromfile for {name}'
        edits.replace[id(call)] = new_call
        new = finish(tree, edits)
        return [candidate(self.kind, finding, source, new, desc, 0.0, _note(finding, profile, mode))]


def _check_path(tree: Tree, path: cst.BaseExpression, ev_path: str, suffix: str) -> None:
    """Only real paths to files that can be mapped (.npy for np.load); Decline otherwise."""
    if isinstance(path, cst.SimpleString):
        value = str(path.evaluated_value)
        if suffix and not value.endswith(suffix):
            raise Decline(f"{value!r} is not a .npy file (an .npz archive cannot be memory-mapped)")
        return
    if isinstance(path, cst.Name):
        for n in tree.name_nodes(tree.module, path.value):
            holder = tree.parent.get(n)
            assign = tree.parent.get(holder) if isinstance(holder, cst.AssignTarget) else None
            bound = assign.value if isinstance(assign, cst.Assign) else None
            if isinstance(holder, cst.AsName) or (
                    isinstance(bound, cst.Call) and tree.resolve(bound.func) in OPENERS):
                raise Decline(f"`{path.value}` may be an open file object; mapping needs a path")
    if not ev_path or (suffix and not ev_path.endswith(suffix)):
        raise Decline(f"cannot tell that `{tree.code(path)}` names a {suffix or 'binary'} file")


def _mode(name: str, uses: list[Use]) -> str:
    for u in uses:
        if u.kind == "save":
            raise Decline(f"{name} is saved ({u.detail}); writing a mapped file back is not rewritten")
        if u.kind == "show":
            raise Decline(f"{name} itself is shown ({u.detail}); a memmap prints differently")
        if u.kind in ("return", "escape"):
            raise Decline(f"{name} is {u.detail}; what happens to it there is not followed")
    return "c" if any(u.kind == "write" for u in uses) else "r"


def _file_not_written(tree: Tree, path: cst.BaseExpression) -> None:
    """Decline when the script saves to, opens for writing, or maps for writing the same path."""
    text = tree.code(path)
    for n in tree.walk(tree.module):
        if not (isinstance(n, cst.Call) and n.args and tree.code(n.args[0].value) == text):
            continue
        fn = tree.resolve(n.func) or ""
        writes = fn in SAVE_FUNCS or fn in ("numpy.lib.format.open_memmap", "numpy.memmap") \
            or fn.endswith(".tofile")
        if fn in OPENERS:
            pos, kw = call_args(n)
            mode = pos[1].value if len(pos) > 1 else (kw["mode"].value if "mode" in kw else None)
            writes = mode is not None and not (isinstance(mode, cst.SimpleString)
                                               and not set(str(mode.evaluated_value)) & set("wax+"))
        if writes:
            raise Decline(f"the script also writes {text} at line {tree.line(n)}")


def _truthy(arg: cst.Arg | None) -> bool:
    return arg is not None and not (isinstance(arg.value, cst.Name) and arg.value.value == "False")


def _memmap_call(tree: Tree, pos: list[cst.Arg], kw: dict[str, cst.Arg], mode: str,
                 edits: Edits) -> cst.BaseExpression:
    names = ["file", "dtype", "count", "sep", "offset"]
    args = {names[i]: a.value for i, a in enumerate(pos[:5])}
    args.update({k: a.value for k, a in kw.items()})
    if set(args) - set(names) or len(pos) > 5:
        raise Decline("np.fromfile is called with options that np.memmap has no equivalent for")
    sep = args.get("sep")
    if sep is not None and not (isinstance(sep, cst.SimpleString) and sep.evaluated_value == ""):
        raise Decline("np.fromfile with sep= reads text; a text file cannot be memory-mapped")
    parts = [tree.code(args["file"]), f"dtype={tree.code(args['dtype']) if 'dtype' in args else 'float'}",
             f'mode="{mode}"']
    if "offset" in args:
        parts.append(f"offset={tree.code(args['offset'])}")
    count = args.get("count")
    if count is not None:
        c = tree.code(count).strip()
        if isinstance(count, cst.Integer):
            parts.append(f"shape=({c},)")
        elif isinstance(count, cst.Name):
            parts.append(f"shape=None if {c} < 0 else ({c},)")
        elif c != "-1":
            raise Decline("np.fromfile's count is an expression; give it a name or a literal")
    return expr(f"{edits.ref(tree, 'numpy', 'memmap')}({', '.join(parts)})", tree)


def _text_advice(tree: Tree, call: cst.Call, api: str) -> str:
    args = ", ".join(tree.code(a).strip().rstrip(",") for a in call.args)
    if '"' in args:
        args = args.replace('"', "'")
    pos, _ = call_args(call)
    src = str(pos[0].value.evaluated_value) if pos and isinstance(pos[0].value, cst.SimpleString) else "data.txt"
    stem = src.rsplit(".", 1)[0] if "." in src else src
    if api.startswith("numpy."):
        fn = api.split(".")[-1]
        return (f"a text file cannot be memory-mapped; convert it once: python -c \"import numpy as np; "
                f"np.save('{stem}.npy', np.{fn}({args}))\" then load it with np.load('{stem}.npy', "
                f"mmap_mode='r')")
    fn = api.split(".")[-1]
    return (f"a text file cannot be memory-mapped; convert it once: python -c \"import pandas as pd; "
            f"pd.{fn}({args}).to_parquet('{stem}.parquet')\" then read only the columns needed with "
            f"pd.read_parquet('{stem}.parquet', columns=[...])")


def _note(finding: Finding, profile: Profile | None, mode: str) -> str:
    ev = finding.evidence or {}
    size = ev.get("file_bytes")
    if size is None and profile is not None:
        size = next((ld.file_bytes for ld in profile.loads if ld.lineno == finding.lineno), None)
    what = "read-only map" if mode == "r" else "copy-on-write map (the file is never modified)"
    parts = [what]
    if size:
        parts.append(f"the {size / 1e6:.1f} MB file is no longer read whole into RAM; only pages touched are")
    if profile is not None and profile.peak_rss_bytes:
        parts.append(f"peak RSS before: {profile.peak_rss_bytes / 1e6:.1f} MB")
    return "; ".join(parts)
