"""The `profile` run as a speedscope file (https://www.speedscope.app, its published JSON schema).

One sampled profile per thread from the whole-stack samples (`Profile.stacks`); a run without them
gives one profile of the function table, each function a one-frame sample weighted by its own time.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable
from typing import Any

from optadvise import __version__
from optadvise.model import Profile, ProfileRun
from optadvise.report.frames import rel_path

SCHEMA = "https://www.speedscope.app/file-format-schema.json"
_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>.*):(?P<line>\d+)\)$")


def parse_frame(frame: str) -> dict[str, Any]:
    """A speedscope frame of a stack sample's "function (file:line)" (a bare name stays a name)."""
    m = _FRAME.match(frame)
    if m is None:
        return {"name": frame}
    return {"name": m["name"], "file": rel_path(m["file"]), "line": int(m["line"])}


def speedscope_document(p: Profile) -> dict[str, Any]:
    frames: list[dict[str, Any]] = []
    index: dict[str, int] = {}

    def frame_id(key: str, frame: Callable[[], dict[str, Any]]) -> int:
        if key not in index:
            index[key] = len(frames)
            frames.append(frame())
        return index[key]

    by_thread: dict[str, tuple[list[list[int]], list[float]]] = {}
    for s in p.stacks:
        samples, weights = by_thread.setdefault(s.thread, ([], []))
        samples.append([frame_id(f, functools.partial(parse_frame, f)) for f in s.frames])
        weights.append(s.weight_s)
    if not by_thread:
        samples, weights = by_thread.setdefault("functions (cProfile own time; no stack samples)", ([], []))
        for f in p.functions:
            if f.own_s > 0:
                frame = {"name": f.name, **({"file": rel_path(f.filename), "line": f.lineno} if f.filename else {})}
                samples.append([frame_id(f"{f.name}\0{f.filename}:{f.lineno}", functools.partial(dict, frame))])
                weights.append(f.own_s)
    profiles = [{"type": "sampled", "name": thread, "unit": "seconds", "startValue": 0,
                 "endValue": sum(weights), "samples": samples, "weights": weights}
                for thread, (samples, weights) in by_thread.items()]
    return {"$schema": SCHEMA, "shared": {"frames": frames}, "profiles": profiles,
            "name": os.path.basename(p.script), "activeProfileIndex": 0, "exporter": f"optadvise {__version__}"}


def render_speedscope(run: ProfileRun) -> str:
    return json.dumps(speedscope_document(run.profile)) + "\n"
