"""Shared helpers for the verifier tests: write a script, make a candidate from string edits."""

from __future__ import annotations

import os
import textwrap

from optadvise.model import MODULE, Candidate


def write(folder: str, name: str, text: str) -> str:  # text is dedented
    path = os.path.join(folder, name)
    with open(path, "w") as fh:
        fh.write(textwrap.dedent(text).lstrip())
    return path


def edit(source: str, *pairs: tuple[str, str], function: str = MODULE, rtol: float = 1e-9,
         kind: str = "vectorize") -> Candidate:
    """A candidate made by exact text replacements (each must occur in the source)."""
    new = source
    for old, repl in pairs:
        assert old in new, old
        new = new.replace(old, repl)
    return Candidate(rule="loop-over-ndarray", kind=kind, function=function, filename="slow.py", lineno=1,
                     description="test candidate", original=source, new=new, rtol=rtol)


def listing(folder: str) -> dict[str, bytes]:
    """Every file under `folder` with its bytes (what a verification must leave untouched)."""
    out = {}
    for root, _dirs, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, folder)] = fh.read()
    return out
