"""The one message from the profiling harness (child) to the runner (parent): `HarnessReport`.

The child builds the `optadvise.model` records it observed, writes them with `model.to_dict` as one
JSON file (atomically: the parent sees the whole report or none), and the parent rebuilds them with
`model.from_dict`. Every field of the report is the `Profile` field of the same name.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field

from optadvise.model import (
    ArrayInfo,
    ChildProcessStat,
    FunctionStat,
    LoadStat,
    OptimizeStat,
    Profile,
    StackSample,
    ThreadStat,
    from_dict,
    to_dict,
)


@dataclass
class HarnessReport:
    """What the harness measured in one run of the script."""

    returncode: int | None  # None when stopped at the parent's timeout
    exception: str | None  # "ValueError: ..." when the script raised
    timed_out: bool
    wall_s: float
    cpu_s: float
    peak_rss_bytes: int
    functions: list[FunctionStat] = field(default_factory=list)
    arrays: list[ArrayInfo] = field(default_factory=list)
    threads: list[ThreadStat] = field(default_factory=list)
    loads: list[LoadStat] = field(default_factory=list)
    optimizers: list[OptimizeStat] = field(default_factory=list)
    line_profile_windows: int = 0
    sample_interval_s: float = 0.0
    samples: int = 0
    stacks: list[StackSample] = field(default_factory=list)
    children: ChildProcessStat | None = None

    def fill(self, profile: Profile) -> Profile:
        """`profile` with every field this report measured taken from the report."""
        return dataclasses.replace(profile, **vars(self))


def write_report(report: HarnessReport, path: str) -> None:
    """Write `report` to `path` atomically; a parent that is gone (its folder with it) is ignored."""
    tmp = path + ".tmp"
    try:
        with open(tmp, "w") as fh:
            json.dump(to_dict(report), fh)
        os.replace(tmp, path)
    except OSError:
        pass


def read_report(path: str) -> HarnessReport | None:
    """The report the harness wrote to `path`, or None when it wrote none."""
    try:
        with open(path) as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return from_dict(HarnessReport, data)
