"""LibCST services shared by the rewriters: the parsed tree, the edits, and how a value is used.

`tree` owns the parsed module and its metadata (positions, parents, scopes, qualified names);
`edits` owns changing it (statement/expression edits, queued imports, `finish`); `flow` owns the
value-flow analysis (`use_of`, `uses_through`).
"""

from __future__ import annotations

from optadvise.rewriters.cst.edits import Edits, candidate, expr, finish, stmt
from optadvise.rewriters.cst.flow import SAVE_FUNCS, VIEW_ATTRS, Use, use_of, uses_through
from optadvise.rewriters.cst.tree import Tree, call_args, dotted

__all__ = ["Edits", "SAVE_FUNCS", "Tree", "Use", "VIEW_ATTRS", "call_args", "candidate", "dotted", "expr",
           "finish", "stmt", "use_of", "uses_through"]
