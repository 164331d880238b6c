"""tests/rules: every rule's own examples and docs in-process, and real profiled runs of small scripts."""

from __future__ import annotations

import sys
from pathlib import Path

# the real-child-process helpers live beside the profile tests; share them rather than copy them
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "profile"))
