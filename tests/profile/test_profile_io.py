"""What the script sees (argv, cwd, env) and what optadvise prints or writes (text, JSON, --output)."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.helpers import env_with, function, optadvise, profile_json, write

pytestmark = pytest.mark.slow

HOT = """
import numpy as np


def smooth(a):
    out = np.empty_like(a)
    for i in range(len(a)):
        out[i] = 0.5 * a[i] + 1.0
    return out


data = np.linspace(0.0, 1.0, 600_000)
res = smooth(data)
print("checksum", round(float(res.sum()), 3))
"""


@pytest.fixture(scope="module")
def hot(tmp_path_factory):
    """One profiled run of a small hot script, text and JSON, shared by the report tests."""
    tmp = tmp_path_factory.mktemp("hot")
    script = write(tmp, "hot.py", HOT)
    before = hashlib.sha256(script.read_bytes()).hexdigest()
    text = optadvise("profile", "hot.py", cwd=tmp, env=env_with(COLUMNS="200"))
    proc, doc = profile_json("hot.py", cwd=tmp)
    return {"dir": tmp, "script": script, "before": before, "text": text, "proc": proc, "doc": doc}


def test_profile_never_modifies_the_script(hot):
    assert hashlib.sha256(hot["script"].read_bytes()).hexdigest() == hot["before"]
    assert sorted(p.name for p in hot["dir"].iterdir()) == ["hot.py"]  # and leaves nothing beside it


def test_text_report_hot_function_and_line_heat(hot):
    text = hot["text"]
    assert text.returncode == 0, text.stderr
    out = text.stdout
    assert "checksum" in out  # the script's own output passes through
    assert "Hot functions" in out and "smooth" in out
    assert "hot.py:5" in out  # where smooth is defined
    heat = [ln for ln in out.splitlines() if "out[i] = 0.5 * a[i] + 1.0" in ln]
    assert heat and "%" in heat[0] and "█" in heat[0], out  # the loop body carries the heat
    assert "loop-over-ndarray" in out


def test_json_is_one_document_and_script_output_goes_to_stderr(hot):
    proc, doc = hot["proc"], hot["doc"]
    assert proc.returncode == 0
    assert "checksum" in proc.stderr and "checksum" not in proc.stdout
    assert json.loads(proc.stdout) == doc


def test_json_document_shape(hot):
    doc = hot["doc"]
    for key in ("script", "argv", "returncode", "wall_s", "cpu_s", "peak_rss_bytes", "functions",
                "arrays", "threads", "loads", "findings", "exit_code", "timed_out", "exception"):
        assert key in doc, key
    assert doc["script"] == str(hot["script"])
    assert doc["argv"] == [] and doc["returncode"] == 0 and doc["exit_code"] == 0
    assert doc["wall_s"] > 0 and doc["cpu_s"] > 0 and doc["peak_rss_bytes"] > 10 * 2**20
    assert isinstance(doc["threads"], list) and isinstance(doc["loads"], list)
    smooth = function(doc, "smooth")
    assert smooth["calls"] == 1 and smooth["lineno"] == 5 and 0.2 < smooth["share"] <= 1.0
    for ln in smooth["lines"]:
        assert set(ln) >= {"lineno", "hits", "time_s", "share"}
    body = {ln["lineno"]: ln for ln in smooth["lines"]}
    # hits hold for every draw: the first tick in smooth opens a line_profiler window there
    assert body[8]["share"] > 0.5 and body[8]["hits"] > 0
    arrays = {a["name"]: a for a in doc["arrays"]}
    assert arrays["data"]["shape"] == [600_000] and arrays["data"]["dtype"] == "float64"
    assert {f["rule"] for f in doc["findings"]} == {"loop-over-ndarray"}


def test_function_shorter_than_a_duty_cycle_gets_hit_counts(tmp_path):
    """line_profiler's regular windows come one tick in 16 (80 ms of CPU); a function of the script
    that runs for a few 5 ms ticks (here ~50 ms) is traced all the same, from its first sighting."""
    write(tmp_path, "brief.py", """
        def brief(n):
            s = 0
            for k in range(n):
                s += k
            return s

        print(brief(1_000_000))
    """)
    proc, doc = profile_json("brief.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    body = {ln["lineno"]: ln for ln in function(doc, "brief")["lines"]}
    assert body[5]["hits"] > 0 and body[5]["share"] > 0.5, body


def test_output_file_gets_the_report(tmp_path):
    write(tmp_path, "a.py", "total = sum(k * k for k in range(200_000))\nprint('total', total)\n")
    proc = optadvise("profile", "--output", "report.txt", "a.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = (tmp_path / "report.txt").read_text()
    assert "optadvise profile" in report and "Hot functions" in report
    assert "Hot functions" not in proc.stdout and "total" in proc.stdout
    proc = optadvise("profile", "--format", "json", "-o", "report.json", "a.py", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == ""
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["exit_code"] == 0 and doc["script"].endswith("a.py")


ARGV = "import json, sys\nprint('ARGV=' + json.dumps(sys.argv[1:]))\n"


def _argv(proc) -> list[str]:
    line = next(ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith("ARGV="))
    return json.loads(line[5:])


@pytest.mark.parametrize("args, expected", [
    (["in.txt", "3"], ["in.txt", "3"]),
    (["--steps", "10", "-v", "--mode=fast", "-xq"], ["--steps", "10", "-v", "--mode=fast", "-xq"]),
    (["--", "--format", "text", "--top", "1"], ["--format", "text", "--top", "1"]),
    (["--", "-h"], ["-h"]),
])
def test_arguments_reach_the_script(tmp_path, args, expected):
    write(tmp_path, "args.py", ARGV)
    proc, doc = profile_json("args.py", *args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _argv(proc) == expected
    assert doc["argv"] == expected


def test_double_dash_before_script(tmp_path):
    write(tmp_path, "args.py", ARGV)
    proc = optadvise("profile", "--format", "json", "--", "args.py", "--top", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _argv(proc) == ["--top", "2"]


def test_script_sees_cwd_env_and_its_own_name(tmp_path):
    (tmp_path / "work").mkdir()
    write(tmp_path, "where.py", """
        import os, sys
        print("CWD=" + os.getcwd())
        print("ENV=" + os.environ.get("OA_TEST_VALUE", "<unset>"))
        print("ARGV0=" + sys.argv[0])
        print("MAIN=" + __name__)
        import helper_mod
        print("HELPER=" + helper_mod.VALUE)
        open("made-by-script.txt", "w").write("x")
    """)
    write(tmp_path, "helper_mod.py", "VALUE = 'imported from the script folder'\n")
    proc, _ = profile_json("../where.py", cwd=tmp_path / "work", env=env_with(OA_TEST_VALUE="42"))
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr
    assert f"CWD={tmp_path / 'work'}" in err
    assert "ENV=42" in err
    assert f"ARGV0={tmp_path / 'where.py'}" in err
    assert "MAIN=__main__" in err
    assert "HELPER=imported from the script folder" in err
    assert (tmp_path / "work" / "made-by-script.txt").exists()  # relative paths resolve as usual


def test_module_level_loop_is_profiled(tmp_path):
    write(tmp_path, "flat.py", """
        total = 0
        for k in range(400_000):
            total += k % 7
        print(total)
    """)
    proc, doc = profile_json("flat.py", cwd=tmp_path)
    module = function(doc, "<module>")
    share = {ln["lineno"]: ln["share"] for ln in module["lines"]}
    assert share.get(3, 0) + share.get(4, 0) > 0.8, share  # the loop (lines 3-4; line 1 is blank)
