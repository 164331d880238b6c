"""SARIF 2.1.0 for `optadvise check` (GitHub code scanning reads it via codeql-action/upload-sarif)."""

from __future__ import annotations

import json
import os
import pathlib
import urllib.parse
from typing import Any

from optadvise import __version__
from optadvise.model import STATIC_NOTE, CheckResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/optadvise/"


def artifact(filename: str) -> dict[str, str]:
    """A relative path becomes a URI under %SRCROOT% (the working directory), an absolute one file://."""
    if os.path.isabs(filename):
        return {"uri": pathlib.Path(filename).as_uri()}
    rel = os.path.normpath(filename).replace(os.sep, "/")
    return {"uri": urllib.parse.quote(rel), "uriBaseId": "%SRCROOT%"}


def render_sarif(result: CheckResult) -> str:
    return json.dumps(to_sarif(result), indent=2) + "\n"


def to_sarif(result: CheckResult) -> dict[str, Any]:
    rules = [{
        "id": r.code,
        "name": r.slug,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.doc()},
        "help": {"text": r.doc()},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["performance", "static"]},
    } for r in result.rules]
    index = {r.code: i for i, r in enumerate(result.rules)}
    results = []
    for f in result.findings:
        item: dict[str, Any] = {
            "ruleId": f.code,
            "level": "warning",
            "message": {"text": f"{f.message} ({STATIC_NOTE})"},
            "locations": [{"physicalLocation": {
                "artifactLocation": artifact(f.filename),
                "region": {"startLine": max(f.lineno, 1), "startColumn": result.column(f),
                           "endLine": max(f.end_lineno, f.lineno, 1)},
            }}],
            "properties": {"confidence": f.confidence, "function": f.function},
        }
        if f.code in index:
            item["ruleIndex"] = index[f.code]
        results.append(item)
    notifications = [{
        "level": "error",
        "message": {"text": str(e)},
        "descriptor": {"id": f"optadvise/{e.kind}"},
        "locations": [{"physicalLocation": {
            "artifactLocation": artifact(e.filename),
            "region": {"startLine": max(e.lineno, 1), "startColumn": max(e.col, 1)},
        }}],
    } for e in result.errors]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "optadvise", "version": __version__,
                                "informationUri": INFORMATION_URI, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"uri": pathlib.Path(os.getcwd()).as_uri() + "/"}},
            "invocations": [{"executionSuccessful": not result.crashes,
                             "toolExecutionNotifications": notifications}],
            "results": results,
        }],
    }
