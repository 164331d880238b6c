"""A worker function passed through a helper to a multiprocessing ThreadPool's starmap."""
from multiprocessing.pool import Pool


def collatz_steps(lo, hi):
    longest = 0
    for n in range(lo, hi):
        steps = 0
        while n != 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            steps += 1
        longest = max(longest, steps)
    return longest


def in_parallel(worker, jobs):
    with Pool(4) as pool:
        return pool.starmap(worker, jobs)


def main():
    jobs = [(1 + k * 60_000, (k + 1) * 60_000) for k in range(4)]
    print("longest", in_parallel(collatz_steps, jobs))


if __name__ == "__main__":
    main()
