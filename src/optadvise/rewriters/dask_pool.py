"""Scale-out rewriter `dask-pool`: a verified ProcessPoolExecutor remedy run on a Dask cluster instead.

It follows the `processpool` rewrite (only with `fix --scale-out`, see `commands/scale_out.py`): each
`with ProcessPoolExecutor(n) as pool:` of the source becomes

    with distributed.Client(os.environ.get("DASK_SCHEDULER_ADDRESS"), n_workers=n,
                            threads_per_worker=1) as client, client.get_executor() as pool:

`get_executor()` is Dask's `concurrent.futures.Executor`, so `pool.submit`/`pool.map` keep their
meaning. With `DASK_SCHEDULER_ADDRESS` set the work goes to that scheduler (the worker options are
then ignored); without it the client starts a `LocalCluster` of `n` single-threaded worker processes
(`os.cpu_count()` when the pool had no size) and closes it with the `with` block. The worker was made
spawn-safe and picklable by the process-pool rewrite. Declines when a process pool is used outside a
`with` statement, or when `distributed` cannot be imported.
"""

from __future__ import annotations

import importlib.util

import libcst as cst

from optadvise.model import Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, ScaleOutRewriter
from optadvise.rewriters.cst import Edits, Tree, call_args, candidate, expr, finish

PROCESS_POOLS = {"concurrent.futures.ProcessPoolExecutor", "concurrent.futures.process.ProcessPoolExecutor"}
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"


@register
class DaskPoolRewriter(ScaleOutRewriter):
    """Runs a process pool's jobs on a Dask cluster (`Client.get_executor()`)."""

    kind = "dask-pool"
    follows = "processpool"

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        if importlib.util.find_spec("distributed") is None:
            raise Decline("dask.distributed is not installed (pip install 'optadvise[scale]')")
        tree = Tree(source)
        pools = [n for n in tree.walk(tree.module)
                 if isinstance(n, cst.Call) and tree.resolve(n.func) in PROCESS_POOLS]
        if not pools:
            raise Decline("no ProcessPoolExecutor to scale out")
        edits = Edits()
        for call in pools:
            item = tree.parent.get(call)
            if not isinstance(item, cst.WithItem):
                raise Decline(f"the process pool at line {tree.line(call)} is not used in a `with` statement")
            pos, kw = call_args(call)
            if set(kw) - {"max_workers"} or len(pos) > 1:
                raise Decline("ProcessPoolExecutor options other than max_workers have no Dask equivalent here")
            size = pos[0].value if pos else kw["max_workers"].value if kw else expr("os.cpu_count()", tree)
            client_name = tree.fresh("client")
            client = expr(f"distributed.Client(os.environ.get(\"{SCHEDULER_ENV}\"), "
                          f"n_workers={tree.code(size)}, threads_per_worker=1)", tree)
            executor = expr(f"{client_name}.get_executor()", tree)
            edits.replace[id(item)] = cst.FlattenSentinel([
                cst.WithItem(item=client, asname=cst.AsName(name=cst.Name(client_name))),
                item.with_changes(item=executor)])
            edits.remove_unused_import("concurrent.futures", "ProcessPoolExecutor")
        new = finish(tree, edits, [("os", None), ("distributed", None)])
        return [candidate(self.kind, finding, source, new,
                          f"ProcessPoolExecutor -> Dask distributed executor (scheduler from ${SCHEDULER_ENV}, "
                          f"else a LocalCluster)", 0.0,
                          f"set {SCHEDULER_ENV}=tcp://host:8786 to run on a cluster")]
