"""Every record that flows through the pipeline: Profile -> Finding -> Candidate -> Verdict, and the
results of the three commands (`ProfileRun`, `CheckResult`, `FixReport`).

Every record is a plain dataclass that round-trips through JSON (`to_dict` / `from_dict`), so the
child harness, the parent, the report renderers and users' scripts all see the same shape.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from optadvise.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

T = TypeVar("T")

MODULE = "<module>"  # the function name given to code at a script's top level


def to_dict(obj: Any) -> Any:
    """A JSON-ready copy of a record (dataclasses become dicts, tuples lists)."""
    return dataclasses.asdict(obj) if dataclasses.is_dataclass(obj) and not isinstance(obj, type) else obj


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a dataclass (and nested dataclasses/lists of them) from `to_dict` output."""
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            kwargs[f.name] = _revive(hints[f.name], data[f.name])
    return cls(**kwargs)


def _revive(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _revive(inner[0], value) if len(inner) == 1 else value
    if origin is list and args:
        return [_revive(args[0], v) for v in value]
    if origin is tuple:
        return tuple(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return from_dict(hint, value)
    return value


# ----------------------------------------------------------------------------------------- observe


@dataclass
class LineStat:
    """One source line of a function of the script.

    `time_s`/`share` come from the harness's wall-clock sampler (inclusive of calls made on the
    line); `hits`/`traced_s` from line_profiler, which traces only in short sampled windows, so
    they cover a sample of the run, not all of it. `alloc_bytes`/`peak_bytes` come from tracemalloc
    in those windows: bytes allocated on the line (inclusive of its calls) and alive at a window's
    end, summed over the windows and the largest of one window (lower bounds).
    """

    lineno: int
    hits: int
    time_s: float
    share: float  # of the function's sampled time, 0..1
    traced_s: float = 0.0
    alloc_bytes: int = 0
    peak_bytes: int = 0


@dataclass
class FunctionStat:
    """One function of the run; `lines` is filled for the hot functions of the user's code.

    With `sampled` set, `own_s`/`cum_s` come from the wall-clock sampler (every thread, the whole
    run) and `calls` is extrapolated from the time cProfile was on for (its warm-up and short windows;
    an estimate, at least 1); built-ins (no Python frame to sample) take their times that way too.
    Without it, all three are exact cProfile figures.
    """

    name: str
    filename: str
    lineno: int
    calls: int
    own_s: float
    cum_s: float
    share: float  # cumulative time as a share of the run, 0..1
    user: bool  # defined in the user's own code (not stdlib / site-packages / optadvise)
    lines: list[LineStat] = field(default_factory=list)
    sampled: bool = False  # times sampled, calls extrapolated from cProfile's (see above)


@dataclass
class ArrayInfo:
    """A NumPy array (or numeric list) seen alive in a user frame while the script ran."""

    name: str
    function: str  # where it was seen (qualified name or MODULE)
    filename: str
    kind: str  # "ndarray", "list", "memmap", ...
    shape: tuple[int, ...] = ()
    dtype: str = ""
    nbytes: int = 0
    zero_fraction: float | None = None  # measured for large 2-D arrays only
    is_argument: bool = False
    value_min: float | None = None  # observed on a strided sub-sample of large int/float arrays
    value_max: float | None = None
    float32_exact: bool | None = None  # float arrays: the sub-sample survives a float32 round trip


@dataclass
class ThreadStat:
    """A thread the script started: how much CPU it burned against how long it lived."""

    name: str
    target: str  # qualified name of the target callable, "" if unknown
    filename: str
    lineno: int
    cpu_s: float
    wall_s: float


@dataclass
class StackSample:
    """One distinct Python stack of one thread, with the wall time the sampler saw it for.

    Frames read `function (file:line)` (qualified name, the function's first line), outermost
    first, the harness's own frames left out; identical stacks are aggregated.
    """

    frames: list[str]
    thread: str  # the thread's name, "MainThread" for the script's main thread
    weight_s: float


@dataclass
class ChildProcessStat:
    """Worker processes the script started (multiprocessing, ProcessPoolExecutor): their totals,
    and the functions submitted to them. The function table covers the script's own process only."""

    processes: int  # started by the script
    wall_s: float  # sum of their lifetimes, from start to the join that saw them end
    cpu_s: float  # user + system CPU time of those the script waited for
    targets: dict[str, int] = field(default_factory=dict)  # qualified name -> calls submitted


@dataclass
class LoadStat:
    """A whole-file load (np.load, np.fromfile, np.loadtxt, read(), ...)."""

    api: str  # e.g. "numpy.load"
    path: str
    filename: str  # script file of the call site
    lineno: int
    function: str
    file_bytes: int
    result_bytes: int
    seconds: float
    mmap: bool = False


@dataclass
class OptimizeStat:
    """One `scipy.optimize.minimize`/`least_squares` call: how often it called the objective, and
    for how long (the harness wraps the objective and the jac it was given)."""

    api: str  # "scipy.optimize.minimize" or "scipy.optimize.least_squares"
    filename: str  # script file of the call site
    lineno: int
    function: str
    method: str  # as given ("" for the default)
    has_jac: bool  # a callable jac, or jac=True
    n_params: int  # size of x0
    iterations: int  # nit (minimize) or njev (least_squares), 0 when not reported
    fun_calls: int  # calls of the objective
    fun_s: float  # seconds inside the objective
    seconds: float  # seconds of the whole call


@dataclass
class GilStat:
    """py-spy's samples of the GIL holder (taken only for scripts that use threads)."""

    rate_hz: int
    seconds: float  # how long py-spy sampled
    held_samples: int  # samples in which some thread held the GIL
    by_function: dict[str, int] = field(default_factory=dict)  # innermost function of the script

    @property
    def held_share(self) -> float:
        return min(1.0, self.held_samples / max(self.rate_hz * self.seconds, 1.0))


@dataclass
class Profile:
    """Everything one profiled run of a script measured."""

    script: str
    argv: list[str]
    cwd: str
    returncode: int | None = None
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_bytes: int = 0
    ram_bytes: int = 0
    cpu_count: int = 1
    timed_out: bool = False
    exception: str | None = None  # "ValueError: ..." when the script raised
    functions: list[FunctionStat] = field(default_factory=list)
    arrays: list[ArrayInfo] = field(default_factory=list)
    threads: list[ThreadStat] = field(default_factory=list)
    loads: list[LoadStat] = field(default_factory=list)
    optimizers: list[OptimizeStat] = field(default_factory=list)
    gpu: str | None = None  # device name when CuPy and a CUDA device are usable
    gil: GilStat | None = None  # py-spy's GIL samples, for scripts that use threads
    line_profile_windows: int = 0  # how many sampled line_profiler (and cProfile) windows ran
    sample_interval_s: float = 0.0  # sampler tick (process CPU seconds); 0: functions not sampled
    samples: int = 0  # ticks the sampler took in the main thread
    stacks: list[StackSample] = field(default_factory=list)  # heaviest distinct stacks, bounded
    children: ChildProcessStat | None = None  # worker processes, when the script started any


# ---------------------------------------------------------------------------------------- diagnose


@dataclass
class Finding:
    """A rule's verdict on one place in the code, with the evidence behind it."""

    rule: str  # stable slug, e.g. "loop-over-ndarray"
    code: str  # stable code, e.g. "OA101"
    filename: str
    lineno: int
    end_lineno: int
    function: str  # qualified name or MODULE
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    share: float = 0.0  # share of run time at stake, 0..1 (0 for static findings)
    severity: str = "info"  # "high" | "medium" | "low" | "info"
    fixes: list[str] = field(default_factory=list)  # rewrite kinds that can address it
    confidence: str = "measured"  # "measured" (profile) or "static" (check)
    col: int = 0


# ----------------------------------------------------------------------------------------- rewrite


@dataclass
class Candidate:
    """A proposed rewrite of a whole source file, made for one finding."""

    rule: str
    kind: str  # rewrite kind: "vectorize", "numba", "sparse", "memmap", "processpool", "cupy"
    function: str
    filename: str
    lineno: int
    description: str
    original: str  # the whole file before
    new: str  # the whole file after
    rtol: float = 1e-9  # tolerance the rewrite is allowed (re-ordered float sums need some)
    note: str = ""


@dataclass
class KernelTiming:
    """Original and candidate function timed side by side on the script's real inputs, in one child.

    Per-call figures are medians over interleaved repeats (mean over the inputs timed); `calls` and
    `total_original_s` cover every call of the function in one run of the script; `compile_s` is what
    the candidate costs once per run: loading the imports it adds and its first calls beyond their
    steady time (Numba's import and JIT compile); `significant` says the candidate's medians, summed
    over the inputs, beat the original's fastest calls summed."""

    calls: int
    total_original_s: float
    t_original_s: float
    t_candidate_s: float
    rounds: int
    compile_s: float = 0.0
    significant: bool = False

    @property
    def speedup(self) -> float:
        return self.t_original_s / self.t_candidate_s if self.t_candidate_s > 0 else float("inf")

    @property
    def total_candidate_s(self) -> float:
        return self.total_original_s / self.speedup


@dataclass
class Verdict:
    """What the verifier concluded about a candidate."""

    candidate: Candidate
    accepted: bool
    reason: str
    speedup: float | None = None
    t_original_s: float | None = None
    t_candidate_s: float | None = None
    compile_s: float | None = None  # JIT compile / warm-up time, reported apart from steady state
    max_rel_diff: float | None = None
    checks: list[str] = field(default_factory=list)  # which checks ran and passed
    kernel: KernelTiming | None = None  # the function timed on its real inputs (kernel-level verdicts)
    script_measured: bool = True  # `speedup` is whole-script and measured; False: estimated from `kernel`


# ------------------------------------------------------------------------------------ command results


@dataclass
class ProfileRun:
    """One profiled run: the measurements, what the rules made of them, and how it ended."""

    profile: Profile
    findings: list[Finding]  # added by the diagnosis that follows the run
    source: str
    exit_code: int
    stdout: str = ""  # the script's stdout, when captured
    stderr: str = ""
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # for stderr (a rule that failed), not the report


STATIC_NOTE = "static; run `optadvise profile` for measured evidence"


class RuleInfo(Protocol):
    """What a check result needs to know of a rule that ran (its identity and documentation)."""

    @property
    def code(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def summary(self) -> str: ...
    def doc(self) -> str: ...


@dataclass
class CheckError:
    """A file that could not be checked (kind: io, decode, syntax) or a rule that crashed (internal)."""

    filename: str
    lineno: int
    col: int
    message: str
    kind: str

    def __str__(self) -> str:
        label = "internal error" if self.kind == "internal" else "error"
        return f"{self.filename}:{self.lineno}:{self.col}: {label}: {self.message}"


@dataclass
class FileResult:
    """What checking one file found."""

    filename: str
    lines: int = 0
    findings: list[Finding] = field(default_factory=list)
    errors: list[CheckError] = field(default_factory=list)
    source_lines: dict[int, str] = field(default_factory=dict)  # flagged line -> its text
    suppressed: int = 0


@dataclass
class CheckResult:
    """Everything one `check` run found, sorted by file, line, column and code."""

    rules: list[RuleInfo]
    files: int = 0
    lines: int = 0
    findings: list[Finding] = field(default_factory=list)
    errors: list[CheckError] = field(default_factory=list)
    source_lines: dict[tuple[str, int], str] = field(default_factory=dict)
    suppressed: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # for stderr, not the report

    def column(self, f: Finding) -> int:
        """1-based character column of a finding (`ast` columns count UTF-8 bytes)."""
        line = self.source_lines.get((f.filename, f.lineno), "")
        return len(line.encode("utf-8")[:f.col].decode("utf-8", "ignore")) + 1

    @property
    def crashes(self) -> list[CheckError]:
        return [e for e in self.errors if e.kind == "internal"]

    def exit_code(self, exit_zero: bool = False) -> int:
        if self.errors:
            return EXIT_USAGE
        return EXIT_FINDINGS if self.findings and not exit_zero else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [dict(to_dict(f), source=self.source_lines.get((f.filename, f.lineno), ""))
                         for f in self.findings],
            "errors": [to_dict(e) for e in self.errors],
            "summary": {"files": self.files, "lines": self.lines, "findings": len(self.findings),
                        "errors": len(self.errors), "crashes": len(self.crashes),
                        "suppressed": self.suppressed, "seconds": round(self.seconds, 3),
                        "rules": [r.code for r in self.rules]},
        }


@dataclass
class Attempt:
    """One row of the fix verdict table: a verified candidate, or a rewriter that produced none."""

    finding: Finding
    kind: str
    verdict: Verdict | None = None
    declined: str | None = None  # why there is no candidate (decline, rewriter error, not relocatable)
    diff: str = ""  # of the candidate against the source it was made for
    applied: bool = False


@dataclass
class FixReport:
    """What one `fix` run tried, verified and (with --apply) wrote."""

    script: str
    args: list[str]
    original: str
    final: str
    findings: list[Finding]
    attempts: list[Attempt] = field(default_factory=list)
    combined: Verdict | None = None
    written: str | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # for stderr (a rule that failed), not the report
    run: ProfileRun | None = None  # the profiled run the findings came from

    @property
    def accepted(self) -> list[Attempt]:
        return [a for a in self.attempts if a.applied]

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.final != self.original else EXIT_FINDINGS
