"""One self-contained, offline HTML report of a `profile` or `fix` run (inline CSS and SVG, no network).

Sections: summary, an icicle of the run (from the whole-stack samples; the function table when there
are none), the hot-function table, line heat of the hot functions, findings with their evidence, and
for `fix` the verified diffs with before/after timings and every verdict.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from optadvise import __version__
from optadvise.model import Finding, FixReport, Profile, ProfileRun
from optadvise.report.diff import unified_diff
from optadvise.report.frames import hot_rows, rel_path
from optadvise.report.heat import has_memory, heat_listings
from optadvise.report.profile_text import alloc_text, short_value
from optadvise.report.speedscope import parse_frame

WIDTH = 1200  # of the icicle, in SVG units
ROW = 18
MIN_FRACTION = 0.002  # frames narrower than this share of the run are not drawn
CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1250px;color:#222;padding:0 1em}
h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;vertical-align:top}
th{border-bottom:1px solid #999}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.lib td{color:#777}pre,code{font:12.5px/1.35 ui-monospace,monospace;white-space:pre}
td.heat{width:125px}.bar{display:inline-block;height:10px;background:#d9534f;vertical-align:middle}
.finding{border-left:4px solid #f0ad4e;padding:.3em .8em;margin:.8em 0;background:#fcfaf5}
.finding.high{border-color:#d9534f}.finding dl{display:grid;grid-template-columns:max-content 1fr;gap:0 1em}
.finding dt{color:#666}.finding dd{margin:0;font-family:ui-monospace,monospace;font-size:12.5px}
.diff{background:#f7f7f7;padding:.5em;overflow-x:auto}.add{color:#1a7f37}.del{color:#cf222e}.hunk{color:#0969da}
svg text{font:11px ui-monospace,monospace;pointer-events:none}svg rect{stroke:#fff;stroke-width:.5}
.muted{color:#777}
"""


def render_profile_html(run: ProfileRun, top: int = 5) -> str:
    """The HTML report of one profiled run."""
    body = [_summary(run.profile, run.notes), _icicle(run.profile), _hot(run.profile), _heat(run, top),
            _findings(run.findings)]
    return _page(f"optadvise profile {rel_path(run.profile.script)}", body)


def render_fix_html(report: FixReport, run: ProfileRun | None = None) -> str:
    """The HTML report of a `fix` run: its verified diffs and verdicts, after the profile it started from."""
    body = [] if run is None else [_summary(run.profile, run.notes), _icicle(run.profile), _hot(run.profile),
                                   _heat(run, 5)]
    body += [_findings(report.findings), _rewrites(report)]
    return _page(f"optadvise fix {rel_path(report.script)}", body)


def _page(title: str, body: list[str]) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>\n<h1>{_e(title)}</h1>\n"
            + "\n".join(body) + f'\n<p class="muted">optadvise {__version__}</p>\n</body></html>\n')


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _summary(p: Profile, notes: list[str]) -> str:
    status = ("timed out" if p.timed_out else f"exit {p.returncode}" if p.returncode is not None else "stopped")
    items = [f"wall <b>{p.wall_s:.2f} s</b>", f"CPU {p.cpu_s:.2f} s",
             f"peak memory {p.peak_rss_bytes / 2**20:.1f} MiB", _e(status)]
    if p.gpu:
        items.append(f"GPU {_e(p.gpu)}")
    out = [f'<section id="summary"><h2>Summary</h2><p>{" &middot; ".join(items)}</p>']
    if p.exception:
        out.append(f"<p><b>The script raised</b> {_e(p.exception)}</p>")
    out += [f"<p>note: {_e(n)}</p>" for n in notes]
    return "".join(out) + "</section>"


@dataclass
class _Node:
    name: str
    weight: float = 0.0
    own: bool = False
    children: dict[str, _Node] = field(default_factory=dict)


