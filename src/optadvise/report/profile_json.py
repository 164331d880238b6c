"""The `profile` report as one JSON document (its shape is documented in README)."""

from __future__ import annotations

import json
from typing import Any

from optadvise import __version__
from optadvise.model import ProfileRun, to_dict


def profile_document(run: ProfileRun) -> dict[str, Any]:
    """The Profile's fields, then `findings`, `exit_code` and `notes`."""
    doc = {"optadvise": __version__, **to_dict(run.profile)}
    doc["findings"] = [to_dict(f) for f in run.findings]
    doc["exit_code"] = run.exit_code
    doc["notes"] = run.notes
    return doc


def render_profile_json(run: ProfileRun) -> str:
    return json.dumps(profile_document(run), indent=2, default=str) + "\n"
