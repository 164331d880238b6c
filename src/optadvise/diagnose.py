"""Diagnose: run every rule over the script's source and the measured profile, rank the findings."""

from __future__ import annotations

import ast
import sys

from optadvise.model import Finding, Profile
from optadvise.rules import RULES, Rule
from optadvise.rules.index import ModuleIndex


def diagnose(profile: Profile, source: str, tree: ast.Module, filename: str,
             rules: list[Rule] | None = None) -> list[Finding]:
    """Measured findings for one script, highest share of run time first."""
    index = ModuleIndex(source, filename, tree)
    findings: list[Finding] = []
    for rule in rules or RULES:
        try:
            for site in rule.find(index):
                finding = rule.confirm(site, index, profile)
                if finding is not None:
                    findings.append(finding)
            findings.extend(rule.discover(index, profile))
        except Exception as e:  # noqa: BLE001 - one broken rule must not hide the others
            print(f"optadvise: warning: rule {rule.slug} failed: {type(e).__name__}: {e}",
                  file=sys.stderr)
    findings.sort(key=lambda f: (-f.share, f.lineno))
    return findings
