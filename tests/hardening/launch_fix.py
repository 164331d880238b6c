"""Run the real `optadvise` CLI in this process with a test rewriter, for end-to-end `fix --apply` tests.

    python launch_fix.py fix SCRIPT [OPTIONS]      (env OA_TEST_EDIT = JSON [old, new])

The rewriters are still being built, so the rewrite itself is a plain text replacement (in the
script's own line endings); everything else is the product: profile, verification runs, function-level
check, timing, encoding and the atomic write. OA_TEST_TOUCH_BEFORE_WRITE=1 appends a line to the
script just before the write (the user saving the file in an editor meanwhile).
"""

from __future__ import annotations

import json
import os
import sys

import optadvise.commands.fix as fix_mod
import optadvise.rewriters as rewriters
from optadvise.cli import main
from optadvise.model import Candidate
from optadvise.rewriters import Decline, Rewriter


class TextEdit(Rewriter):
    kind = "vectorize"
    rules = ("loop-over-ndarray",)

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new

    def applies(self, finding):  # type: ignore[no-untyped-def]
        return True

    def propose(self, source, finding, profile):  # type: ignore[no-untyped-def]
        nl = "\r\n" if "\r\n" in source else "\n"
        old, new = self.old.replace("\n", nl), self.new.replace("\n", nl)
        if old not in source:
            raise Decline("no loop to rewrite")
        return [Candidate(finding.rule, self.kind, finding.function, finding.filename, finding.lineno,
                          "test rewrite", source, source.replace(old, new))]


old, new = json.loads(os.environ["OA_TEST_EDIT"])
rewriters.load_all = lambda: [TextEdit(old, new)]  # run_fix calls rewriters.load_all() at call time

if os.environ.get("OA_TEST_TOUCH_BEFORE_WRITE"):
    real_write = fix_mod.write_atomic

    def touching_write(original, data):  # type: ignore[no-untyped-def]
        with open(original.path, "ab") as fh:
            fh.write(b"# saved in an editor meanwhile\n")
        return real_write(original, data)

    fix_mod.write_atomic = touching_write

sys.argv[0] = "optadvise"
main()
