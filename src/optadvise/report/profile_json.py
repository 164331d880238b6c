"""The `profile` report as one JSON document (its shape is documented in README)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from optadvise import __version__
from optadvise.model import to_dict

if TYPE_CHECKING:
    from optadvise.profiling.runner import ProfileRun


def profile_document(run: ProfileRun) -> dict[str, Any]:
    """The Profile's fields, then `findings`, `exit_code` and `notes`."""
    doc = {"optadvise": __version__, **to_dict(run.profile)}
    doc["findings"] = [to_dict(f) for f in run.findings]
    doc["exit_code"] = run.exit_code
    doc["notes"] = run.notes
    return doc


def write_profile_json(run: ProfileRun, output: str | None = None) -> None:
    text = json.dumps(profile_document(run), indent=2, default=str) + "\n"
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
