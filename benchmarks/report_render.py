"""Time and size of the HTML and speedscope reports for a run with many whole-stack samples.

    python benchmarks/report_render.py [SAMPLES]

Builds a synthetic `ProfileRun` (SAMPLES stack samples over 2 threads, paths of up to 30 frames
through a random call tree of 200 functions, 60 function rows) and prints how long each renderer
takes and how large its output is.
"""

from __future__ import annotations

import random
import sys
import time

from optadvise.model import FunctionStat, LineStat, Profile, ProfileRun, StackSample
from optadvise.report.html import render_profile_html
from optadvise.report.speedscope import render_speedscope


def synthetic_run(samples: int) -> ProfileRun:
    rng = random.Random(0)
    frames = [f"f{i} (/x/script.py:{i + 1})" for i in range(200)]
    callees = {f: rng.sample(frames, 3) for f in frames}  # each function calls three others
    stacks = []
    for _ in range(samples):
        path = ["<module> (/x/script.py:1)", frames[0]]
        for _depth in range(rng.randint(0, 29)):
            path.append(rng.choice(callees[path[-1]]))
        stacks.append(StackSample(path, rng.choice(["MainThread", "Thread-1"]), 0.001))
    functions = [FunctionStat(f"f{i}", "/x/script.py", i + 1, 10, 0.01, 0.1, 0.1 / (i + 1), True,
                              lines=[LineStat(i + 2, 5, 0.01, 1.0)]) for i in range(60)]
    source = "\n".join(f"def f{i}():\n    return {i}" for i in range(200))
    profile = Profile("/x/script.py", [], "/x", returncode=0, wall_s=samples * 0.001, functions=functions,
                      stacks=stacks)
    return ProfileRun(profile, [], source, 0)


def main() -> None:
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    run = synthetic_run(samples)
    for name, render in (("html", render_profile_html), ("speedscope", render_speedscope)):
        started = time.perf_counter()
        text = render(run)
        print(f"{name:10} {samples} samples: {time.perf_counter() - started:.2f} s, {len(text) / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
