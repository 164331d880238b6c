"""The messages between the verifier and its function-check child: the spec the parent writes and the
result the child writes, both JSON files made with `optadvise.model.to_dict` / `from_dict`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from optadvise.model import KernelTiming, from_dict, to_dict
from optadvise.verify.compare import ATOL

Status = Literal["ok", "mismatch", "skipped"]
M = TypeVar("M")


@dataclass
class FunctionSpec:
    """What to check: the original script (+ argv), the candidate file, the module-level function, the
    tolerance, and where the child writes its `FunctionResult`."""

    script: str
    args: list[str]
    candidate: str
    function: str
    rtol: float
    out: str
    atol: float = ATOL
    timing: bool = False  # also time original and candidate on the real inputs (`KernelTiming`)


@dataclass
class FunctionResult:
    """The child's verdict: `ok` (with the number of inputs compared), `mismatch` or `skipped`, with a
    reason; the largest relative difference seen, notes for the report, and the kernel timing when
    the spec asked for it."""

    status: Status
    reason: str = ""
    inputs: int = 0
    max_rel_diff: float | None = None
    notes: list[str] = field(default_factory=list)
    timing: KernelTiming | None = None

    @classmethod
    def skipped(cls, reason: str) -> FunctionResult:
        return cls("skipped", reason)


def write_message(message: FunctionSpec | FunctionResult, path: str) -> None:
    with open(path, "w") as fh:
        json.dump(to_dict(message), fh)


def read_message(cls: type[M], path: str) -> M:
    """Raises OSError or ValueError when the file is missing or not a message."""
    with open(path) as fh:
        data = json.load(fh)
    try:
        return from_dict(cls, data)
    except TypeError as e:  # not an object, or a required field missing
        raise ValueError(f"{path}: not a {cls.__name__} ({e})") from e
