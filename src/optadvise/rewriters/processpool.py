"""Rewriter `processpool` for cpu-bound-threading: run the CPU-bound worker in processes, not threads.

Two shapes are rewritten:
- `ThreadPoolExecutor(...)` whose `submit`/`map` calls all hand it a top-level function of this script
  becomes `ProcessPoolExecutor(...)` (the user's `max_workers` kept; otherwise `os.cpu_count()`, the
  process pool's default); `multiprocessing.pool.ThreadPool` becomes `multiprocessing.pool.Pool`
  (`map`, `starmap`, `imap`, `apply_async` ...). Any number of iterables (`*zip(*pairs)` included) is
  kept; the pool may be handed to the script's own functions, and the worker may be a parameter whose
  every caller passes a top-level function.
- a list of `threading.Thread(target=worker, args=(..., out, slot))` (built by a comprehension or an
  append loop, then started and joined) whose worker ends with `out[slot] = value`: the worker is made
  to return `value` and the threads become `pool.submit` jobs whose results fill the same container.
Declines unless it is safe under spawn/forkserver: the worker must be a top-level function (not a
lambda, closure or method) that declares no globals, reads no module-level state other than constants,
functions and imports, and never mutates its arguments; the pool must run under an
`if __name__ == "__main__":` guard, and the script's unguarded top level must only define things.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

import libcst as cst
import libcst.matchers as m

from optadvise import examples
from optadvise.model import Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, Rewriter
from optadvise.rewriters.cst import Edits, Tree, call_args, candidate, expr, finish, stmt, uses_through
from optadvise.rewriters.cst.calls import argument, callers, names_in, parameter
from optadvise.rewriters.cst.tree import Scope
from optadvise.rules.cpu_bound_threading import SUBCLASS

THREAD_POOLS = {"concurrent.futures.ThreadPoolExecutor", "concurrent.futures.thread.ThreadPoolExecutor"}
MP_THREAD_POOLS = {"multiprocessing.pool.ThreadPool", "multiprocessing.dummy.Pool"}
EXECUTOR_CALLS = {"submit", "map"}
MP_CALLS = {"map", "starmap", "imap", "imap_unordered", "apply", "apply_async", "map_async", "starmap_async"}
MP_OTHERS = {"close", "join", "terminate"}
THREADS = {"threading.Thread"}
BUILTINS = set(dir(builtins))
SAFE_PARAM_USES = {"read", "rebind", "return", "show"}
_NAME = m.Name("__name__")
_MAIN: m.MatchIfTrue[cst.BaseExpression] = m.MatchIfTrue(
    lambda s: isinstance(s, cst.SimpleString) and s.evaluated_value == "__main__")
MAIN_GUARD = m.If(test=m.Comparison(_NAME, [m.ComparisonTarget(m.Equal(), _MAIN)])
                  | m.Comparison(_MAIN, [m.ComparisonTarget(m.Equal(), _NAME)]))


@register
class ProcessPoolRewriter(Rewriter):
    """Moves GIL-bound thread work to a ProcessPoolExecutor with a returning, picklable worker."""

    kind = "processpool"
    EXAMPLES = (
        examples.Rewrite(
            "cpu-bound-threading",
            '''from concurrent.futures import ThreadPoolExecutor


def work(n):
    s = 0
    for k in range(n):
        s += k * k
    return s


if __name__ == "__main__":
    with ThreadPoolExecutor(4) as pool:  # <-
        print(list(pool.map(work, [10] * 4)))
''',
            '''from concurrent.futures import ProcessPoolExecutor


def work(n):
    s = 0
    for k in range(n):
        s += k * k
    return s


if __name__ == "__main__":
    with ProcessPoolExecutor(4) as pool:  # <-
        print(list(pool.map(work, [10] * 4)))
'''),
        examples.Rewrite(
            "cpu-bound-threading",
            '''import threading


def work(n, out, i):
    s = 0
    for k in range(n):
        s += k * k
    out[i] = s


if __name__ == "__main__":
    out = [0] * 4
    threads = [threading.Thread(target=work, args=(10, out, i)) for i in range(4)]  # <-
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(out)
''',
            '''import os
from concurrent.futures import ProcessPoolExecutor


def work(n):
    s = 0
    for k in range(n):
        s += k * k
    return s


if __name__ == "__main__":
    out = [0] * 4
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        jobs = [(i, pool.submit(work, 10)) for i in range(4)]
        for slot, job in jobs:
            out[slot] = job.result()
    print(out)
'''),
        examples.Rewrite(
            "cpu-bound-threading",
            '''from multiprocessing.pool import ThreadPool


def work(lo, hi):
    s = 0
    for k in range(lo, hi):
        s += k * k
    return s


def in_parallel(worker, jobs):
    with ThreadPool(4) as pool:  # <-
        return pool.starmap(worker, jobs)


if __name__ == "__main__":
    print(in_parallel(work, [(0, 10), (10, 20)]))
''',
            '''from multiprocessing.pool import Pool


def work(lo, hi):
    s = 0
    for k in range(lo, hi):
        s += k * k
    return s


def in_parallel(worker, jobs):
    with Pool(4) as pool:  # <-
        return pool.starmap(worker, jobs)


if __name__ == "__main__":
    print(in_parallel(work, [(0, 10), (10, 20)]))
'''),
        examples.Decline(
            "cpu-bound-threading",
            '''from concurrent.futures import ThreadPoolExecutor


def work(lo, hi):
    return sum(range(lo, hi))


def run_all(pool, pairs):
    return list(pool.map(work, *zip(*pairs)))


if __name__ == "__main__":
    with ThreadPoolExecutor(4) as pool:  # <-
        print(run_all(pool, [(0, 10)]), pool.map(lambda x: x, [1]))
''',
            "lambda"),
        examples.Decline(
            "cpu-bound-threading",
            '''from concurrent.futures import ThreadPoolExecutor


def work(n):
    s = 0
    for k in range(n):
        s += k
    return s


with ThreadPoolExecutor(4) as pool:  # <-
    print(list(pool.map(work, [10] * 4)))
''',
            "runs at import time"),
        examples.Decline(
            "cpu-bound-threading",
            '''from concurrent.futures import ThreadPoolExecutor

seen = []


def work(n):
    s = 0
    for k in range(n):
        s += k
    seen.append(s)
    return s


if __name__ == "__main__":
    with ThreadPoolExecutor(4) as pool:  # <-
        print(list(pool.map(work, [10] * 4)))
''',
            "reads module-level `seen`"),
    )

    def applies(self, finding: Finding) -> bool:
        """Not for Thread subclasses: `thread_subclass` rewrites those."""
        return super().applies(finding) and (finding.evidence or {}).get("api") != SUBCLASS

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        tree = Tree(source)
        st = tree.statement_at(finding.lineno)
        calls = [n for n in tree.walk(st) if isinstance(n, cst.Call)]
        pools = [c for c in calls if tree.resolve(c.func) in THREAD_POOLS | MP_THREAD_POOLS]
        threads = [c for c in calls if tree.resolve(c.func) in THREADS]
        if not pools and not threads:
            raise Decline(f"no ThreadPoolExecutor or threading.Thread at line {finding.lineno}")
        check_spawn_safe(tree)
        call = pools[0] if pools else threads[0]
        check_guarded(tree, call, set())
        new, desc = (_executor(tree, pools[0]) if pools else _threads(tree, threads[0]))
        return [candidate(self.kind, finding, source, new, desc, 0.0, pool_note(finding, profile))]


# ------------------------------------------------------------------------------------ safety checks


def _is_main_guard(node: cst.CSTNode) -> bool:
    return m.matches(node, MAIN_GUARD)


def check_spawn_safe(tree: Tree) -> None:
    """Under spawn/forkserver each worker re-imports the script: its unguarded top level must only define."""
    for s in tree.module.body:
        if isinstance(s, (cst.FunctionDef, cst.ClassDef)) or _is_main_guard(s):
            continue
        if isinstance(s, cst.SimpleStatementLine) and all(
                isinstance(b, (cst.Import, cst.ImportFrom, cst.Assign, cst.AnnAssign, cst.Pass))
                or (isinstance(b, cst.Expr) and isinstance(b.value, (cst.SimpleString, cst.ConcatenatedString)))
                for b in s.body):
            continue
        raise Decline(f"line {tree.line(s)} runs at import time outside `if __name__ == \"__main__\":`; "
                      "worker processes would run it again under spawn/forkserver")


def check_guarded(tree: Tree, node: cst.CSTNode, seen: set[str]) -> None:
    """The node runs only under the main guard: inside it, or in a function called only from there."""
    top = tree.top_statement_in(node, tree.module)
    if top is not None and _is_main_guard(top):
        return
    if not isinstance(top, cst.FunctionDef):
        raise Decline("the threads are started at the script's top level; a process pool there needs "
                      "an `if __name__ == \"__main__\":` guard (spawn/forkserver re-import the script)")
    if tree.scope_of(node) is not top:
        raise Decline("the pool is created in a nested function; its callers are not followed")
    fname = top.name.value
    if fname in seen:
        return
    seen.add(fname)
    refs = [n for n in tree.name_nodes(tree.module, fname) if not tree.inside(n, top)]
    if not refs:
        raise Decline(f"`{fname}` is never called from a `__main__` guard")
    for n in refs:
        p = tree.parent.get(n)
        if not (isinstance(p, cst.Call) and p.func is n):
            raise Decline(f"`{fname}` is passed around at line {tree.line(n)}; its callers are not followed")
        check_guarded(tree, n, seen)


def is_constant(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    if isinstance(node, cst.UnaryOperation):
        return is_constant(node.expression)
    if isinstance(node, cst.Tuple):
        return all(is_constant(e.value) for e in node.elements)
    return False


def _module_values(tree: Tree) -> dict[str, list[cst.BaseExpression | None]]:
    """Module-level names -> the values assigned to them (None for non-assignment bindings)."""
    out: dict[str, list[cst.BaseExpression | None]] = {}
    for s in tree.module.body:
        for b in (s.body if isinstance(s, cst.SimpleStatementLine) else []):
            if isinstance(b, (cst.Assign, cst.AnnAssign)):
                targets = [t.target for t in b.targets] if isinstance(b, cst.Assign) else [b.target]
                for t in targets:
                    single = isinstance(t, cst.Name)
                    for name in {t.value} if isinstance(t, cst.Name) else tree.stores(t):
                        out.setdefault(name, []).append(b.value if single else None)
        if not isinstance(s, cst.SimpleStatementLine) and not _is_main_guard(s):
            for name in tree.stores(s) if not isinstance(s, (cst.FunctionDef, cst.ClassDef)) else ():
                out.setdefault(name, []).append(None)
    for s in (x for x in tree.module.body if _is_main_guard(x)):
        for name in tree.stores(s):
            out.setdefault(name, []).append(None)
    return out


def check_worker(tree: Tree, caller: cst.CSTNode, worker: cst.BaseExpression,
                  skip: set[str] = frozenset()) -> cst.FunctionDef:  # type: ignore[assignment]
    """The worker must be a pure top-level function; returns its def. `skip`: params not checked."""
    if isinstance(worker, cst.Lambda):
        raise Decline("the worker is a lambda, which cannot be pickled to another process")
    if not isinstance(worker, cst.Name):
        raise Decline(f"the worker `{tree.code(worker)}` is a method or expression, not a top-level function")
    funcs = tree.module_functions()
    name = worker.value
    scope = tree.scope_of(caller)
    if isinstance(scope, cst.FunctionDef) and name in {p.name.value for p in scope.params.params} \
            and not any(isinstance(tree.parent.get(n), cst.AssignTarget) for n in tree.name_nodes(scope, name)):
        calls = callers(tree, scope.name.value)  # the worker is a parameter: check what each caller passes
        if not calls:
            raise Decline(f"the worker `{name}` is a parameter of `{scope.name.value}`, which nothing calls")
        defs = {check_worker(tree, c, argument(tree, scope, c, name)) for c in calls}
        return defs.pop()
    if name not in funcs or (scope is not tree.module and name in tree.stores(scope)):
        raise Decline(f"the worker `{name}` is not a function defined at the top of this script "
                      "(a closure, nested function or import cannot be checked or pickled by name)")
    values = _module_values(tree)
    todo, done = [name], set()
    while todo:
        fname = todo.pop()
        if fname in done:
            continue
        done.add(fname)
        fn = funcs[fname]
        for n in tree.walk(fn):
            if isinstance(n, (cst.Global, cst.Nonlocal)):
                raise Decline(f"`{fname}` declares global/nonlocal names: it writes shared state")
        local = tree.stores(fn)
        for n in _loads(tree, fn):
            v = n.value
            if v in local or v in tree.aliases:
                continue
            if v in funcs:
                todo.append(v)
            elif v in values and all(x is not None and is_constant(x) for x in values[v]):
                continue
            elif v in values:
                raise Decline(f"`{fname}` reads module-level `{v}`, which a worker process would not share")
            elif v not in BUILTINS and v not in {c.name.value for c in tree.module.body
                                                 if isinstance(c, cst.ClassDef)}:
                raise Decline(f"`{fname}` reads `{v}`, which is not defined at the top of the script")
        params = [p.name.value for p in [*fn.params.params, *fn.params.posonly_params,
                                         *fn.params.kwonly_params]]
        for p in params:
            if fname == name and p in skip:
                continue
            for u in uses_through(tree, fn, p):
                if u.kind not in SAFE_PARAM_USES:
                    raise Decline(f"`{fname}` may change its argument `{p}` ({u.detail}); a process "
                                  "works on a copy, so the caller would not see it")
    return funcs[name]


def _loads(tree: Tree, fn: cst.FunctionDef) -> list[cst.Name]:
    out = []
    for n in tree.walk(fn.body):
        if isinstance(n, cst.Name):
            p = tree.parent.get(n)
            if isinstance(p, cst.Attribute) and p.attr is n or isinstance(p, cst.Arg) and p.keyword is n:
                continue
            if isinstance(p, (cst.ImportAlias, cst.AsName, cst.FunctionDef, cst.ClassDef, cst.Param)):
                continue
            out.append(n)
    return out


def check_no_lambdas(tree: Tree, nodes: Sequence[cst.CSTNode]) -> None:
    for node in nodes:
        if any(isinstance(n, cst.Lambda) for n in tree.walk(node)):
            raise Decline("a lambda is passed to the worker; it cannot be pickled to another process")


# --------------------------------------------------------------------------------------- executors


def _executor(tree: Tree, call: cst.Call) -> tuple[str, str]:
    mp = tree.resolve(call.func) in MP_THREAD_POOLS
    pos, kw = call_args(call)
    if set(kw) - {"processes" if mp else "max_workers"} or len(pos) > 1:
        raise Decline(f"{tree.code(call.func)} options other than its size have no process equivalent here")
    holder = tree.parent.get(call)
    if isinstance(holder, cst.WithItem) and isinstance(holder.asname, cst.AsName) \
            and isinstance(holder.asname.name, cst.Name):
        pool = holder.asname.name.value
    elif isinstance(holder, cst.Assign) and len(holder.targets) == 1 and isinstance(holder.targets[0].target,
                                                                                     cst.Name):
        pool = holder.targets[0].target.value
    else:
        raise Decline("the executor is not bound to a name (`with ... as pool` or `pool = ...`)")
    scope = tree.scope_of(call)
    if not _pool_uses(tree, scope, pool, MP_CALLS if mp else EXECUTOR_CALLS, MP_OTHERS if mp else {"shutdown"}, 0):
        raise Decline(f"no `{pool}.submit`/`{pool}.map` calls to follow")
    edits = Edits()
    new = "Pool" if mp else "ProcessPoolExecutor"
    if isinstance(call.func, cst.Attribute):
        if mp and tree.resolve(call.func) == "multiprocessing.dummy.Pool":
            raise Decline("multiprocessing.dummy.Pool: import multiprocessing.Pool to run it in processes")
        edits.replace[id(call.func)] = call.func.with_changes(attr=cst.Name(new))
    else:
        edits.replace[id(call.func)] = cst.Name(process_pool_name(tree, edits, mp))
        edits.remove_unused_import("multiprocessing.pool" if mp else "concurrent.futures", tree.code(call.func))
    size = "" if pos or kw else " (sized by os.cpu_count(), its default)"
    return finish(tree, edits), f"{tree.code(call.func)} -> {new}{size}"


def _pool_uses(tree: Tree, scope: Scope, pool: str, calls: set[str], others: set[str], depth: int) -> int:
    """Check every use of the pool: worker calls (whose workers must be safe), the pool's other methods,
    or a hand-over to one of the script's functions (followed); returns how many worker calls."""
    workers = 0
    for n in names_in(tree, scope, pool):
        p = tree.parent[n]
        if isinstance(p, (cst.AsName, cst.AssignTarget)):
            continue
        meth = p.attr.value if isinstance(p, cst.Attribute) and p.value is n else None
        use = tree.parent[p]
        if meth in others or (meth in calls and isinstance(use, cst.Call) and use.func is p):
            if meth in calls and isinstance(use, cst.Call):
                _check_pool_call(tree, use, f"{pool}.{meth}")
                workers += 1
            continue
        fn = tree.module_functions().get(tree.code(use.func)) if isinstance(p, cst.Arg) and isinstance(
            use, cst.Call) else None
        if fn is not None and depth < 4 and isinstance(use, cst.Call) and isinstance(p, cst.Arg):
            workers += _pool_uses(tree, fn, parameter(fn, use, p), calls, others, depth + 1)
            continue
        if isinstance(p, cst.Arg) and isinstance(use, cst.Call):
            raise Decline(f"the executor `{pool}` is passed to `{tree.code(use.func)}` at line {tree.line(n)}, "
                          "which is not a function of this script")
        raise Decline(f"the executor `{pool}` is used as `{tree.code(p)}` at line {tree.line(n)}")
    return workers


