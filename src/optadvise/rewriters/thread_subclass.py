"""Rewriter `processpool` for `threading.Thread` subclasses: their `run` becomes a process-pool worker.

`class Worker(threading.Thread)` whose `__init__` only stores its arguments on `self` (constants too,
as initial results) and whose `run` computes from them and stores its results on `self`, created in a
list (comprehension or append loop), started and joined by plain loops right after, and read
afterwards only as `w.result` in `for w in workers` loops and comprehensions, becomes

    def worker_run(lo, hi):            # run's body: `self.lo` -> `lo`, results kept in locals
        ...
        return result                  # a tuple when run stores several results

    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        jobs = [pool.submit(worker_run, a, b) for ...]
        workers = [job.result() for job in jobs]

with each `w.result` read becoming `w` (`w[k]` for the k-th of several results). Declines, with the
reason, when `run` reads attributes `__init__` did not set from its arguments (or calls methods),
changes an argument attribute, returns early, or touches shared state; when `__init__` does more than
store its arguments; when the class or its instances are used for anything else. The new worker then
passes the same checks as any process-pool worker (`processpool.check_worker`).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ExpressionContext, ExpressionContextProvider

from optadvise import examples
from optadvise.model import Candidate, Finding, Profile
from optadvise.rewriters import register
from optadvise.rewriters.base import Decline, Rewriter
from optadvise.rewriters.cst import Edits, Tree, candidate, finish, stmt
from optadvise.rewriters.processpool import (
    check_guarded,
    check_no_lambdas,
    check_spawn_safe,
    check_worker,
    is_constant,
    pool_note,
    process_pool_name,
    started_and_joined,
)
from optadvise.rules.cpu_bound_threading import SUBCLASS

THREAD = "threading.Thread"
_BEFORE = '''import threading


class Worker(threading.Thread):
    def __init__(self, lo, hi):
        super().__init__()
        self.lo = lo
        self.hi = hi
        self.total = 0

    def run(self):
        for k in range(self.lo, self.hi):
            self.total += k * k
{extra}

if __name__ == "__main__":
    workers = [Worker(i * 10, i * 10 + 10) for i in range(4)]  # <-
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print([w.total for w in workers])
'''


@register
class ThreadSubclassRewriter(Rewriter):
    """Turns a `threading.Thread` subclass's `run` into a returning worker run by a ProcessPoolExecutor."""

    kind = "processpool"
    EXAMPLES = (
        examples.Rewrite("cpu-bound-threading", _BEFORE.format(extra=""), '''import os
from concurrent.futures import ProcessPoolExecutor


def worker_run(lo, hi):
    total = 0
    for k in range(lo, hi):
        total += k * k
    return total


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        jobs = [pool.submit(worker_run, i * 10, i * 10 + 10) for i in range(4)]
        workers = [job.result() for job in jobs]
    print([w for w in workers])
'''),
        examples.Decline("cpu-bound-threading", _BEFORE.format(extra="        self.total += len(self.name)\n"),
                         "`run` reads `self.name`"),
        examples.Decline("cpu-bound-threading", _BEFORE.format(extra="").replace(
            "        w.join()\n", "        w.join()\n    print(workers[0].is_alive())\n"),
            "`workers` is used as `workers[0]`"),
    )

    def applies(self, finding: Finding) -> bool:
        return super().applies(finding) and (finding.evidence or {}).get("api") == SUBCLASS

    def propose(self, source: str, finding: Finding, profile: Profile | None) -> list[Candidate]:
        tree = Tree(source)
        classes = {c.name.value: c for c in tree.module.body if isinstance(c, cst.ClassDef)
                   and any(tree.resolve(b.value) == THREAD for b in c.bases)}
        st = tree.statement_at(finding.lineno)
        call = next((n for n in tree.walk(st) if isinstance(n, cst.Call) and isinstance(n.func, cst.Name)
                     and n.func.value in classes), None)
        if call is None:
            raise Decline(f"no creation of a threading.Thread subclass of this script at line {finding.lineno}")
        check_spawn_safe(tree)
        check_guarded(tree, call, set())
        new, desc = _rewrite(tree, classes[cst.ensure_type(call.func, cst.Name).value], call)
        return [candidate(self.kind, finding, source, new, desc, 0.0, pool_note(finding, profile))]


