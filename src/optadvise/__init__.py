"""optadvise: find the bottleneck in scientific Python, say why, rewrite it, prove the rewrite.

The Python API (`optadvise.profile`, `optadvise.fix`, `optadvise.check`, in `optadvise.api`) is
loaded on first use so that the command line pays only for what it runs; `%load_ext optadvise`
loads the IPython magics (`optadvise.notebook`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "check", "fix", "load_ipython_extension", "profile"]

if TYPE_CHECKING:
    from optadvise.api import check, fix, profile


def __getattr__(name: str) -> Any:
    if name in ("profile", "fix", "check"):
        from optadvise import api  # lazy: the CLI's `check` must not import the profiler and verifier

        return getattr(api, name)
    raise AttributeError(f"module 'optadvise' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext optadvise`: registers the `%optadvise` line magic and `%%optadvise` cell magic."""
    from optadvise.notebook import register  # lazy: IPython is an optional dependency

    register(ipython)