def _check_pool_call(tree: Tree, use: cst.Call, what: str) -> None:
    """`pool.map(worker, *iterables)`: the worker (first, named) must be safe; no lambdas in the rest."""
    first = use.args[0] if use.args else None
    if first is None or first.star or first.keyword is not None:
        raise Decline(f"`{what}` without a worker as its first positional argument")
    check_worker(tree, use, first.value)
    check_no_lambdas(tree, [a.value for a in use.args[1:]])


def process_pool_name(tree: Tree, edits: Edits, mp: bool = False) -> str:
    name, module = ("Pool", "multiprocessing.pool") if mp else ("ProcessPoolExecutor", "concurrent.futures")
    bound = tree.aliases.get(name)
    if bound is None:
        if name in tree.stores(tree.module):
            raise Decline(f"the name {name} is already used for something else")
        edits.add_import(module, name)
    elif bound not in (f"{module}.{name}", "concurrent.futures.process.ProcessPoolExecutor"):
        raise Decline(f"the name {name} is already used for something else")
    return name


# ----------------------------------------------------------------------------------------- threads


def _threads(tree: Tree, call: cst.Call) -> tuple[str, str]:
    pos, kw = call_args(call)
    if pos or set(kw) - {"target", "args", "name", "daemon"} or "target" in kw and "kwargs" in kw:
        raise Decline("threading.Thread is called with options other than target/args/name/daemon")
    if "target" not in kw:
        raise Decline("threading.Thread without a target")
    args_node = kw["args"].value if "args" in kw else cst.Tuple([])
    if not isinstance(args_node, (cst.Tuple, cst.List)) or any(
            isinstance(e, cst.StarredElement) for e in args_node.elements):
        raise Decline("the thread's args are not a literal tuple")
    targs = [e.value for e in args_node.elements]
    lst, comp_for, stmts = started_and_joined(tree, call)
    scope = tree.scope_of(call)
    for n in tree.name_nodes(scope, lst):
        if not any(tree.inside(n, s) for s in stmts):
            raise Decline(f"`{lst}` is used again at line {tree.line(n)}")
    worker_def = tree.module_functions().get(kw["target"].value.value) \
        if isinstance(kw["target"].value, cst.Name) else None
    if worker_def is None:
        check_worker(tree, call, kw["target"].value)  # raises with the reason, or:
        raise Decline("the thread's target is handed in as a parameter; only a named function is rewritten")
    store, out_p, idx_ps = _final_store(tree, worker_def)
    params = [p.name.value for p in worker_def.params.params]
    if len(targs) != len(params):
        raise Decline("the thread's args do not match the worker's parameters one to one")
    target = store.body[0].targets[0].target  # type: ignore[attr-defined]
    drop = {out_p} | {p for p in idx_ps if all(tree.inside(n, target) for n in tree.name_nodes(
        worker_def.body, p))}
    check_worker(tree, call, kw["target"].value, skip=drop)
    check_no_lambdas(tree, targs)
    return _rewrite_threads(tree, worker_def, store, out_p, idx_ps, drop, targs, params,
                            comp_for, stmts, scope)