def call_tree(p: Profile) -> tuple[_Node, str]:
    """The stacks merged by prefix (threads as the first level when there are several), and its source."""
    root = _Node("all")
    script = rel_path(p.script)
    own: dict[str, bool] = {}  # per distinct frame: is it the script's?
    if p.stacks:
        threads = {s.thread for s in p.stacks}
        for s in p.stacks:
            node = root
            node.weight += s.weight_s
            path = ([f"thread {s.thread}"] if len(threads) > 1 else []) + s.frames
            for frame in path:
                child = node.children.get(frame)
                if child is None:
                    if frame not in own:
                        own[frame] = parse_frame(frame).get("file") == script
                    child = node.children[frame] = _Node(frame, own=own[frame])
                child.weight += s.weight_s
                node = child
        return root, f"{len(p.stacks)} stack samples"
    for r in hot_rows(p):  # own time only: the rows then never overlap
        root.children[r.name + r.where] = _Node(f"{r.name} ({r.where})", r.own_s, r.own)
    root.weight = max(p.wall_s, sum(c.weight for c in root.children.values()), 1e-9)
    return root, "no stack samples: the hot-function table, own time of each, one level"


def _icicle(p: Profile) -> str:
    root, source = call_tree(p)
    rects: list[str] = []
    depth = _layout(root, 0.0, 0, max(root.weight, 1e-9), rects)
    svg = (f'<svg role="img" aria-label="icicle of the run" viewBox="0 0 {WIDTH} {(depth + 1) * ROW}" '
           f'width="100%" xmlns="http://www.w3.org/2000/svg">{"".join(rects)}</svg>')
    return (f'<section id="icicle"><h2>Where the time went</h2><p class="muted">icicle, outermost frame on top; '
            f"width is time ({_e(source)}); your code in orange; hover for figures</p>{svg}</section>")


def _layout(node: _Node, x: float, depth: int, total: float, rects: list[str]) -> int:
    w = WIDTH * node.weight / total
    colour = "#f0a35e" if node.own else "#9fb4c7" if depth else "#ccc"
    label = parse_frame(node.name)["name"] if w > 40 else ""  # the function; its file and line in the tooltip
    rects.append(f'<g><title>{_e(node.name)}: {node.weight:.3f} s ({node.weight / total:.1%})</title>'
                 f'<rect x="{x:.2f}" y="{depth * ROW}" width="{w:.2f}" height="{ROW - 1}" fill="{colour}"/>'
                 f'<text x="{x + 3:.2f}" y="{depth * ROW + 13}">{_e(label[: int(w / 7)])}</text></g>')
    deepest = depth
    for child in sorted(node.children.values(), key=lambda c: -c.weight):
        if child.weight / total >= MIN_FRACTION:
            deepest = max(deepest, _layout(child, x, depth + 1, total, rects))
        x += WIDTH * child.weight / total
    return deepest


def _hot(p: Profile) -> str:
    rows = "".join(
        f'<tr class="{"own" if r.own else "lib"}"><td>{_e(r.name)}</td><td>{_e(r.where)}</td>'
        f'<td class="n">{r.share:.1%}</td><td class="n">{r.own_s:.3f}</td>'
        f'<td class="n">{"-" if r.cum_s is None else f"{r.cum_s:.3f}"}</td><td class="n">{r.calls}</td></tr>'
        for r in hot_rows(p))
    return ('<section id="hot"><h2>Hot functions</h2><p class="muted">yours first (by total time), then '
            'libraries folded per package (by own time)</p><table><tr><th>function</th><th>where</th>'
            f'<th>share</th><th>own s</th><th>total s</th><th>calls</th></tr>{rows}</table></section>')


def _heat(run: ProfileRun, top: int) -> str:
    out = ['<section id="heat"><h2>Line heat</h2>']
    listings = heat_listings(run, top)
    memory = has_memory(listings)
    if memory:
        out.append('<p class="muted">alloc: bytes allocated on the line and alive at the end of the sampled '
                   "windows, summed; peak: the largest of one window (lower bounds)</p>")
    head = ("<tr><th>line</th><th>heat</th><th>share</th><th>hits</th><th>alloc</th><th>peak</th>"
            "<th>source</th></tr>" if memory else "")
    for f, lines in listings:
        rows = "".join(
            f'<tr><td class="n muted">{ln.lineno}</td>'
            f'<td class="heat"><span class="bar" style="width:{(ln.stat.share if ln.stat else 0) * 120:.0f}px">'
            f"</span></td>"
            f'<td class="n">{f"{ln.stat.share:.1%}" if ln.stat else ""}</td>'
            f'<td class="n muted">{ln.stat.hits if ln.stat else ""}</td>'
            + (f'<td class="n">{alloc_text(ln.stat.alloc_bytes if ln.stat else 0)}</td>'
               f'<td class="n muted">{alloc_text(ln.stat.peak_bytes if ln.stat else 0)}</td>' if memory else "")
            + f"<td><code>{_e(ln.code)}</code></td></tr>"
            for ln in lines)
        out.append(f"<h3>{_e(f.name)} <span class=\"muted\">{_e(rel_path(f.filename))}:{f.lineno} "
                   f"({f.share:.1%} of the run)</span></h3><table>{head}{rows}</table>")
    return "".join(out) + "</section>"


