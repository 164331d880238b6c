"""`profile --format speedscope`: files valid against speedscope's published JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from optadvise.model import FunctionStat, Profile, StackSample
from optadvise.report.speedscope import speedscope_document
from tests.helpers import optadvise, write

# https://www.speedscope.app/file-format-schema.json, vendored (tests run offline)
SCHEMA = json.loads((Path(__file__).parent / "data" / "speedscope-file-format-schema.json").read_text())


def validate(doc: dict) -> None:
    jsonschema.Draft7Validator(SCHEMA).validate(doc)


def test_the_vendored_schema_rejects_a_broken_file():
    with pytest.raises(jsonschema.ValidationError):
        validate({"$schema": "https://www.speedscope.app/file-format-schema.json", "shared": {"frames": [{}]},
                  "profiles": []})


def test_stack_samples_become_one_sampled_profile_per_thread():
    stacks = [StackSample(["<module> (/x/s.py:1)", "work (/x/s.py:4)"], "MainThread", 0.25),
              StackSample(["<module> (/x/s.py:1)", "work (/x/s.py:4)", "dot"], "MainThread", 0.5),
              StackSample(["run (/usr/lib/python3.11/threading.py:975)", "count (/x/s.py:9)"], "Thread-1", 0.75)]
    doc = speedscope_document(Profile("/x/s.py", [], "/x", wall_s=1.5, stacks=stacks))
    validate(doc)
    assert [p["name"] for p in doc["profiles"]] == ["MainThread", "Thread-1"]
    main = doc["profiles"][0]
    assert main["weights"] == [0.25, 0.5] and main["endValue"] == 0.75 and main["unit"] == "seconds"
    frames = doc["shared"]["frames"]
    assert [frames[i]["name"] for i in main["samples"][1]] == ["<module>", "work", "dot"]
    assert frames[main["samples"][1][1]]["line"] == 4 and "line" not in frames[main["samples"][1][2]]


def test_without_stacks_the_function_table_is_shown():
    fns = [FunctionStat("work", "/x/s.py", 4, 1, 0.8, 1.0, 0.9, True),
           FunctionStat("<built-in method numpy.dot>", "", 0, 3, 0.2, 0.2, 0.2, False)]
    doc = speedscope_document(Profile("/x/s.py", [], "/x", wall_s=1.0, functions=fns))
    validate(doc)
    assert doc["profiles"][0]["weights"] == [0.8, 0.2]


@pytest.mark.slow
def test_profile_writes_a_valid_speedscope_file(tmp_path):
    write(tmp_path, "s.py", """\
        def work(n):
            return sum(i * i for i in range(n))

        print(work(300_000))
        """)
    proc = optadvise("profile", "--format", "speedscope", "-o", "out.speedscope.json", "s.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "out.speedscope.json").read_text())
    validate(doc)
    names = {f["name"] for f in doc["shared"]["frames"]}
    assert "work" in names and doc["name"] == "s.py"
    piped = optadvise("profile", "--format", "speedscope", "s.py", cwd=tmp_path)  # stdout: the file only
    validate(json.loads(piped.stdout))
    assert "8999955000050000" in piped.stderr  # the script's own output went to stderr
