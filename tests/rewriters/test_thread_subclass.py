"""processpool rewrite of threading.Thread subclasses: rewritten scripts print the same; unsafe shapes decline."""

from __future__ import annotations

import pytest

from optadvise.examples import marked_line
from optadvise.model import Finding
from optadvise.rewriters.base import Decline
from optadvise.rewriters.processpool import ProcessPoolRewriter
from optadvise.rewriters.thread_subclass import ThreadSubclassRewriter
from optadvise.rules.cpu_bound_threading import SUBCLASS
from tests.rewriters.scripts import run_script


def finding(src: str) -> Finding:
    line = marked_line(src)
    return Finding(rule="cpu-bound-threading", code="OA301", filename="s.py", lineno=line, end_lineno=line,
                   function="main", message="", fixes=["processpool"],
                   evidence={"target": "Worker.run", "api": SUBCLASS, "threads": 3, "cpu_s": 2.0,
                             "wall_s": 2.1})


def propose(src: str) -> str:
    (cand,) = ThreadSubclassRewriter().propose(src, finding(src), None)
    return cand.new


HEAD = '''
import threading

import numpy as np

SCALE = 3


def mix(k, s):
    return (k * s) % 7
'''
WORKER = '''

class Worker(threading.Thread):
    """Sums a block of Python arithmetic."""

    def __init__(self, lo, hi):
        super().__init__()
        self.lo = lo
        self.hi = hi
        self.total = 0
        self.count = None

    def run(self):
        n = 0
        for k in range(self.lo, self.hi):
            self.total += mix(k, SCALE)
            n += 1
        self.count = n
'''
MAIN = '''

def main():
{body}

if __name__ == "__main__":
    main()
'''
COMPREHENSION = ("    workers = [Worker(i * 20_000, (i + 1) * 20_000) for i in range(3)]  # <-\n"
                 "    for w in workers:\n        w.start()\n    for w in workers:\n        w.join()\n")

