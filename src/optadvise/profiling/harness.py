"""Child entry point of `optadvise profile`: run a script as __main__ under the profilers, report once.

    python -c "from optadvise.profiling.harness import main; main()" RESULT.json SCRIPT [ARGS...]

(`-c`, not `-m`: runpy would compile this file from source on every run.) Without arguments it was
started early (`early`) and reads them from stdin.

`Harness` installs the observers before the script starts (the `sampler` on SIGPROF, which also
switches cProfile and line_profiler on in short windows, the `probes` around loads, threads and
worker processes), runs the script as `__main__` with
its own argv and folder on sys.path, and writes one `HarnessReport` (built by `assembly`) to
RESULT.json: also when the script raises, calls sys.exit, or is stopped with SIGTERM at the parent's
timeout, and never from a process the script forked. The script's traceback is printed as Python
would, without the harness's frames. Standard library, line_profiler and `optadvise.model` only.
"""

from __future__ import annotations

import builtins
import os
import signal
import sys
import time
import traceback
import types
from typing import Any

from optadvise.errors import exit_status
from optadvise.model import MODULE
from optadvise.profiling.assembly import function_stats, peak_rss, stack_samples
from optadvise.profiling.early import receive
from optadvise.profiling.message import HarnessReport, write_report
from optadvise.profiling.probes import ArrayScanner, Probes
from optadvise.profiling.sampler import TICK, Sampler, line_tracer_class


class Harness:
    """One run of one script, and the observers watching it."""

    def __init__(self, script: str, argv: list[str], result_path: str):
        self.script = os.path.abspath(script)
        self.argv = argv
        self.result_path = result_path
        self.pid = os.getpid()
        self.scanner = ArrayScanner(self.script)
        self.sampler = Sampler(self.script, self.scanner)
        self.sampler.add_root(Harness.run.__code__)
        self.probes = Probes(self.script, on_thread=self.sampler.thread_started)
        self.returncode: int | None = None
        self.exception: str | None = None
        self.timed_out = False
        self.written = False
        self.t0 = time.perf_counter()
        self.cpu0 = time.process_time()
        self.globals: dict[str, Any] = {}

    def run(self) -> int:
        """Run the script to its end; return its exit status."""
        with open(self.script, "rb") as fh:
            source = fh.read()
        code = self.sampler.register(compile(source, self.script, "exec"))
        self.probes.install(uses_numpy=b"numpy" in source,
                            uses_processes=b"multiprocessing" in source or b"ProcessPool" in source,
                            uses_scipy=b"scipy" in source)
        if self.probes.thread_root is not None:
            self.sampler.add_root(self.probes.thread_root)
        module = types.ModuleType("__main__")
        module.__dict__.update({"__file__": self.script, "__builtins__": builtins, "__spec__": None,
                                "__loader__": None, "__package__": None, "__cached__": None})
        self.globals = module.__dict__
        sys.modules["__main__"] = module
        sys.argv = [self.script, *self.argv]
        sys.path[0] = os.path.dirname(self.script)
        signal.signal(signal.SIGTERM, self._on_sigterm)
        self.sampler.start()
        self.t0, self.cpu0 = time.perf_counter(), time.process_time()
        try:
            exec(code, self.globals)
            self.returncode = 0
        except SystemExit as e:
            self.returncode = exit_status(e.code)
        except BaseException as e:  # noqa: BLE001 - the script's exception is data here
            self.sampler.stop()  # printing the traceback is not the script's time
            self.returncode = 1
            self.exception = f"{type(e).__name__}: {e}"
            _print_user_traceback(e, self.script)
        finally:
            self.finish()
        return self.returncode or 0

    def finish(self) -> None:
        """Stop measuring and write the report (once, and only from the original process)."""
        self.sampler.stop()  # first: the profilers see none of this
        if self.written or os.getpid() != self.pid:
            return
        self.written = True
        wall, cpu = time.perf_counter() - self.t0, time.process_time() - self.cpu0
        self.scanner.scan_namespace(self.globals, MODULE, is_module=True, final=True)
        sys.stdout.flush()
        write_report(HarnessReport(
            returncode=self.returncode, exception=self.exception, timed_out=self.timed_out,
            wall_s=wall, cpu_s=cpu, peak_rss_bytes=peak_rss(),
            functions=function_stats(self.sampler, self.script, wall),
            arrays=list(self.scanner.arrays.values()), threads=self.probes.threads,
            loads=self.probes.loads, optimizers=self.probes.optimizers,
            line_profile_windows=self.sampler.windows,
            sample_interval_s=TICK, samples=self.sampler.ticks, stacks=stack_samples(self.sampler),
            children=self.probes.children()), self.result_path)

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        """The parent's timeout: save what was measured, then stop at once."""
        self.timed_out = True
        self.returncode = None
        try:
            self.finish()
        finally:
            os._exit(124)


def _print_user_traceback(exc: BaseException, script: str) -> None:
    """Print the script's traceback as Python would, without the harness's own frames."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != script:
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb, file=sys.stderr)


def main() -> None:
    if len(sys.argv) > 1:
        result_path, script, *argv = sys.argv[1:]
    else:  # started early: the script comes on stdin (see `early`)
        line_tracer_class()  # imported while the parent is still busy too
        received = receive()
        if received is None:
            return
        result_path, script, argv = received
    code = Harness(script, argv, result_path).run()
    sys.exit(code if 0 <= code < 256 else 1)  # a normal exit: the script's atexit handlers still run


if __name__ == "__main__":
    main()