def _rewrite(tree: Tree, cls: cst.ClassDef, call: cst.Call) -> tuple[str, str]:
    name = cls.name.value
    others = [n for n in tree.name_nodes(tree.module, name) if n is not call.func]
    if others:
        raise Decline(f"the class `{name}` is also used at line {tree.line(others[0])}")
    params, from_args, initial = _init_parts(cls)
    run = _method(cls, "run")
    results = _run_attributes(tree, run, from_args)
    args = _bind(call, params)
    lst, for_in, stmts = started_and_joined(tree, call)
    scope = tree.scope_of(call)
    reads = _result_reads(tree, scope, lst, stmts, results)
    check_no_lambdas(tree, list(args.values()))

    edits = Edits()
    edits.add_import("os")
    edits.remove_unused_import("threading")
    fn_name = tree.fresh(f"{name.lower()}_run")
    taken = {n.value for n in tree.walk(run.body) if isinstance(n, cst.Name)
             and not (isinstance(a := tree.parent.get(n), cst.Attribute) and a.attr is n)}
    arg_names = {p: p if p not in taken else tree.fresh(p, run) for p in params}
    taken |= set(arg_names.values())
    local = {r: r if r not in taken else tree.fresh(f"{r}_out", run) for r in results}
    names = {**{a: arg_names[p] for a, p in from_args.items()}, **local}
    body = cst.ensure_type(run.body.visit(_SelfToNames(names)), cst.IndentedBlock)
    first = [stmt(f"{local[r]} = {tree.code(initial[r])}", tree) for r in results
             if r in initial and _read_before_set(tree, run, r)]
    ret = local[results[0]] if len(results) == 1 else ", ".join(local[r] for r in results)
    fn = stmt(f"def {fn_name}({', '.join(arg_names[p] for p in params)}):\n    pass\n", tree)
    fn = cst.ensure_type(fn, cst.FunctionDef).with_changes(
        leading_lines=cls.leading_lines,
        body=body.with_changes(body=[*first, *body.body, stmt(f"return {ret}", tree)]))
    edits.replace[id(cls)] = fn

    pool, jobs, job = (tree.fresh(b, scope) for b in ("pool", "jobs", "job"))
    submit = ", ".join([fn_name, *(tree.code(args[p]).strip() for p in params)])
    code = (f"with {process_pool_name(tree, edits)}(max_workers=os.cpu_count()) as {pool}:\n"
            f"    {jobs} = [{pool}.submit({submit}) {for_in}]\n"
            f"    {lst} = [{job}.result() for {job} in {jobs}]\n")
    lead = stmts[0].leading_lines if isinstance(stmts[0], (cst.SimpleStatementLine,
                                                           cst.BaseCompoundStatement)) else ()
    edits.replace[id(stmts[0])] = stmt(code, tree).with_changes(leading_lines=lead)
    for s in stmts[1:]:
        edits.replace[id(s)] = cst.RemovalSentinel.REMOVE
    for attr in reads:
        k = results.index(attr.attr.value)
        edits.replace[id(attr)] = attr.value if len(results) == 1 else cst.Subscript(
            attr.value, [cst.SubscriptElement(cst.Index(cst.Integer(str(k))))])
    new = finish(tree, edits)
    _check_new_worker(new, fn_name)
    return new, (f"{name} threads -> ProcessPoolExecutor: `{fn_name}` runs `{name}.run` and returns "
                 f"{', '.join(f'`{r}`' for r in results)}")


def _method(cls: cst.ClassDef, name: str) -> cst.FunctionDef:
    fn = next((s for s in cls.body.body if isinstance(s, cst.FunctionDef) and s.name.value == name), None)
    if fn is None:
        raise Decline(f"`{cls.name.value}` defines no `{name}` method")
    p = fn.params
    if fn.decorators or p.star_arg != cst.MaybeSentinel.DEFAULT or p.kwonly_params or p.star_kwarg \
            or p.posonly_params or any(x.default is not None for x in p.params) or not p.params \
            or p.params[0].name.value != "self" or not isinstance(fn.body, cst.IndentedBlock):
        raise Decline(f"`{cls.name.value}.{name}` has decorators, defaults or a signature other than "
                      "(self, plain parameters)")
    return fn


