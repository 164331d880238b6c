"""Each output format: text, json, sarif (validated against the required SARIF 2.1.0 structure), github."""

from __future__ import annotations

import json

import jsonschema
import pytest

from .helpers import cli, write

pytestmark = pytest.mark.usefixtures("with_test_rules")

SOURCE = """\
    x = 1
    print(x)

    def f():
        eval("2")  # a comment
"""

_TEXT = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}}
SARIF_REQUIRED = {
    "type": "object",
    "required": ["$schema", "version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "pattern": "sarif"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["tool", "results"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object",
                    "required": ["name", "informationUri", "rules"],
                    "properties": {
                        "name": {"const": "optadvise"},
                        "informationUri": {"type": "string", "format": "uri", "pattern": "^https?://"},
                        "rules": {"type": "array", "items": {
                            "type": "object",
                            "required": ["id", "name", "shortDescription", "fullDescription",
                                         "defaultConfiguration"],
                            "properties": {
                                "id": {"type": "string"}, "name": {"type": "string"},
                                "shortDescription": _TEXT, "fullDescription": _TEXT,
                                "helpUri": {"type": "string"},
                                "defaultConfiguration": {
                                    "type": "object", "required": ["level"],
                                    "properties": {"level": {"enum": ["none", "note", "warning", "error"]}}},
                            }}},
                    }}}},
                "results": {"type": "array", "items": {
                    "type": "object",
                    "required": ["ruleId", "level", "message", "locations"],
                    "properties": {
                        "ruleId": {"type": "string"},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": _TEXT,
                        "locations": {"type": "array", "minItems": 1, "items": {
                            "type": "object", "required": ["physicalLocation"],
                            "properties": {"physicalLocation": {
                                "type": "object", "required": ["artifactLocation", "region"],
                                "properties": {
                                    "artifactLocation": {"type": "object", "required": ["uri"],
                                                         "properties": {"uri": {"type": "string"}}},
                                    "region": {"type": "object",
                                               "required": ["startLine", "startColumn", "endLine"],
                                               "properties": {
                                                   "startLine": {"type": "integer", "minimum": 1},
                                                   "startColumn": {"type": "integer", "minimum": 1},
                                                   "endLine": {"type": "integer", "minimum": 1}}},
                                }}}}},
                    }}},
            }}},
    },
}


def test_text_groups_by_file_with_source_lines(tmp_path):
    write(tmp_path, "pkg/a.py", SOURCE)
    write(tmp_path, "pkg/b.py", "print('b')\n")
    result = cli(["check", "pkg"], tmp_path)
    out = result.stdout
    assert result.exit_code == 1
    assert "pkg/a.py:2:1: TST001 [print-call] print called" in out
    assert "pkg/a.py:5:5: TST002 [eval-call] eval called" in out
    assert 'eval("2")  # a comment' in out  # the source line, comment and all
    assert "static; run `optadvise profile`" in out
    assert out.index("pkg/a.py:2:1") < out.index("pkg/a.py:5:5") < out.index("pkg/b.py:1:1")
    assert out.count("\npkg/a.py\n") + out.startswith("pkg/a.py\n") == 1  # one heading per file
    assert "3 findings in 2 files" in out


def test_json_carries_static_findings(tmp_path):
    write(tmp_path, "a.py", SOURCE)
    result = cli(["check", "a.py", "--output-format", "json"], tmp_path)
    doc = json.loads(result.stdout)
    assert result.exit_code == 1
    first, second = doc["findings"]
    assert (first["rule"], first["code"], first["filename"], first["lineno"], first["col"]) == \
        ("print-call", "TST001", "a.py", 2, 0)
    assert (second["function"], second["end_lineno"], second["source"]) == \
        ("<module>", 5, '    eval("2")  # a comment')
    assert {f["confidence"] for f in doc["findings"]} == {"static"}
    assert {f["severity"] for f in doc["findings"]} == {"low"}
    assert doc["summary"]["files"] == 1 and doc["summary"]["findings"] == 2 and doc["errors"] == []


def test_sarif_is_valid_and_points_at_the_lines(tmp_path):
    write(tmp_path, "src/a.py", SOURCE)
    result = cli(["check", "src", "--output-format", "sarif"], tmp_path)
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SARIF_REQUIRED, format_checker=jsonschema.FormatChecker())
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == ["TST001", "TST002", "TST003"]  # the static rules that ran, not TST004
    locs = [(r["ruleId"], r["locations"][0]["physicalLocation"]) for r in run["results"]]
    assert [(rid, loc["artifactLocation"]["uri"], loc["region"]["startLine"], loc["region"]["startColumn"])
            for rid, loc in locs] == [("TST001", "src/a.py", 2, 1), ("TST002", "src/a.py", 5, 5)]
    assert all(r["ruleIndex"] == rule_ids.index(r["ruleId"]) for r in run["results"])
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_reports_unparsable_files_as_notifications(tmp_path):
    write(tmp_path, "bad.py", "def f(:\n")
    result = cli(["check", "bad.py", "--output-format", "sarif"], tmp_path)
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SARIF_REQUIRED)
    note, = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "error" and "syntax error" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert result.exit_code == 2


def test_columns_count_characters_not_bytes(tmp_path):
    write(tmp_path, "a.py", "s = 'héllo' ; print(s)\n")
    result = cli(["check", "a.py", "--output-format", "github"], tmp_path)
    assert result.stdout.startswith("::warning file=a.py,line=1,col=15,")
    doc = json.loads(cli(["check", "a.py", "--output-format", "sarif"], tmp_path).stdout)
    assert doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] == 15


def test_github_annotations(tmp_path):
    write(tmp_path, "a.py", SOURCE)
    write(tmp_path, "odd,name:x.py", "print(1)\n")
    write(tmp_path, "bad.py", "x = (\n")
    result = cli(["check", ".", "--output-format", "github"], tmp_path)
    lines = result.stdout.splitlines()
    assert "::warning file=a.py,line=2,col=1,title=TST001 print-call::print called " \
           "(static; run `optadvise profile` for measured evidence)" in lines
    assert any(ln.startswith("::warning file=a.py,line=5,col=5,title=TST002 eval-call::") for ln in lines)
    assert any(ln.startswith("::warning file=odd%2Cname%3Ax.py,line=1,col=1,") for ln in lines)
    assert any(ln.startswith("::error file=bad.py,line=1,") and "syntax error" in ln for ln in lines)
    assert result.exit_code == 2
