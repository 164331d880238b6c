"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture
def make_read_only() -> Iterator[Callable[[Path], None]]:
    """Make a file read-only *for the current user*: mode 0444, and for root (whom permission bits
    do not stop) the immutable attribute as well. Skips where neither can stop this user."""
    locked: list[Path] = []

    def lock(path: Path) -> None:
        path.chmod(0o444)
        if os.access(path, os.W_OK) and shutil.which("chattr"):
            if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0:
                locked.append(path)
        if os.access(path, os.W_OK):
            pytest.skip("cannot make a file read-only for this user here")

    yield lock
    for path in locked:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


# Property tests explore new examples locally; in CI (CI=true) they replay a fixed sequence, so a
# red build always means a change in the code, never a new random draw.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
