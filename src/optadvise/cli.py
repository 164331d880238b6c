"""The `optadvise` command line: profile, fix, check, rules, explain.

It parses the options, calls one command (`optadvise.commands`), renders its record (`optadvise.report`)
and does all the writing to stdout, stderr and files, and the exit codes, here. Commands and renderers
are imported inside each subcommand so that `check` never pays for rich, libcst or the verifier.

Exit codes (all commands): 0 success/clean, 1 findings (check) or nothing verified (fix),
2 usage or input error, 3 the profiled script failed, 4 the profiled script timed out.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from optadvise import __version__
from optadvise.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, OptadviseError

SCRIPT_CONTEXT = {"ignore_unknown_options": True, "allow_interspersed_args": True,
                  "help_option_names": ["-h", "--help"]}


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn OptadviseError into a one-line message and exit code; never show our traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except OptadviseError as e:
            click.echo(f"optadvise: error: {e}", err=True)
            sys.exit(e.code)
        except KeyboardInterrupt:
            click.echo("optadvise: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # `optadvise ... | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the final flush too
            sys.exit(EXIT_FINDINGS)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as e:  # noqa: BLE001 - last line of defence: one line, not a traceback
            if os.environ.get("OPTADVISE_DEBUG"):
                raise
            click.echo(f"optadvise: internal error: {type(e).__name__}: {e} "
                       f"(set OPTADVISE_DEBUG=1 for the traceback)", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper


def show(text: str, output: str | None = None) -> None:
    """Write a rendered report to stdout, or to the file `output`."""
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


def warn(lines: list[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="optadvise")
def main() -> None:
    """Find the bottleneck in a scientific Python script, say why, rewrite it, prove the rewrite.

    \b
      optadvise profile script.py [ARGS]   run it, measure, and report the hot spots with findings
      optadvise fix script.py [--apply]    propose verified rewrites (correct and faster), apply them
      optadvise check [PATHS]              static pre-commit/CI check; never runs your code
      optadvise rules                      list the rules
      optadvise explain RULE               a rule's documentation
    """


@main.command(context_settings=SCRIPT_CONTEXT)
@click.argument("script", type=click.Path(dir_okay=True))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "speedscope"]), default="text",
              show_default=True,
              help="text: a rich report; json: one JSON document on stdout (the script's own output "
                   "then goes to stderr); speedscope: a file for https://www.speedscope.app.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of stdout.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, writable=True),
              help="Also write a self-contained HTML report (works offline) to this file.")
@click.option("--all-frames", is_flag=True,
              help="List every frame in the hot-function table (default: yours first, libraries folded).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=600.0, show_default=True,
              help="Kill the script (and every process it started) after this many seconds and "
                   "report what was measured.")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True,
              help="How many hot functions get a line-by-line heat listing.")
@friendly
def profile(script: str, args: tuple[str, ...], fmt: str, output: str | None, html_file: str | None,
            all_frames: bool, timeout: float, top: int) -> None:
    """Run SCRIPT [ARGS] in a child process, profile it, and report hot spots and findings.

    The script runs with the same working directory and environment, under cProfile for the whole
    run and line_profiler for the user's code in short sampled windows (bounded overhead). The script
    is never modified. Stdin is closed: a script that reads it sees end-of-file.
    """
    from optadvise.commands.profile import run_profile

    renderer = {"json": "optadvise.report.profile_json", "speedscope": "optadvise.report.speedscope"}
    run = run_profile(script, list(args), timeout=timeout, json_mode=(fmt != "text"),
                      preload=[renderer.get(fmt, "optadvise.report.profile_text")],
                      early=click.get_current_context().obj)
    warn(run.warnings)
    if fmt == "json":
        from optadvise.report.profile_json import render_profile_json

        show(render_profile_json(run), output)
    elif fmt == "speedscope":
        from optadvise.report.speedscope import render_speedscope

        show(render_speedscope(run), output)
    else:
        from optadvise.report.profile_text import FILE, render_profile_text
        from optadvise.report.terminal import stdout_terminal

        show(render_profile_text(run, FILE if output else stdout_terminal(), top, all_frames), output)
    if html_file:
        from optadvise.report.html import render_profile_html

        show(render_profile_html(run, top), html_file)
    sys.exit(run.exit_code)


@main.command(context_settings=SCRIPT_CONTEXT)
@click.argument("script", type=click.Path(dir_okay=True))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option("--apply", "apply_", is_flag=True,
              help="Write the verified rewrites into SCRIPT (atomically). Unverified ones never are.")
@click.option("--function", "function", help="Only rewrite this function (qualified name).")
@click.option("--rule", "rule", help="Only address findings of this rule (slug or code).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--diff", "diff_only", is_flag=True,
              help="Print only the unified diff of the verified rewrites (for git apply / patch -p1); "
                   "exit 1 when there is a change, 0 when none.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, writable=True),
              help="Also write a self-contained HTML report (works offline) to this file.")
@click.option("--min-speedup", type=click.FloatRange(min=1.0), default=1.1, show_default=True,
              help="A rewrite must be at least this much faster (median of repeated runs).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=600.0, show_default=True,
              help="Per-run time limit for the script, in seconds.")
@click.option("--all", "try_all", is_flag=True,
              help="Verify every candidate of a finding and keep the fastest (default: stop at the first "
                   "verified one, in the finding's preference order).")
@click.option("--budget", type=click.FloatRange(min=0.0), default=None,
              help="Stop trying new candidates after this many seconds (the untried are listed); the "
                   "final whole-script confirmation still runs.")
@click.option("--scale-out", is_flag=True,
              help="Also propose the Dask version of a verified process-pool remedy (needs optadvise[scale]); "
                   "verified equivalent, exempt from --min-speedup.")
@friendly
def fix(script: str, args: tuple[str, ...], apply_: bool, function: str | None, rule: str | None,
        fmt: str, diff_only: bool, html_file: str | None, min_speedup: float, timeout: float, try_all: bool,
        budget: float | None, scale_out: bool) -> None:
    """Propose rewrites for SCRIPT's hot findings and keep only the verified ones.

    Each candidate is re-run and compared with the original: same outputs within the stated
    tolerance, same files written, and at least --min-speedup faster. Shows a diff and a verdict
    table; with --apply writes the accepted rewrites into SCRIPT.
    """
    from optadvise.commands.fix import run_fix

    if diff_only and (apply_ or fmt != "text"):
        raise OptadviseError("--diff prints only the patch: it cannot be combined with --apply or --format")
    report, failure = run_fix(script, list(args), apply=apply_, function=function, rule=rule,
                              json_mode=(fmt == "json" or diff_only), min_speedup=min_speedup, timeout=timeout,
                              try_all=try_all, budget=budget, scale_out=scale_out)
    warn(report.warnings)
    if html_file:
        from optadvise.report.html import render_fix_html

        show(render_fix_html(report, report.run), html_file)
    if diff_only:
        from optadvise.report.diff import render_patch

        patch = render_patch(report)
        show(patch)
        sys.exit(EXIT_FINDINGS if patch else EXIT_OK)
    if fmt == "json":
        from optadvise.report.fix_json import render_fix_json

        show(render_fix_json(report, apply_))
    else:
        from optadvise.report.fix_text import render_fix_text
        from optadvise.report.terminal import stdout_terminal

        show(render_fix_text(report, stdout_terminal(), apply_))
    if failure is not None:
        raise failure
    sys.exit(report.exit_code)


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output-format", type=click.Choice(["text", "json", "sarif", "github"]), default=None,
              help="Report format (default: text, or [tool.optadvise] output-format).")
@click.option("--select", help="Comma-separated rule codes or slugs to run (default: all static rules).")
@click.option("--ignore", help="Comma-separated rule codes or slugs to skip.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Use this pyproject.toml instead of searching upwards from the paths.")
@click.option("--no-config", is_flag=True, help="Ignore any [tool.optadvise] configuration.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of cores).")
@friendly
def check(paths: tuple[str, ...], output_format: str | None, select: str | None, ignore: str | None,
          exit_zero: bool, config_path: str | None, no_config: bool, jobs: int | None) -> None:
    """Statically check PATHS (files or folders, default '.') for slow numerical patterns.

    Never imports or runs the checked code. Findings are static (lower confidence): run
    `optadvise profile` for measured evidence. Suppress one with `# noqa: OA101` or
    `# optadvise: ignore[loop-over-ndarray]` on the line. Exit 0 clean, 1 findings, 2 error.
    """
    from optadvise.commands.check import run_check

    result, fmt = run_check(list(paths) or ["."], output_format=output_format, select=select,
                            ignore=ignore, config_path=config_path, no_config=no_config, jobs=jobs)
    warn(result.warnings)
    if fmt == "text":
        from optadvise.report.check_text import render_check_text
        from optadvise.report.terminal import stdout_terminal

        show(render_check_text(result, stdout_terminal()))
    elif fmt == "json":
        from optadvise.report.check_json import render_check_json

        show(render_check_json(result))
    elif fmt == "sarif":
        from optadvise.report.sarif import render_sarif

        show(render_sarif(result))
    else:
        from optadvise.report.github import render_github

        show(render_github(result))
    if fmt != "github":  # github annotations carry the errors themselves
        warn([str(e) for e in result.errors])
    if not result.files and not result.errors:
        warn(["optadvise: warning: no Python files found under the given paths"])
    sys.exit(result.exit_code(exit_zero))


@main.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_cmd(fmt: str) -> None:
    """List the rules: code, slug, whether `check` runs it, the rewrites that address it."""
    from rich.console import Console
    from rich.table import Table

    from optadvise import rules as registry

    if fmt == "json":
        click.echo(json.dumps([{"code": r.code, "slug": r.slug, "summary": r.summary,
                                "static": r.static, "fixes": list(r.fixes)} for r in registry.RULES], indent=2))
        return
    table = Table("code", "rule", "static", "fixes", "summary")
    for r in registry.RULES:
        table.add_row(r.code, r.slug, "yes" if r.static else "no", ", ".join(r.fixes), r.summary)
    Console().print(table)


@main.command()
@click.argument("rule")
@friendly
def explain(rule: str) -> None:
    """Show RULE's documentation (slug like loop-over-ndarray, or code like OA101)."""
    from optadvise.rules.engine import get_rule

    found = get_rule(rule)
    if found is None:
        raise OptadviseError(f"unknown rule {rule!r}; `optadvise rules` lists them")
    click.echo(f"{found.code} {found.slug}\n\n{found.doc()}")


if __name__ == "__main__":
    main()
