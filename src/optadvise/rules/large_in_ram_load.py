"""Rule large-in-ram-load (OA401): whole large files read into RAM where a memory map would serve."""

from __future__ import annotations

import ast

from optadvise.examples import Invalid, Measured, Valid
from optadvise.model import Finding, LoadStat, Profile
from optadvise.rules.base import Rule, Site
from optadvise.rules.facts import GIB, MIB, facts, load
from optadvise.rules.index import ModuleIndex

LOADERS = {"numpy.load", "numpy.fromfile", "numpy.loadtxt", "numpy.genfromtxt"}
MIN_BYTES_SLICED = 256 * 2**20  # a load only sliced afterwards is flagged from this size
MIN_RAM_FRACTION = 0.25  # any load this large a share of RAM is flagged
_FEW_ROWS = ("import numpy as np\nframes = np.load('frames.npy')  # <-\n"
             "print(frames[0].sum() + frames[100].sum() + frames[2300].sum())\n")
_WHOLE = "import numpy as np\nframes = np.load('frames.npy')\nprint(frames.sum())\n"
_READ = "with open('big.txt') as fh:\n    text = fh.read()  # <-\nprint(len(text.split()))\n"


class LargeInRamLoad(Rule):
    """A whole large file read into RAM where a slice, a stream or a memory map would serve.

    ## What it does
    Flags `np.load`, `np.fromfile`, `np.loadtxt`/`np.genfromtxt` and `open(...).read()` calls
    measured to read a file that is a large share of the machine's RAM, or a large `.npy` file of
    which the script then only indexes a few rows.

    ## Why is this bad?
    These calls read every byte before the script can start, and hold all of it in memory. When
    the script then uses a few rows or frames, almost all of that I/O and memory is wasted; when
    the file approaches the machine's RAM, the run swaps or dies. Memory-map it:
    `np.load(path, mmap_mode="r")` (or `"c"` when the script writes to the array but never saves
    it back), `np.memmap(path, dtype=..., mode="r")` for raw binary files; pages are then read
    only when touched. For text formats, convert once to `.npy` and memory-map that.

    ## Example
    ```python
    import numpy as np

    frames = np.load("frames.npy")
    print(frames[0].mean(), frames[100].mean())
    ```

    ## Use instead
    ```python
    import numpy as np

    frames = np.load("frames.npy", mmap_mode="r")
    print(frames[0].mean(), frames[100].mean())
    ```
    """

    slug = "large-in-ram-load"
    code = "OA401"
    summary = "Whole large file loaded into RAM where a slice, a stream or a memory map serves"
    fixes = ("memmap",)
    VALID = (
        Valid("import numpy as np\nx = np.load('a.npy', mmap_mode='r')\n"),
        Valid("import numpy as np\nnp.save('a.npy', np.ones(3))\n"),
    )
    INVALID = (
        Invalid("import numpy as np\nframes = np.load('frames.npy')  # <-\nprint(frames[0].mean())\n",
                fixes=("memmap",)),
        Invalid("import numpy as np\nraw = np.fromfile('data.bin', dtype=np.float32)  # <-\n",
                fixes=("memmap",)),
        Invalid("with open('big.txt') as fh:\n    text = fh.read()  # <-\n", fixes=("memmap",)),
    )
    MEASURED = (
        # 300 MiB read of which three rows are used: memory-map it
        Measured(_FEW_ROWS, facts(loads=(load("numpy.load", 2, "frames.npy", 300 * MIB, 0.4),)),
                 evidence={"api": "numpy.load", "only_sliced": True, "mb": 300.0}),
        # a 6 GiB text read on a 16 GiB machine: flagged, though no rewrite applies to a read
        Measured(_READ, facts(loads=(load("open", 2, "big.txt", 6 * GIB, 9.0),), wall_s=10.0),
                 evidence={"api": "read", "ram_fraction": 0.375}),
        # the same 300 MiB, all of it summed: a fraction of RAM, and every byte is needed
        Measured(_WHOLE, facts(loads=(load("numpy.load", 2, "frames.npy", 300 * MIB, 0.4),)),
                 flagged=False),
        # three rows of a 10 MiB file: too small to matter
        Measured(_FEW_ROWS, facts(loads=(load("numpy.load", 2, "frames.npy", 10 * MIB, 0.01),)),
                 flagged=False),
    )

    def find(self, index: ModuleIndex) -> list[Site]:
        sites = []
        for call in index.calls:
            node = call.node
            api = call.name
            if api in LOADERS:
                if api == "numpy.load" and (len(node.args) > 1 or any(
                        k.arg == "mmap_mode" and not _is_none(k.value) for k in node.keywords)):
                    continue
            elif not _whole_read(index, node):
                continue
            else:
                api = "read"
            if api != "read" and _not_a_big_file(node):
                continue
            if api == "numpy.fromfile" and any(k.arg == "sep" and not (
                    isinstance(k.value, ast.Constant) and k.value.value == "") for k in node.keywords):
                api = "numpy.fromfile(sep=...)"  # a text parse: no memory map for that
            target = _assigned_name(index, node)
            sliced = target is not None and _only_sliced(index, call.function, target, node)
            sites.append(Site(
                lineno=node.lineno, end_lineno=node.end_lineno or node.lineno, col=node.col_offset,
                function=call.function,
                message=f"{api.replace('numpy.', 'np.')} reads the whole file into memory"
                        + (f" but `{target}` is only indexed afterwards" if sliced else ""),
                detail={"api": api, "name": target, "only_sliced": sliced},
                # statically (no file sizes), only the clear cases: a raw binary read, or a .npy
                # load of which only slices are used; text loaders and reads need the profile
                confident=api == "numpy.fromfile" or (api == "numpy.load" and sliced)))
        return sites

    def confirm(self, site: Site, index: ModuleIndex, profile: Profile) -> Finding | None:
        load = _load_at(profile, site.lineno, site.detail["api"])
        if load is None or load.mmap:
            return None
        ram_fraction = load.file_bytes / max(profile.ram_bytes, 1)
        big = ram_fraction >= MIN_RAM_FRACTION or (
            site.detail["only_sliced"] and load.file_bytes >= MIN_BYTES_SLICED)
        if not big:
            return None
        share = min(1.0, load.seconds / max(profile.wall_s, 1e-9))
        evidence = {**site.detail, "path": load.path, "file_bytes": load.file_bytes,
                    "mb": round(load.file_bytes / 2**20, 1), "ram_fraction": round(ram_fraction, 4),
                    "load_s": round(load.seconds, 3), "peak_rss_mb": round(profile.peak_rss_bytes / 2**20)}
        message = (f"{site.message}: {load.file_bytes / 2**20:,.0f} MiB ({ram_fraction:.1%} of RAM) "
                   f"loaded in {load.seconds:.2f} s ({share:.0%} of the run). Memory-map it instead.")
        return self.finding(index, site, message=message, evidence=evidence, share=share,
                            fixes=self.fixes if site.detail["api"] != "read" else ())