def _init_parts(cls: cst.ClassDef) -> tuple[list[str], dict[str, str], dict[str, cst.BaseExpression]]:
    """__init__'s parameters, the attributes it sets from them, and those it sets to constants."""
    name = cls.name.value
    if len(cls.bases) != 1 or cls.keywords or cls.decorators:
        raise Decline(f"`{name}` has other bases, a metaclass or decorators")
    docstring = (cst.SimpleStatementLine,)
    for s in cls.body.body:
        if not (isinstance(s, cst.FunctionDef) and s.name.value in ("__init__", "run")
                or isinstance(s, docstring) and all(isinstance(b, cst.Expr) and isinstance(
                    b.value, cst.SimpleString) for b in s.body)):
            raise Decline(f"`{name}` defines more than `__init__` and `run`")
    init = _method(cls, "__init__")
    params = [p.name.value for p in init.params.params[1:]]
    from_args: dict[str, str] = {}
    initial: dict[str, cst.BaseExpression] = {}
    for s in cst.ensure_type(init.body, cst.IndentedBlock).body:
        small = s.body[0] if isinstance(s, cst.SimpleStatementLine) and len(s.body) == 1 else None
        if isinstance(small, cst.Expr) and _thread_init(small.value):
            continue
        target = small.targets[0].target if isinstance(small, cst.Assign) and len(small.targets) == 1 else None
        if isinstance(small, cst.Assign) and isinstance(target, cst.Attribute) and _is_self(target.value) \
                and target.attr.value not in from_args and target.attr.value not in initial:
            if isinstance(small.value, cst.Name) and small.value.value in params:
                from_args[target.attr.value] = small.value.value
                continue
            if is_constant(small.value):
                initial[target.attr.value] = small.value
                continue
        raise Decline(f"`{name}.__init__` does more than store its arguments and constants on `self`")
    return params, from_args, initial


def _thread_init(value: cst.BaseExpression) -> bool:
    """`super().__init__()` or `threading.Thread.__init__(self)`, with no options."""
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and value.func.attr.value == "__init__"):
        return False
    owner = value.func.value
    if isinstance(owner, cst.Call) and isinstance(owner.func, cst.Name) and owner.func.value == "super":
        return not value.args and not owner.args
    return len(value.args) == 1 and _is_self(value.args[0].value) and value.args[0].keyword is None


def _is_self(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name) and node.value == "self"


def _run_attributes(tree: Tree, run: cst.FunctionDef, from_args: dict[str, str]) -> list[str]:
    """The attributes `run` stores (its results, in order of first store); Decline on any other use of
    `self`, an argument attribute changed, or a return that could skip the stores."""
    if len(run.params.params) != 1:
        raise Decline("`run` takes parameters besides `self`")
    ctx = tree.wrapper.resolve(ExpressionContextProvider)
    results: list[str] = []
    for n in tree.name_nodes(run.body, "self"):
        attr = tree.parent.get(n)
        if not (isinstance(attr, cst.Attribute) and attr.value is n):
            raise Decline(f"`run` uses `self` itself at line {tree.line(n)}, not one of its attributes")
        a = attr.attr.value
        if ctx.get(attr) in (ExpressionContext.STORE, ExpressionContext.DEL):
            if a in from_args:
                raise Decline(f"`run` changes `self.{a}`, which `__init__` set from an argument")
            if a not in results:
                results.append(a)
    for n in tree.name_nodes(run.body, "self"):
        a = cst.ensure_type(tree.parent[n], cst.Attribute).attr.value
        if a not in from_args and a not in results:
            raise Decline(f"`run` reads `self.{a}`, which `__init__` does not set from its arguments")
    if not results:
        raise Decline("`run` stores no result on `self`")
    if any(isinstance(n, (cst.Return, cst.Yield, cst.FunctionDef, cst.Lambda, cst.ClassDef))
           for n in tree.walk(run.body)):
        raise Decline("`run` returns early, yields or defines functions")
    return results


