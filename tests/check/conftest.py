"""Test rules are injected through `optadvise.rules.RULES` only where a test asks (`with_test_rules`)."""

from __future__ import annotations

import pytest

from optadvise import rules

from .helpers import TEST_RULES


@pytest.fixture
def with_test_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI see only the test rules (the real rules' heuristics are tested elsewhere)."""
    monkeypatch.setattr(rules, "RULES", list(TEST_RULES))
