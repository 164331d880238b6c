"""What is known about the names a loop touches: each array's ndim and dtype (profile > finding
evidence > the allocation that made it, read statically), which names the profile saw as non-arrays,
and whether an array was freshly allocated just before the loop (so no other name can alias it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

from optadvise.model import MODULE, Finding, Profile
from optadvise.rewriters.base import Decline
from optadvise.rewriters.cst import Tree, call_args, dotted
from optadvise.rewriters.loops.attributes import attribute_assignments, instance_class, root_of
from optadvise.rewriters.loops.lists import BOUNDARY
from optadvise.rewriters.loops.site import bindings, bound_names, last_assignment_before, qualname

# numpy calls that return new memory (no aliasing of any existing array)
FRESH = {"empty", "zeros", "ones", "full", "empty_like", "zeros_like", "ones_like", "full_like",
         "copy", "array", "arange", "linspace"}
SHAPE_ARG = {"empty", "zeros", "ones", "full"}  # take the shape as the first argument
LIKE = {"empty_like", "zeros_like", "ones_like", "full_like", "copy"}
RANDOM_F8 = {"random", "standard_normal", "normal", "uniform", "rand", "randn", "exponential"}
FLOAT_UFUNCS = {"sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "abs", "absolute", "square", "cbrt",
                "arcsin", "arccos", "arctan", "sinh", "cosh", "expm1", "log1p", "log2", "log10"}
COPY = m.Call(func=m.Attribute(attr=m.Name("copy")), args=[])  # `x.copy()`
DTYPES = {"float": "float64", "float64": "float64", "double": "float64", "float32": "float32",
          "single": "float32", "int": "int64", "int64": "int64", "int32": "int32", "int8": "int8",
          "int16": "int16", "uint8": "uint8", "uint32": "uint32", "uint64": "uint64", "bool": "bool",
          "complex": "complex128", "complex128": "complex128", "float16": "float16"}


@dataclass
class Facts:
    """ndim and dtype of names that hold arrays, as far as they are known."""

    arrays: dict[str, tuple[int, str]] = field(default_factory=dict)  # name -> (ndim, dtype or "")
    scalars_seen: set[str] = field(default_factory=set)  # names the profile saw as non-arrays
    py_elements: set[str] = field(default_factory=set)  # arrays standing for lists: elements are Python floats

    def ndim(self, name: str) -> int | None:
        return self.arrays[name][0] if name in self.arrays else None

    def dtype(self, name: str) -> str:
        return self.arrays[name][1] if name in self.arrays else ""

    def require_array(self, name: str, unknown: str) -> None:
        """Decline unless `name` is a known array: a Python list says so, anything else `unknown`."""
        if name in self.scalars_seen:
            raise Decline(f"`{name}` is a Python list (or other container), not a NumPy array: only "
                          "lists of floats that a for-nest reads element by element are converted")
        if name not in self.arrays:
            raise Decline(unknown)

    def maybe_array(self, name: str) -> bool:
        """Whether a loop-invariant name might be a non-scalar array (which breaks element maths)."""
        return name in self.arrays and self.arrays[name][0] > 0


def is_fresh_alloc(tree: Tree, value: cst.BaseExpression) -> bool:
    """A numpy allocation/copy that returns new memory."""
    if not isinstance(value, cst.Call):
        return False
    fn = tree.resolve(value.func) or ""
    if fn.startswith("numpy.") and fn.split(".", 1)[1] in FRESH:
        if fn == "numpy.array":
            return not any(a.keyword is not None and a.keyword.value == "copy" for a in value.args)
        return True
    return m.matches(value, COPY)


def fresh_before(tree: Tree, stmt: cst.BaseStatement, name: str) -> bool:
    """`name` is bound to a fresh allocation by the statement just before `stmt`."""
    value = last_assignment_before(tree, stmt, name)
    return value is not None and is_fresh_alloc(tree, value)


def fresh_around(tree: Tree, stmt: cst.BaseStatement, name: str) -> bool:
    """`name` is freshly allocated just before `stmt`, or just before a loop around it inside which
    `name` is only ever indexed (so no other name can come to share its memory)."""
    if fresh_before(tree, stmt, name):
        return True
    for a in tree.ancestors(stmt):
        if isinstance(a, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return False
        if isinstance(a, cst.For):
            if not all(isinstance(p := tree.parent.get(n), cst.Subscript) and p.value is n
                       for n in tree.name_nodes(a, name)):
                return False
            if fresh_before(tree, a, name):
                return True
    return False


def allocated_extent(tree: Tree, scope: cst.CSTNode, name: str,
                     before: cst.CSTNode) -> tuple[str, ...] | str | None:
    """The shape `name` was allocated with, when its only binding in `scope` is an allocation ahead of
    `before` whose shape names are bound only ahead of it: the code per dim (`np.zeros((n, m))`), or
    the array it copies the shape of (`np.empty_like(a)`, `a.copy()`, that array not rebound since)."""
    root = tree.module if isinstance(scope, cst.Module) else scope
    bs = bindings(tree, root, name)
    target = tree.parent.get(bs[0]) if len(bs) == 1 else None
    asg = tree.parent.get(target) if isinstance(target, cst.AssignTarget) else None
    if not isinstance(asg, cst.Assign) or len(asg.targets) != 1 or tree.line(asg) >= tree.line(before):
        return None
    value = asg.value
    like = value.func.value if m.matches(value, COPY) else None  # type: ignore[attr-defined]
    if isinstance(value, cst.Call) and like is None:
        fn = tree.resolve(value.func) or ""
        try:
            pos, kw = call_args(value)
        except Decline:
            return None
        short = fn.split(".")[-1]
        if not fn.startswith("numpy.") or not pos or "shape" in kw:
            return None
        if short in LIKE:
            like = pos[0].value
        elif short in SHAPE_ARG:
            shape = pos[0].value
            dims = [e.value for e in shape.elements] if isinstance(shape, cst.Tuple) else [shape]
            if all(tree.line(b) < tree.line(asg) for d in dims for n in tree.walk(d) if isinstance(n, cst.Name)
                   for b in bindings(tree, root, n.value)):
                return tuple(tree.code(d).strip() for d in dims)
    if isinstance(like, cst.Name) and all(tree.line(b) < tree.line(asg) for b in bindings(tree, root, like.value)):
        return like.value
    return None


def _dtype_of(tree: Tree, node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    d = dotted(node)
    if d is not None:
        return DTYPES.get(d.split(".")[-1], "")
    if isinstance(node, cst.SimpleString):
        return DTYPES.get(node.evaluated_value, "")  # type: ignore[arg-type]
    return ""


def _static_fact(tree: Tree, scope: cst.CSTNode, value: cst.BaseExpression, depth: int,
                 known: dict[str, tuple[int, str]]) -> tuple[int, str] | None:
    """(ndim, dtype) of an allocation expression, if it is one we can read."""
    if depth > 4:
        return None
    if m.matches(value, m.Call(func=m.Attribute(value=m.Name(), attr=m.Name("copy")), args=[])):
        return static_facts(tree, scope, value.func.value.value, depth + 1, known)  # type: ignore[attr-defined]
    if not isinstance(value, cst.Call):
        return None
    try:
        pos, kw = call_args(value)
    except Decline:
        return None
    fn = tree.resolve(value.func) or ""
    short = fn.split(".")[-1]
    dt = _dtype_of(tree, kw["dtype"].value) if "dtype" in kw else ""
    if fn.startswith("numpy.") and short in SHAPE_ARG and pos:
        shape = pos[0].value
        nd = len(shape.elements) if isinstance(shape, cst.Tuple) else 1
        if m.matches(shape, m.Attribute(value=m.Name(), attr=m.Name("shape"))):  # `np.zeros(A.shape)`: A's ndim
            like = static_facts(tree, scope, shape.value.value, depth + 1, known)  # type: ignore[attr-defined]
            if like is None:
                return None
            nd = like[0]
        if short == "full":
            fill = pos[1].value if len(pos) > 1 else None
            if isinstance(fill, cst.UnaryOperation) and isinstance(fill.operator, cst.Minus):
                fill = fill.expression
            if not dt and "dtype" not in kw and (isinstance(fill, cst.Float) or fill is not None and (
                    tree.resolve(fill) or "") in ("numpy.inf", "numpy.nan", "math.inf", "math.nan")):
                dt = "float64"  # `np.full(n, np.inf)`: a float fill value makes float64
            elif not dt and "dtype" not in kw and isinstance(fill, cst.Integer):
                dt = "int64"  # `np.full(n, -1)`
            return (nd, dt) if dt else None
        if "dtype" in kw and not dt:
            return None
        if len(pos) > 1:
            dt = _dtype_of(tree, pos[1].value)
            if not dt:
                return None
        return nd, dt or "float64"
    if fn.startswith("numpy.") and short in LIKE and pos and isinstance(pos[0].value, cst.Name):
        base = static_facts(tree, scope, pos[0].value.value, depth + 1, known)
        if base is None or ("dtype" in kw and not dt):
            return None
        return base[0], dt or base[1]
    if fn == "numpy.linspace":
        return 1, "float64"
    if fn.startswith("numpy.") and short in FLOAT_UFUNCS and len(pos) == 1 and not kw:
        arg = pos[0].value  # `np.sin(np.linspace(...))`: a float64 array keeps its ndim
        base = static_facts(tree, scope, arg.value, depth + 1, known) if isinstance(arg, cst.Name) else \
            _static_fact(tree, scope, arg, depth + 1, known)
        return base if base is not None and base[1] == "float64" else None
    if short in RANDOM_F8 and (fn.startswith("numpy.random.") or isinstance(value.func, cst.Attribute)):
        if fn.startswith("numpy.random.") and short in ("rand", "randn"):
            return len(pos), "float64"
        size = kw["size"].value if "size" in kw else (pos[0].value if short in ("random", "standard_normal") and pos
                                                     else pos[2].value if len(pos) > 2 else None)
        if size is None:
            return None
        return (len(size.elements) if isinstance(size, cst.Tuple) else 1), ("float64" if not dt else dt)
    return None


def static_facts(tree: Tree, scope: cst.CSTNode, name: str, depth: int = 0,
                 known: dict[str, tuple[int, str]] | None = None) -> tuple[int, str] | None:
    """(ndim, dtype) of `name` when every assignment to it in scope is an allocation we can read
    (or, for names in `known`, what was observed)."""
    if known and name in known:
        return known[name]
    if "." in name:
        return attribute_facts(tree, scope, name, depth)
    if isinstance(scope, cst.FunctionDef) and name in {p.name.value for p in scope.params.params}:
        return None
    facts: set[tuple[int, str]] = set()
    root = scope.body if isinstance(scope, cst.FunctionDef) else scope
    for n in tree.walk(root):
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(n, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.For, cst.With)):
            targets = ([t.target for t in n.targets] if isinstance(n, cst.Assign)
                       else [n.target] if not isinstance(n, cst.With) else [])
            hits = [t for t in targets if name in bound_names(t)]
            if isinstance(n, cst.With) and any(isinstance(m, cst.Name) and m.value == name
                                               for it in n.items for m in tree.walk(it)):
                return None
            if not hits:
                continue
            if not (isinstance(n, cst.Assign) and len(targets) == 1 and isinstance(targets[0], cst.Name)):
                return None
            f = _static_fact(tree, scope, n.value, depth, known or {})
            if f is None:
                return None
            facts.add(f)
    return facts.pop() if len(facts) == 1 else None


def attribute_facts(tree: Tree, scope: cst.CSTNode, key: str, depth: int) -> tuple[int, str] | None:
    """(ndim, dtype) of `self.x` in a method of a class of this module, when every binding of `x` is
    an allocation we can read (`self.x = np.zeros((n, m))` in its methods, `x = np.zeros(3)` in its body)."""
    cls = instance_class(tree, scope, root_of(key))
    parts = key.split(".")
    found = attribute_assignments(tree, cls, parts[1]) if cls is not None and len(parts) == 2 else None
    if not found:
        return None
    facts = {_static_fact(tree, where, value, depth, {}) for where, value in found}  # in their own scopes
    return facts.pop() if len(facts) == 1 and None not in facts else None


def gather_facts(tree: Tree, scope: cst.CSTNode, finding: Finding, profile: Profile | None,
                 names: set[str]) -> Facts:
    """What is known about each of `names`: profile first, then the finding's evidence, then the source."""
    facts = Facts()
    fname = qualname(tree, scope) if not isinstance(scope, cst.Module) else MODULE
    seen: dict[str, set[tuple[int, str]]] = {}
    if profile is not None:
        mine = [a for a in profile.arrays if a.function in (fname, finding.function)]
        for a in mine:
            if a.kind in ("ndarray", "memmap"):
                seen.setdefault(a.name, set()).add((len(a.shape), a.dtype))
            else:
                facts.scalars_seen.add(a.name)  # lists etc.: never treated as arrays
    ev = finding.evidence.get("arrays") if isinstance(finding.evidence, dict) else None
    if isinstance(ev, dict):
        for k, v in ev.items():
            if isinstance(v, dict) and v.get("kind", "ndarray") not in ("ndarray", "memmap"):
                facts.scalars_seen.add(k)  # a Python list the rule saw: never an array
            elif isinstance(v, dict) and "shape" in v and k not in seen:
                seen.setdefault(k, set()).add((len(v["shape"]), str(v.get("dtype", ""))))
    boundary = finding.evidence.get(BOUNDARY) if isinstance(finding.evidence, dict) else None
    for k, nd in (boundary.items() if isinstance(boundary, dict) else ()):
        seen[k] = {(int(nd), "float64")}  # converted from a list of floats just before the loop
        facts.py_elements.add(k)
    for k, s in seen.items():
        if len(s) == 1:
            facts.arrays[k] = next(iter(s))
        elif len({nd for nd, _ in s}) == 1:
            facts.arrays[k] = (next(iter(s))[0], "")
    for k in names:
        if k not in facts.arrays and k not in facts.scalars_seen:
            f = static_facts(tree, scope, k, known=facts.arrays)
            if f is not None:
                facts.arrays[k] = f
    return facts
