"""Prime counting on a thread pool handed to a helper that maps over (lo, hi) pairs with *zip."""
from concurrent.futures import ThreadPoolExecutor


def count_primes(lo, hi):
    count = 0
    for n in range(max(lo, 2), hi):
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            count += 1
    return count


def run_blocks(pool, blocks):
    return list(pool.map(count_primes, *zip(*blocks)))


def main():
    blocks = [(k * 60_000, (k + 1) * 60_000) for k in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = run_blocks(pool, blocks)
    print("primes", counts, sum(counts))


if __name__ == "__main__":
    main()
