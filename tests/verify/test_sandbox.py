"""The sandbox undoes each run's file effects, and the parent/child messages round-trip as typed records."""

import json
import os
import sys

import pytest

from optadvise.verify.compare import ATOL
from optadvise.verify.messages import FunctionResult, FunctionSpec, read_message, write_message
from optadvise.verify.sandbox import Sandbox

from .helpers import listing, write

SCRIPT = '''
import os, sys
print(os.path.basename(__file__), sys.argv[1:])
os.makedirs("made/deeper", exist_ok=True)
open("made/deeper/new.txt", "w").write("new")
open("kept.txt", "w").write("rewritten")
'''


@pytest.fixture
def box(tmp_path):
    write(str(tmp_path), "s.py", SCRIPT)
    (tmp_path / "kept.txt").write_text("as the original leaves it")
    sandbox = Sandbox("s.py", ["a1"], str(tmp_path))
    sandbox.back_up([str(tmp_path / "kept.txt")])
    yield sandbox
    sandbox.close()
    assert not os.path.exists(sandbox.tmp)


def test_run_is_undone(tmp_path, box):
    before = listing(str(tmp_path))
    run = box.run(box.original_argv, timeout=30)
    assert run.result.returncode == 0 and "['a1']" in run.result.stdout
    assert sorted(box.rel(p) for p in run.changes.created) == [os.path.join("made", "deeper", "new.txt")]
    assert [box.rel(p) for p in run.changes.modified] == ["kept.txt"]
    assert box.restore(run.changes) == []
    assert listing(str(tmp_path)) == before and not (tmp_path / "made").exists()


def test_changed_file_without_backup_is_reported(tmp_path, box):
    write(str(tmp_path), "s.py", "open('other.txt', 'w').write('x')\n")
    (tmp_path / "other.txt").write_text("input")
    run = box.run(box.original_argv, timeout=30)
    assert box.restore(run.changes) == [str(tmp_path / "other.txt")]


def test_hidden_script_runs_under_the_scripts_name_and_goes_away(tmp_path, box):
    before = listing(str(tmp_path))
    with box.hidden_script(SCRIPT.encode()) as hidden:
        assert os.path.dirname(hidden.path) == str(tmp_path) and os.path.basename(hidden.path).startswith(".s.")
        run = box.run(hidden.argv, timeout=30, env=hidden.env)
        box.restore(run.changes)
        assert run.changes.created == [str(tmp_path / "made" / "deeper" / "new.txt")]  # not itself
    assert box.unalias(run.result.stdout).split()[0] == "s.py"
    assert listing(str(tmp_path)) == before


def test_a_failing_run_names_its_last_error_line(box):
    run = box.run([sys.executable, "-c", "import sys; sys.exit('first\\n\\nlast words  \\n')"], timeout=30)
    assert run.result.returncode == 1 and run.last_error_line() == "last words"


def test_messages_round_trip(tmp_path):
    spec = FunctionSpec(script="s.py", args=["a"], candidate=".s.optadvise-0.py", function="f", rtol=1e-6,
                        out=str(tmp_path / "r.json"))
    write_message(spec, str(tmp_path / "spec.json"))
    assert read_message(FunctionSpec, str(tmp_path / "spec.json")) == spec and spec.atol == ATOL
    result = FunctionResult("ok", "", 3, 1e-12, ["generated inputs skipped: no array arguments"])
    write_message(result, spec.out)
    assert read_message(FunctionResult, spec.out) == result


@pytest.mark.parametrize("text", ['{"reason": "no status"}', "[1, 2]", "{not json"])
def test_malformed_message_is_a_value_error(tmp_path, text):
    (tmp_path / "r.json").write_text(text)
    with pytest.raises(ValueError):
        read_message(FunctionResult, str(tmp_path / "r.json"))


def test_skipped_result_on_the_wire(tmp_path):
    write_message(FunctionResult.skipped("f is recursive"), str(tmp_path / "r.json"))
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["status"] == "skipped" and data["reason"] == "f is recursive"