def started_and_joined(tree: Tree, call: cst.Call) -> tuple[str, str, list[cst.BaseStatement]]:
    """The list that collects the threads `call` creates, its 'for ... in ...' text, and the statements
    that create them and start and join them in plain loops right after; else Decline."""
    lst, comp_for, created, started = _thread_list(tree, call)
    body = list(tree.block_of(created[0]).body)
    i = body.index(created[-1]) + 1
    loops = body[i:i + (1 if started else 2)]
    expected = ["join"] if started else ["start", "join"]
    if len(loops) != len(expected) or any(not _loop_calls(tree, s, lst, m) for s, m in zip(loops, expected)):
        raise Decline(f"the threads in `{lst}` are not started and joined by plain loops right after "
                      "they are created")
    return lst, comp_for, [*created, *loops]


def _thread_list(tree: Tree, call: cst.Call) -> tuple[str, str, list[cst.BaseStatement], bool]:
    """(list name, 'for ... in ...' text, creating statements, started-in-loop) or Decline."""
    p = tree.parent.get(call)
    if isinstance(p, cst.ListComp) and p.elt is call:
        assign = tree.parent.get(p)
        if isinstance(assign, cst.Assign) and len(assign.targets) == 1 and isinstance(
                assign.targets[0].target, cst.Name):
            return (assign.targets[0].target.value, tree.code(p.for_in).strip(),
                    [tree.statement_of(assign)], False)
        raise Decline("the thread list comprehension is not assigned to a single name")
    loop = next((a for a in tree.ancestors(call) if isinstance(a, cst.For)), None)
    if loop is None or loop.orelse is not None:
        raise Decline("the threads are not created in a list comprehension or an append loop")
    lines = [s for s in loop.body.body]
    if not all(isinstance(s, cst.SimpleStatementLine) and len(s.body) == 1 for s in lines):
        raise Decline("the thread-creating loop does other work")
    small = [s.body[0] for s in lines]  # type: ignore[union-attr]
    tvar = None
    lst = None
    started = False
    for b in small:
        if isinstance(b, cst.Assign) and b.value is call and len(b.targets) == 1 and isinstance(
                b.targets[0].target, cst.Name):
            tvar = b.targets[0].target.value
        elif isinstance(b, cst.Expr) and isinstance(b.value, cst.Call) and isinstance(b.value.func, cst.Attribute):
            f, a = b.value.func, b.value.args
            if f.attr.value == "append" and isinstance(f.value, cst.Name) and len(a) == 1 and (
                    a[0].value is call or isinstance(a[0].value, cst.Name) and a[0].value.value == tvar):
                lst = f.value.value
            elif f.attr.value == "start" and isinstance(f.value, cst.Name) and f.value.value == tvar and not a:
                started = True
            else:
                raise Decline("the thread-creating loop does other work")
        else:
            raise Decline("the thread-creating loop does other work")
    block = tree.block_of(loop)
    body = list(block.body)
    k = body.index(loop)
    init = body[k - 1] if k else None
    if lst is None or not (isinstance(init, cst.SimpleStatementLine) and len(init.body) == 1
                           and tree.code(init.body[0]).replace(" ", "") == f"{lst}=[]"):
        raise Decline("the threads are not collected in a list initialised as `[]` right before the loop")
    for_in = f"for {tree.code(loop.target).strip()} in {tree.code(loop.iter).strip()}"
    return lst, for_in, [init, loop], started


