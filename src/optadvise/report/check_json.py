"""The `check` report as one JSON document: findings (with their source line), errors, a summary."""

from __future__ import annotations

import json

from optadvise.model import CheckResult


def render_check_json(result: CheckResult) -> str:
    return json.dumps(result.to_dict(), indent=2) + "\n"
