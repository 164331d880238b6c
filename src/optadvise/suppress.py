"""Suppression comments on a flagged line: `# noqa`, `# noqa: OA101, OA102`, `# optadvise: ignore`,
`# optadvise: ignore[loop-over-ndarray, OA102]`.

Only real comments count (found with `tokenize`, so `"# noqa"` inside a string suppresses nothing);
codes and slugs are both accepted in either style, case-insensitively.
"""

from __future__ import annotations

import io
import re
import tokenize

_LINE_END = re.compile(r"\r\n|\r|\n")
ALL = frozenset({"*"})  # a bare directive: every rule

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<names>[\w-]+(?:\s*,\s*[\w-]+)*)|(?![\w-]))", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*optadvise\s*:\s*ignore(?:\[(?P<names>[^\]]*)\]|(?![\w-]))", re.IGNORECASE)


def directives(comment: str) -> frozenset[str]:
    """The lower-cased rule names a comment suppresses; `ALL` for a bare directive; empty for none."""
    names: set[str] = set()
    for rx in (_NOQA, _IGNORE):
        for m in rx.finditer(comment):
            listed = m.group("names")
            if listed is None or not listed.strip():
                return ALL
            names.update(n.strip().lower() for n in listed.split(",") if n.strip())
    return frozenset(names)


def comments_by_line(source: str) -> dict[int, str]:
    """Every comment in `source`, by line number (a line has at most one comment)."""
    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string
    except (tokenize.TokenError, SyntaxError):
        pass  # the comments seen so far stand
    return out


class Suppressions:
    """Looks up suppression comments in one file; tokenizes only if a flagged line could hold one."""

    def __init__(self, source: str):
        self._source = source
        self._lines: list[str] | None = None
        self._comments: dict[int, str] | None = None

    def line(self, lineno: int) -> str:
        """Physical line `lineno` as `ast` counts lines (only \\n, \\r\\n and \\r end one)."""
        if self._lines is None:
            self._lines = _LINE_END.split(self._source)
        return self._lines[lineno - 1] if 0 < lineno <= len(self._lines) else ""

    def suppressed(self, lineno: int, code: str, slug: str) -> bool:
        line = self.line(lineno)
        lowered = line.lower()
        if "#" not in line or ("noqa" not in lowered and "optadvise" not in lowered):
            return False
        if self._comments is None:
            self._comments = comments_by_line(self._source)
        names = directives(self._comments.get(lineno, ""))
        return names is ALL or code.lower() in names or slug.lower() in names
