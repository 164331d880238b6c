"""processpool rewriter: rewritten scripts print the same; closures, lambdas, globals, unguarded pools decline."""

from __future__ import annotations

import textwrap

import pytest

from optadvise.examples import marked_line
from optadvise.model import Finding
from optadvise.rewriters.base import Decline
from optadvise.rewriters.processpool import ProcessPoolRewriter
from tests.rewriters.scripts import run_script


def finding(src: str) -> Finding:
    line = marked_line(src)
    return Finding(rule="cpu-bound-threading", code="OA301", filename="s.py", lineno=line, end_lineno=line,
                   function="main", message="", fixes=["processpool"],
                   evidence={"threads": 3, "cpu_s": 2.0, "wall_s": 2.1})


def propose(src: str) -> str:
    (cand,) = ProcessPoolRewriter().propose(src, finding(src), None)
    compile(cand.new, "new", "exec")
    return cand.new


def run(code: str, tmp_path) -> str:
    return run_script(code, tmp_path)


WORK = '''
import threading
from concurrent.futures import ThreadPoolExecutor

LIMIT = 20_000


def crunch(n, scale):
    total = 0
    for k in range(n):
        total += (k * scale) % 7
    return total
'''

POSITIVE = {  # name -> (source, text expected in the rewrite)
    "executor_map": (WORK + '''

def main():
    with ThreadPoolExecutor(max_workers=2) as ex:  # <-
        print(list(ex.map(crunch, [LIMIT] * 3, [1, 2, 3])))


if __name__ == "__main__":
    main()
''', "ProcessPoolExecutor(max_workers=2) as ex"),
    "executor_submit_guard_block": (WORK + '''

if __name__ == "__main__":
    pool = ThreadPoolExecutor()  # <-
    futs = [pool.submit(crunch, LIMIT, s) for s in range(3)]
    print(sum(f.result() for f in futs))
    pool.shutdown()
''', "pool = ProcessPoolExecutor()"),
    "executor_worker_unpacks_its_argument": (WORK + '''

def span(bounds):
    lo, hi = bounds
    return crunch(hi - lo, 3)


def main():
    with ThreadPoolExecutor(max_workers=2) as ex:  # <-
        print(list(ex.map(span, [(0, LIMIT), (5, LIMIT)])))


if __name__ == "__main__":
    main()
''', "ProcessPoolExecutor(max_workers=2) as ex"),
    "thread_comprehension": (WORK + '''

def part(n, scale, acc, idx):
    acc[idx] = crunch(n, scale) + idx


def main():
    acc = {}
    workers = [threading.Thread(target=part, args=(LIMIT, k + 1, acc, k)) for k in range(3)]  # <-
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(sorted(acc.items()))


if __name__ == "__main__":
    main()
''', "def part(n, scale, idx):"),
    "thread_append_loop_started_inside": (WORK + '''

def part(n, out, slot):
    out[slot] = crunch(n, slot + 1)


def helper_user():
    return part


def main():
    out = [0] * 3
    ts = []
    for s in range(3):
        t = threading.Thread(target=part, args=(LIMIT, out, s))  # <-
        ts.append(t)
        t.start()
    for t in ts:
        t.join()
    print(out)


if __name__ == "__main__":
    main()
''', "def part_result(n, slot):"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_rewrite_keeps_outputs(name, tmp_path):
    src, expected = POSITIVE[name]
    new = propose(src)
    assert expected in new and "ProcessPoolExecutor" in new
    assert "threading.Thread" not in new and "ThreadPoolExecutor(" not in new
    assert run(new, tmp_path) == run(src, tmp_path)


def test_thread_rewrite_shape():
    new = propose(POSITIVE["thread_comprehension"][0])
    assert "import threading" not in new and "import os" in new
    assert "[(k, pool.submit(part, LIMIT, k + 1, k)) for k in range(3)]" in new
    assert "acc[slot] = job.result()" in new and "return crunch(n, scale) + idx" in new


def guarded(body: str, worker: str = "") -> str:
    return WORK + worker + "\n\ndef main():\n" + textwrap.indent(body, "    ") + \
        '\n\nif __name__ == "__main__":\n    main()\n'


NEGATIVE = {
    "lambda_worker": guarded("with ThreadPoolExecutor() as ex:  # <-\n    list(ex.map(lambda n: n * 2, [1]))\n"),
    "closure_worker": guarded("def inner(n):\n    return n\nwith ThreadPoolExecutor() as ex:  # <-\n"
                              "    list(ex.map(inner, [1]))\n"),
    "method_target": guarded("obj = Worker()\nts = [threading.Thread(target=obj.run, args=(1,)) for _ in range(2)]  # <-\n"
                             "for t in ts:\n    t.start()\nfor t in ts:\n    t.join()\n",
                             "\n\nclass Worker:\n    def run(self, n):\n        self.n = n\n"),
    "global_writer": guarded("with ThreadPoolExecutor() as ex:  # <-\n    list(ex.map(bump, [1]))\n",
                             "\n\nCOUNT = 0\n\n\ndef bump(n):\n    global COUNT\n    COUNT += n\n"),
    "mutates_argument": guarded("buf = []\nwith ThreadPoolExecutor() as ex:  # <-\n    ex.submit(fill, buf)\n"
                                "print(buf)\n", "\n\ndef fill(b):\n    b.append(crunch(10, 1))\n"),
    "mutates_an_unpacked_part_of_its_argument": guarded(
        "pair = ([], [])\nwith ThreadPoolExecutor() as ex:  # <-\n    ex.submit(fill_first, pair)\n"
        "print(pair)\n", "\n\ndef fill_first(p):\n    first, second = p\n    first.append(1)\n"),
    "reads_module_state": guarded("with ThreadPoolExecutor() as ex:  # <-\n    list(ex.map(pick, [0]))\n",
                                  "\n\nTABLE = [1, 2, 3]\n\n\ndef pick(i):\n    return TABLE[i]\n"),
    "no_main_guard": WORK + "\nwith ThreadPoolExecutor() as ex:  # <-\n    print(list(ex.map(crunch, [10], [1])))\n",
    "unguarded_top_level_call": WORK + "\n\ndef main():\n    with ThreadPoolExecutor() as ex:  # <-\n"
                                       "        print(list(ex.map(crunch, [10], [1])))\n\n\nmain()\n",
    "thread_result_read_early": guarded(
        "out = [0] * 2\nts = [threading.Thread(target=part, args=(10, out, s)) for s in range(2)]  # <-\n"
        "for t in ts:\n    t.start()\nprint(out)\nfor t in ts:\n    t.join()\n",
        "\n\ndef part(n, out, slot):\n    out[slot] = n\n"),
}


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_declines(name):
    src = NEGATIVE[name]
    with pytest.raises(Decline):
        ProcessPoolRewriter().propose(src, finding(src), None)


# ------------------------------------------------ call shapes, and pools and workers across functions

POOL_SHAPES = {  # name -> (source, text expected in the rewrite)
    "map_star_zip_through_helper": (WORK + '''

def run_blocks(pool, pairs):
    return list(pool.map(crunch, *zip(*pairs)))


def main():
    with ThreadPoolExecutor(max_workers=2) as ex:  # <-
        print(run_blocks(ex, [(LIMIT, 1), (LIMIT, 2), (LIMIT, 3)]))


if __name__ == "__main__":
    main()
''', "ProcessPoolExecutor(max_workers=2) as ex"),
    "submit_comprehension_as_completed": (WORK + '''
from concurrent.futures import as_completed


def main():
    with ThreadPoolExecutor(2) as ex:  # <-
        futures = [ex.submit(crunch, LIMIT, s) for s in (1, 2, 3)]
        print(sorted(f.result() for f in as_completed(futures)))


if __name__ == "__main__":
    main()
''', "ProcessPoolExecutor(2) as ex"),
    "threadpool_starmap_worker_passed_in": ('''
from multiprocessing.pool import ThreadPool


def crunch(n, scale):
    total = 0
    for k in range(n):
        total += (k * scale) % 7
    return total


def in_parallel(worker, jobs):
    pool = ThreadPool(2)  # <-
    out = pool.starmap(worker, jobs)
    pool.close()
    pool.join()
    return out


if __name__ == "__main__":
    print(in_parallel(crunch, [(20_000, 1), (20_000, 2)]))
''', "pool = Pool(2)"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(POOL_SHAPES))
def test_pool_shapes_keep_outputs(name, tmp_path):
    src, expected = POOL_SHAPES[name]
    new = propose(src)
    assert expected in new and "ThreadPool" not in new
    assert run(new, tmp_path) == run(src, tmp_path)


POOL_DECLINES = {  # name -> (source, reason)
    "worker_param_given_a_lambda": (WORK + '''

def in_parallel(worker, xs):
    with ThreadPoolExecutor(2) as ex:  # <-
        return list(ex.map(worker, xs))


if __name__ == "__main__":
    print(in_parallel(lambda n: n + 1, [1, 2]))
''', "lambda"),
    "worker_param_given_a_closure_by_one_caller": (WORK + '''

def in_parallel(worker, xs):
    with ThreadPoolExecutor(2) as ex:  # <-
        return list(ex.map(worker, xs))


def main():
    def local(n):
        return n
    print(in_parallel(crunch, [1]), in_parallel(local, [1]))


if __name__ == "__main__":
    main()
''', "`local` is not a function defined at the top"),
    "pool_handed_to_a_library": (WORK + '''
import contextlib


def main():
    with ThreadPoolExecutor(2) as ex:  # <-
        print(list(ex.map(crunch, [1], [2])))
        contextlib.closing(ex)


if __name__ == "__main__":
    main()
''', "passed to `contextlib.closing`"),
    "star_args_as_the_worker": (WORK + '''

def main():
    with ThreadPoolExecutor(2) as ex:  # <-
        print(list(ex.map(*[crunch, [1], [2]])))


if __name__ == "__main__":
    main()
''', "without a worker as its first positional argument"),
}


@pytest.mark.parametrize("name", sorted(POOL_DECLINES))
def test_pool_declines(name):
    src, reason = POOL_DECLINES[name]
    with pytest.raises(Decline) as declined:
        ProcessPoolRewriter().propose(src, finding(src), None)
    assert reason in str(declined.value)