def _findings(findings: list[Finding]) -> str:
    if not findings:
        return '<section id="findings"><h2>Findings</h2><p>No rule matched a hot spot of this run.</p></section>'
    items = []
    for f in findings:
        evidence = "".join(f"<dt>{_e(k)}</dt><dd>{_e(short_value(v))}</dd>" for k, v in f.evidence.items())
        items.append(f'<article class="finding {_e(f.severity)}" data-rule="{_e(f.rule)}">'
                     f"<p><b>{_e(f.severity.upper())} {_e(f.code)} {_e(f.rule)}</b> "
                     f"{_e(rel_path(f.filename))}:{f.lineno} in {_e(f.function)} "
                     f'<span class="muted">({f.share:.0%} of run time)</span></p><p>{_e(f.message)}</p>'
                     + (f"<dl>{evidence}</dl>" if evidence else "")
                     + (f'<p class="muted">fixes: {_e(", ".join(f.fixes))}</p>' if f.fixes else "")
                     + "</article>")
    return f'<section id="findings"><h2>Findings</h2>{"".join(items)}</section>'


def _diff_html(diff: str) -> str:
    spans = []
    for line in diff.splitlines():
        cls = ("" if line.startswith(("+++", "---")) else "add" if line.startswith("+")
               else "del" if line.startswith("-") else "hunk" if line.startswith("@") else "")
        spans.append(f'<span class="{cls}">{_e(line)}</span>' if cls else _e(line))
    return '<pre class="diff">' + "\n".join(spans) + "</pre>"


def _secs(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f} s"


def _rewrites(report: FixReport) -> str:
    out = ['<section id="rewrites"><h2>Verified rewrites</h2>']
    for a in report.attempts:
        v = a.verdict
        if v is None or not v.accepted:
            continue
        state = "applied" if a.applied and report.written else "chosen" if a.applied else "verified, not chosen"
        out.append(f'<article class="rewrite"><h3>{_e(a.finding.rule)} in {_e(a.finding.function)}: '
                   f"{_e(a.kind)} ({_e(state)})</h3><p>{_e(v.candidate.description)}: before "
                   f"{_secs(v.t_original_s)}, after {_secs(v.t_candidate_s)}, "
                   f"<b>{'-' if v.speedup is None else f'{v.speedup:.2f}x'}</b> faster"
                   + (f", JIT compile {v.compile_s:.2f} s apart" if v.compile_s else "")
                   + f"; checks: {_e(', '.join(v.checks))}</p>{_diff_html(a.diff)}</article>")
    if report.final == report.original:
        out.append("<p>Nothing verified: the script is unchanged.</p>")
    else:
        out.append("<h3>Whole patch</h3>" + _diff_html(unified_diff(report.original, report.final, report.script)))
    rows = "".join(
        f"<tr><td>{_e(a.finding.code)}</td><td>{_e(a.finding.function)}:{a.finding.lineno}</td><td>{_e(a.kind)}</td>"
        f"<td>{_e(_verdict_text(a.verdict.accepted, a.verdict.reason) if a.verdict else a.declined or '')}</td></tr>"
        for a in report.attempts)
    out.append(f"<h3>Every attempt</h3><table><tr><th>rule</th><th>where</th><th>kind</th><th>verdict</th></tr>"
               f"{rows}</table>")
    return "".join(out) + "</section>"


def _verdict_text(accepted: bool, reason: str) -> str:
    return ("verified: " if accepted else "rejected: ") + reason
