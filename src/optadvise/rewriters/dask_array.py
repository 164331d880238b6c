"""Scale-out rewriter `dask-array`: a verified memory-mapped load, reduced whole, as a chunked `dask.array`.

It follows the `memmap` rewrite (only with `fix --scale-out`, see `commands/scale_out.py`): for

    x = np.load("big.npy", mmap_mode="r")        # or np.memmap(..., mode="r")
    print(x.sum(), np.max(x, axis=0))

the load is wrapped in `dask.array.from_array(..., chunks="N MiB")`, with N sized from the measured
RAM and CPU count (a quarter of RAM per core, between 16 and 128 MiB), and every reduction of `x` gets
`.compute()`, so the file is read chunk by chunk, in parallel, never whole. Declines unless every use
of `x` is a whole-array reduction (`x.sum(...)`, `np.mean(x, ...)`, ...), the map is read-only, `x` is
bound once, and `dask` can be imported. Re-ordered float sums: tolerance 1e-7.
"""

from __future__ import annotations

import importlib.util

import libcst as cst

from optadvise.model import Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, ScaleOutRewriter
from optadvise.rewriters.cst import Edits, Tree, call_args, candidate, expr, finish

REDUCTIONS = {"sum", "mean", "min", "max", "std", "var", "prod", "any", "all"}
MIB = 2**20
CHUNK_MIN, CHUNK_MAX = 16 * MIB, 128 * MIB


@register
class DaskArrayRewriter(ScaleOutRewriter):
    """Reduces a read-only memory map chunk by chunk with `dask.array`."""

    kind = "dask-array"
    follows = "memmap"

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        if importlib.util.find_spec("dask") is None:
            raise Decline("dask is not installed (pip install 'optadvise[scale]')")
        tree = Tree(source)
        maps = [n for n in tree.walk(tree.module) if isinstance(n, cst.Call) and _read_only_map(tree, n)]
        at_line = [c for c in maps if tree.line(c) == finding.lineno]
        if not at_line and len(maps) != 1:
            raise Decline(f"no single read-only memory map to follow from line {finding.lineno}")
        call = (at_line or maps)[0]
        assign = tree.parent.get(call)
        if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1
                and isinstance(assign.targets[0].target, cst.Name)):
            raise Decline("the memory map is not assigned to one name")
        name = assign.targets[0].target.value
        scope = tree.scope_of(call)
        edits = Edits()
        reductions = 0
        for n in tree.name_nodes(scope, name):
            p = tree.parent.get(n)
            if isinstance(p, cst.AssignTarget):
                if p is not assign.targets[0]:
                    raise Decline(f"`{name}` is bound more than once")
                continue
            reduction = _reduction(tree, n)
            if reduction is None or tree.nested_scope(n, scope):
                shown = tree.parent.get(p) if isinstance(p, cst.Arg) else p
                raise Decline(f"`{name}` is used as `{tree.code(shown or n)}` at line {tree.line(n)}, "
                              f"not only reduced as a whole")
            edits.replace[id(reduction)] = _computed
            reductions += 1
        if not reductions:
            raise Decline(f"`{name}` is never reduced")
        chunk = chunk_bytes(profile)
        edits.replace[id(call)] = expr(f'dask.array.from_array({tree.code(call)}, chunks="{chunk // MIB} MiB")',
                                       tree)
        new = finish(tree, edits, [("dask.array", None)])
        return [candidate(self.kind, finding, source, new,
                          f"memory map -> dask.array in {chunk // MIB} MiB chunks, {reductions} reduction(s) "
                          f"computed chunk by chunk", 1e-7, "chunks sized from the measured RAM and CPU count")]


def chunk_bytes(profile: Profile | None) -> int:
    """A quarter of RAM per core, between 16 and 128 MiB, in whole MiB."""
    if profile is None or not profile.ram_bytes:
        return CHUNK_MAX
    share = profile.ram_bytes // (4 * max(profile.cpu_count, 1))
    return max(CHUNK_MIN, min(CHUNK_MAX, share)) // MIB * MIB


def _computed(node: cst.CSTNode) -> cst.CSTNode:
    """`node.compute()` for a reduction call (already rewritten below it)."""
    assert isinstance(node, cst.BaseExpression)
    return cst.Call(func=cst.Attribute(value=node, attr=cst.Name("compute")))


def _read_only_map(tree: Tree, call: cst.Call) -> bool:
    """`np.load(..., mmap_mode="r")` or `np.memmap(..., mode="r")`."""
    name = tree.resolve(call.func)
    _, kw = call_args(call)
    option = {"numpy.load": "mmap_mode", "numpy.memmap": "mode"}.get(name or "")
    value = kw[option].value if option and option in kw else None
    return isinstance(value, cst.SimpleString) and value.evaluated_value == "r"


def _reduction(tree: Tree, n: cst.Name) -> cst.Call | None:
    """The call reducing `n` as a whole: `n.sum(...)` or `np.sum(n, ...)`; None for any other use."""
    p = tree.parent.get(n)
    if isinstance(p, cst.Attribute) and p.value is n and p.attr.value in REDUCTIONS:
        call = tree.parent.get(p)
        return call if isinstance(call, cst.Call) and call.func is p else None
    if isinstance(p, cst.Arg) and p.keyword is None and not p.star:
        call = tree.parent.get(p)
        if isinstance(call, cst.Call) and call.args and call.args[0] is p \
                and tree.resolve(call.func) in {f"numpy.{r}" for r in REDUCTIONS}:
            return call
    return None
