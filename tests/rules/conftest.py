"""tests/rules: each rule's own examples statically, and profile-guided runs of small scripts."""

from __future__ import annotations

import sys
from pathlib import Path

# the real-child-process helpers live beside the profile tests; share them rather than copy them
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "profile"))