POSITIVE = {  # name -> (source, text expected in the rewrite)
    "two_results_read_in_a_loop_and_a_generator": (HEAD + WORKER + MAIN.format(body=COMPREHENSION + (
        "    for w in workers:\n        print(w.total, w.count)\n"
        "    print(sum(w.total for w in workers))\n")),
        "return total, count"),
    "append_loop_started_inside_keyword_args": (HEAD + WORKER + MAIN.format(body=(
        "    ts = []\n    for i in range(3):\n        t = Worker(hi=(i + 1) * 10_000, lo=i)  # <-\n"
        "        ts.append(t)\n        t.start()\n    for t in ts:\n        t.join()\n"
        "    print([(t.count, t.total) for t in ts])\n")),
        "pool.submit(worker_run, i, (i + 1) * 10_000) for i in range(3)"),
    "numpy_block_sum_result_set_once": (HEAD + '''

class Block(threading.Thread):
    def __init__(self, data):
        threading.Thread.__init__(self)
        self.data = data
        self.result = None

    def run(self):
        acc = 0.0
        for i in range(len(self.data)):
            acc += float(self.data[i]) ** 2
        self.result = acc
''' + MAIN.format(body=(
        "    rng = np.random.default_rng(0)\n    parts = np.array_split(rng.random(30_000), 3)\n"
        "    blocks = [Block(p) for p in parts]  # <-\n"
        "    for b in blocks:\n        b.start()\n    for b in blocks:\n        b.join()\n"
        "    print(repr(sum(b.result for b in blocks)))\n")),
        "def block_run(data):\n    acc = 0.0"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_rewrite_keeps_outputs(name, tmp_path):
    src, expected = POSITIVE[name]
    new = propose(src)
    assert expected in new, new
    assert "threading" not in new and "ProcessPoolExecutor(max_workers=os.cpu_count())" in new
    assert run_script(new, tmp_path) == run_script(src, tmp_path)


def test_rewrite_shape():
    new = propose(POSITIVE["two_results_read_in_a_loop_and_a_generator"][0])
    # the result that run accumulates starts from __init__'s value; the one it sets once does not
    assert "def worker_run(lo, hi):\n    total = 0\n    n = 0\n" in new
    assert "        workers = [job.result() for job in jobs]\n" in new
    assert "print(w[0], w[1])" in new and "sum(w[0] for w in workers)" in new
    assert "self" not in new and "class Worker" not in new


def test_process_pool_rewriter_leaves_subclass_findings_to_this_one():
    src = POSITIVE["numpy_block_sum_result_set_once"][0]
    assert ThreadSubclassRewriter().applies(finding(src))
    assert not ProcessPoolRewriter().applies(finding(src))


def main_with(body: str, worker: str = WORKER) -> str:
    return HEAD + worker + MAIN.format(body=COMPREHENSION + body)


DECLINES = {  # name -> (source, reason)
    "reads_a_thread_attribute": (main_with("    print([w.total for w in workers])\n",
                                           WORKER.replace("n += 1", "n += len(self.name)")),
                                 "`run` reads `self.name`"),
    "calls_a_method": (main_with("    print([w.total for w in workers])\n",
                                 WORKER.replace("n += 1", "n += self.step()")),
                       "`run` reads `self.step`"),
    "changes_an_argument_attribute": (main_with("    print([w.total for w in workers])\n",
                                                WORKER.replace("n += 1", "self.lo += 1")),
                                      "changes `self.lo`"),
    "writes_a_global": (main_with("    print([w.total for w in workers])\n",
                                  WORKER.replace("        n = 0\n", "        global SCALE\n        n = 0\n")),
                        "declares global"),
    "mutates_its_argument": (HEAD + '''

class Worker(threading.Thread):
    def __init__(self, lo, hi, log):
        super().__init__()
        self.lo = lo
        self.hi = hi
        self.log = log

    def run(self):
        self.total = sum(mix(k, 1) for k in range(self.lo, self.hi))
        self.log.append(self.total)
''' + MAIN.format(body=(
        "    log = []\n    workers = [Worker(0, 10, log) for i in range(3)]  # <-\n"
        "    for w in workers:\n        w.start()\n    for w in workers:\n        w.join()\n"
        "    print(log, [w.total for w in workers])\n")), "may change its argument `log`"),
    "init_does_more": (main_with("    print([w.total for w in workers])\n",
                                 WORKER.replace("        self.count = None\n",
                                                "        self.count = None\n        print('made')\n")),
                       "does more than store its arguments"),
    "thread_options": (main_with("    print([w.total for w in workers])\n",
                                 WORKER.replace("super().__init__()", "super().__init__(daemon=True)")),
                       "does more than store its arguments"),
    "instance_used_otherwise": (main_with("    print(workers[0].is_alive())\n"), "`workers` is used as `workers[0]`"),
    "loop_variable_kept_after_the_loop": (main_with(
        "    for w in workers:\n        print(w.total)\n    print(w.count)\n"), "the thread `w` is used"),
    "reads_a_non_result_attribute": (main_with("    print([w.lo for w in workers])\n"),
                                     "only reads of total, count"),
    "class_used_elsewhere": (main_with("    print([w.total for w in workers], isinstance(1, Worker))\n"),
                             "`Worker` is also used at line"),
    "early_return": (main_with("    print([w.total for w in workers])\n",
                               WORKER.replace("            n += 1\n", "            n += 1\n            if n > 5:\n"
                                                                       "                return\n")),
                     "returns early"),
    "result_read_before_join": (HEAD + WORKER + MAIN.format(body=(
        "    workers = [Worker(0, 10) for i in range(3)]  # <-\n    for w in workers:\n        w.start()\n"
        "    print(workers[0].total)\n    for w in workers:\n        w.join()\n")), "not started and joined"),
    "no_main_guard": (HEAD + WORKER + "\nws = [Worker(0, 10) for i in range(2)]  # <-\n"
                      "for w in ws:\n    w.start()\nfor w in ws:\n    w.join()\n", "runs at import time"),
}


@pytest.mark.parametrize("name", sorted(DECLINES))
def test_declines(name):
    src, reason = DECLINES[name]
    with pytest.raises(Decline) as declined:
        ThreadSubclassRewriter().propose(src, finding(src), None)
    assert reason in str(declined.value)