def _loop_calls(tree: Tree, s: cst.BaseStatement, lst: str, meth: str) -> bool:
    """`for t in LST: t.METH()` exactly."""
    if not (isinstance(s, cst.For) and isinstance(s.target, cst.Name) and isinstance(s.iter, cst.Name)
            and s.iter.value == lst and s.orelse is None and len(s.body.body) == 1):
        return False
    only = s.body.body[0]
    return isinstance(only, cst.SimpleStatementLine) and tree.code(only.body[0]).strip().replace(" ", "") \
        == f"{s.target.value}.{meth}()"


def _final_store(tree: Tree, fn: cst.FunctionDef) -> tuple[cst.SimpleStatementLine, str, list[str]]:
    """The worker's last statement `out[slot] = value` (out and slot parameters), else Decline."""
    params = [p.name.value for p in fn.params.params]
    p = fn.params
    if isinstance(p.star_arg, cst.Param) or p.kwonly_params or p.star_kwarg or p.posonly_params:
        raise Decline(f"`{fn.name.value}` takes *args/**kwargs or keyword-only parameters")
    last = fn.body.body[-1] if isinstance(fn.body, cst.IndentedBlock) else None
    if not (isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1
            and isinstance(last.body[0], cst.Assign) and len(last.body[0].targets) == 1):
        raise Decline(f"`{fn.name.value}` does not end by storing its result as `out[slot] = value`")
    target = last.body[0].targets[0].target
    if not (isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name)
            and target.value.value in params and len(target.slice) >= 1
            and all(isinstance(e.slice, cst.Index) and isinstance(e.slice.value, cst.Name)
                    and e.slice.value.value in params for e in target.slice)):
        raise Decline(f"`{fn.name.value}` does not end by storing its result as `out[slot] = value` "
                      "(out and slot being parameters)")
    out_p = target.value.value
    if any(not tree.inside(n, target) for n in tree.name_nodes(fn.body, out_p)):
        raise Decline(f"`{fn.name.value}` uses `{out_p}` before its final store")
    if any(isinstance(n, (cst.Return, cst.Yield)) for n in tree.walk(fn.body)):
        raise Decline(f"`{fn.name.value}` has return/yield statements; its store may be skipped")
    idx = [e.slice.value.value for e in target.slice
           if isinstance(e.slice, cst.Index) and isinstance(e.slice.value, cst.Name)]  # all, as checked above
    return last, out_p, idx