def _read_before_set(tree: Tree, run: cst.FunctionDef, attr: str) -> bool:
    """Unless `run` first sets `self.attr` by a plain top-level assignment, the result starts from
    `__init__`'s value."""
    for s in cst.ensure_type(run.body, cst.IndentedBlock).body:
        mentions = [n for n in tree.walk(s) if isinstance(n, cst.Attribute) and _is_self(n.value)
                    and n.attr.value == attr]
        if not mentions:
            continue
        small = s.body[0] if isinstance(s, cst.SimpleStatementLine) and len(s.body) == 1 else None
        return not (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and small.targets[0].target is mentions[0] and len(mentions) == 1)
    return True


def _bind(call: cst.Call, params: list[str]) -> dict[str, cst.BaseExpression]:
    """__init__'s parameters -> the expressions the creating call passes."""
    out: dict[str, cst.BaseExpression] = {}
    for k, a in enumerate(call.args):
        if a.star:
            raise Decline("the class is created with *args/**kwargs")
        key = a.keyword.value if a.keyword is not None else params[k] if k < len(params) else None
        if key is None or key not in params or key in out:
            raise Decline("the creating call's arguments do not match `__init__`")
        out[key] = a.value
    if set(out) != set(params):
        raise Decline("the creating call does not pass every argument of `__init__`")
    return out


def _result_reads(tree: Tree, scope: cst.CSTNode, lst: str, stmts: list[cst.BaseStatement],
                  results: list[str]) -> list[cst.Attribute]:
    """Every later use of the thread list is `for w in LST` (loop or comprehension) whose `w` is only
    read as `w.result`; returns those attribute reads."""
    ctx = tree.wrapper.resolve(ExpressionContextProvider)
    loops: list[tuple[cst.Name, cst.CSTNode]] = []  # (loop variable, where it is read)
    for n in tree.name_nodes(scope, lst):
        if any(tree.inside(n, s) for s in stmts):
            continue
        loop = tree.parent.get(n)
        if ctx.get(n) != ExpressionContext.LOAD or tree.line(n) < tree.line(stmts[-1]) or not (
                isinstance(loop, (cst.For, cst.CompFor)) and loop.iter is n and isinstance(loop.target, cst.Name)):
            raise Decline(f"`{lst}` is used as `{tree.code(tree.parent[n]).strip()}` at line {tree.line(n)}; "
                          "only `for w in ...` loops reading results are rewritten")
        region: cst.CSTNode = loop.body if isinstance(loop, cst.For) else loop
        while isinstance(region, cst.CompFor):
            region = tree.parent[region]
        loops.append((cst.ensure_type(loop.target, cst.Name), region))
    reads: list[cst.Attribute] = []
    for var in {t.value for t, _ in loops}:
        for v in tree.name_nodes(scope, var):
            if any(v is t for t, _ in loops) or any(tree.inside(v, s) for s in stmts):
                continue
            attr = tree.parent.get(v)
            if not any(t.value == var and tree.inside(v, r) for t, r in loops) or not (
                    isinstance(attr, cst.Attribute) and attr.value is v and attr.attr.value in results
                    and ctx.get(attr) == ExpressionContext.LOAD):
                raise Decline(f"the thread `{var}` is used as `{tree.code(tree.parent[v]).strip()}` at line "
                              f"{tree.line(v)}; only reads of {', '.join(results)} are rewritten")
            reads.append(attr)
    return reads


def _check_new_worker(new: str, fn_name: str) -> None:
    """The generated worker passes the checks of any process-pool worker (no shared state, no
    arguments changed in place)."""
    tree = Tree(new)
    submit = next(n for n in tree.walk(tree.module) if isinstance(n, cst.Call)
                  and isinstance(n.func, cst.Attribute) and n.func.attr.value == "submit"
                  and n.args and isinstance(n.args[0].value, cst.Name) and n.args[0].value.value == fn_name)
    check_worker(tree, submit, submit.args[0].value)


class _SelfToNames(cst.CSTTransformer):
    """`self.attr` -> the plain name standing for it in the new worker."""

    def __init__(self, names: dict[str, str]):
        super().__init__()
        self.names = names

    def leave_Attribute(self, original_node: cst.Attribute,
                        updated_node: cst.Attribute) -> cst.BaseExpression:
        if _is_self(updated_node.value) and updated_node.attr.value in self.names:
            return cst.Name(self.names[updated_node.attr.value])
        return updated_node
