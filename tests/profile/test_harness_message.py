"""The harness's report to the runner: model records out as JSON, the same records back in."""

from __future__ import annotations

from optadvise.model import ArrayInfo, FunctionStat, LineStat, LoadStat, Profile, ThreadStat
from optadvise.profiling.message import HarnessReport, read_report, write_report

REPORT = HarnessReport(
    returncode=None, exception="ValueError: bad", timed_out=True, wall_s=1.5, cpu_s=1.25,
    peak_rss_bytes=3 << 20,
    functions=[FunctionStat(name="smooth", filename="/p/hot.py", lineno=5, calls=1, own_s=0.5,
                            cum_s=0.75, share=0.5, user=True,
                            lines=[LineStat(lineno=8, hits=12, time_s=0.7, share=0.9, traced_s=0.01)])],
    arrays=[ArrayInfo(name="A", function="<module>", filename="/p/hot.py", kind="ndarray",
                      shape=(1500, 1500), dtype="float64", nbytes=18_000_000, zero_fraction=0.99)],
    threads=[ThreadStat(name="Thread-1", target="work", filename="/p/hot.py", lineno=3, cpu_s=0.25,
                        wall_s=1.0)],
    loads=[LoadStat(api="numpy.load", path="a.npy", filename="/p/hot.py", lineno=4, function="<module>",
                    file_bytes=2 << 20, result_bytes=2 << 20, seconds=0.01, mmap=True)],
    line_profile_windows=7)


def test_report_round_trips_as_typed_records(tmp_path):
    path = str(tmp_path / "result.json")
    write_report(REPORT, path)
    assert read_report(path) == REPORT
    assert not (tmp_path / "result.json.tmp").exists()


def test_report_fills_the_profile_fields_of_the_same_names():
    profile = REPORT.fill(Profile(script="/p/hot.py", argv=["x"], cwd="/p", ram_bytes=8 << 30, gpu="T4"))
    assert (profile.argv, profile.ram_bytes, profile.gpu) == (["x"], 8 << 30, "T4")  # kept
    assert profile.functions == REPORT.functions and profile.arrays[0].shape == (1500, 1500)
    assert (profile.timed_out, profile.returncode, profile.line_profile_windows) == (True, None, 7)


def test_no_report_when_none_or_half_was_written(tmp_path):
    assert read_report(str(tmp_path / "missing.json")) is None
    (tmp_path / "cut.json").write_text('{"returncode": 0, "functions": [')
    assert read_report(str(tmp_path / "cut.json")) is None


def test_a_vanished_folder_is_not_an_error(tmp_path):
    write_report(REPORT, str(tmp_path / "gone" / "result.json"))  # the parent was interrupted
    assert not (tmp_path / "gone").exists()