def _not_a_big_file(call: ast.Call) -> bool:
    """In-memory sources (StringIO, lists of lines, literals) and lazily opened .npz archives."""
    if not call.args:
        return False
    src = call.args[0]
    if isinstance(src, (ast.List, ast.ListComp, ast.Tuple, ast.GeneratorExp)):
        return True
    if isinstance(src, ast.Constant):
        return not isinstance(src.value, str) or src.value.endswith(".npz")
    if isinstance(src, ast.Call):
        name = src.func.attr if isinstance(src.func, ast.Attribute) else getattr(src.func, "id", "")
        return name in ("StringIO", "BytesIO")
    return False


def _load_at(profile: Profile, lineno: int, api: str) -> LoadStat | None:
    for stat in profile.loads:
        if stat.lineno == lineno and (stat.api == api or (api == "read" and stat.api == "open")):
            return stat
    return None


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _whole_read(index: ModuleIndex, call: ast.Call) -> bool:
    """`open(...).read()` or `fh.read()` with no size, on a name bound by `with open(...) as fh`."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in ("read", "readlines") and not call.args):
        return False
    base = func.value
    if isinstance(base, ast.Call):
        return index.resolve(base.func) in ("open", "io.open")
    if isinstance(base, ast.Name):
        for node in ast.walk(index.tree):
            if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name) \
                    and node.optional_vars.id == base.id and isinstance(node.context_expr, ast.Call) \
                    and index.resolve(node.context_expr.func) in ("open", "io.open"):
                return True
    return False


def _assigned_name(index: ModuleIndex, call: ast.Call) -> str | None:
    parent = index.parents.get(call)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 \
            and isinstance(parent.targets[0], ast.Name):
        return parent.targets[0].id
    return None


def _only_sliced(index: ModuleIndex, function: str, name: str, load: ast.Call) -> bool:
    """Every later use of `name` in its scope is an index or slice (`a[k]`, `a[:, 3]`)."""
    scope_node = index.scopes[function].node
    uses = [n for n in ast.walk(scope_node) if isinstance(n, ast.Name) and n.id == name
            and isinstance(n.ctx, ast.Load) and n.lineno >= load.lineno]
    if not uses:
        return False
    parents = [index.parents.get(u) for u in uses]
    return all(isinstance(p, ast.Subscript) and p.value is u for p, u in zip(parents, uses))