def _rewrite_threads(tree: Tree, fn: cst.FunctionDef, store: cst.SimpleStatementLine, out_p: str,
                     idx_ps: list[str], drop: set[str], targs: list[cst.BaseExpression], params: list[str],
                     for_in: str, stmts: list[cst.BaseStatement], scope: cst.CSTNode) -> tuple[str, str]:
    edits = Edits()
    edits.add_import("os")
    edits.remove_unused_import("threading")
    only_use = len(tree.name_nodes(tree.module, fn.name.value)) == 1
    new_name = fn.name.value if only_use else tree.fresh(f"{fn.name.value}_result")
    value = cst.ensure_type(store.body[0], cst.Assign).value
    ret = store.with_changes(body=[cst.Return(value=value)])
    kept = [p for p in fn.params.params if p.name.value not in drop]
    if kept:
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    new_fn = fn.with_changes(name=cst.Name(new_name), params=fn.params.with_changes(params=kept),
                             body=fn.body.with_changes(body=[*fn.body.body[:-1], ret]))
    if only_use:
        edits.replace[id(fn)] = new_fn
    else:
        edits.after[id(fn)] = [new_fn.with_changes(leading_lines=[cst.EmptyLine()] * 2)]
    by_param = dict(zip(params, targs))
    slot = ", ".join(tree.code(by_param[p]).strip() for p in idx_ps)
    slot = f"({slot})" if len(idx_ps) > 1 else slot
    out = tree.code(by_param[out_p]).strip()
    call_args_ = ", ".join([new_name] + [tree.code(by_param[p]).strip() for p in params if p not in drop])
    pool, jobs, svar, jvar = (tree.fresh(b, scope) for b in ("pool", "jobs", "slot", "job"))
    comp_vars = tree.stores(expr(f"[0 {for_in}]", tree))
    ppe = process_pool_name(tree, edits)
    out_node = by_param[out_p]
    if isinstance(out_node, cst.Name) and out_node.value not in comp_vars:
        job, loop, store_line = f"({slot}, {pool}.submit({call_args_}))", f"{svar}, {jvar}", f"{out}[{svar}]"
    else:
        ovar = tree.fresh("out", scope)
        job = f"({out}, {slot}, {pool}.submit({call_args_}))"
        loop, store_line = f"{ovar}, {svar}, {jvar}", f"{ovar}[{svar}]"
    code = (f"with {ppe}(max_workers=os.cpu_count()) as {pool}:\n"
            f"    {jobs} = [{job} {for_in}]\n"
            f"    for {loop} in {jobs}:\n"
            f"        {store_line} = {jvar}.result()\n")
    first = stmts[0]
    lead = first.leading_lines if isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement)) else ()
    new_stmt = stmt(code, tree).with_changes(leading_lines=lead)
    edits.replace[id(stmts[0])] = new_stmt
    for s in stmts[1:]:
        edits.replace[id(s)] = cst.RemovalSentinel.REMOVE
    return finish(tree, edits), (
        f"threads -> ProcessPoolExecutor: `{new_name}` returns its result, the pool fills `{out}`")


def pool_note(finding: Finding, profile: Profile | None) -> str:
    ev = finding.evidence or {}
    cpu, wall, n = ev.get("cpu_s"), ev.get("wall_s"), ev.get("threads")
    parts = []
    if cpu and wall:
        parts.append(f"threads used {cpu / wall:.2f} CPU cores on average (GIL-bound)")
    if n:
        parts.append(f"{n} threads")
    if profile is not None and profile.cpu_count:
        parts.append(f"{profile.cpu_count} CPU cores available")
    return "; ".join(parts) or "worker runs in separate processes, each with its own GIL"
