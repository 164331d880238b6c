"""Four threads counting primes in pure Python: the GIL runs them one at a time."""
import threading


def count_primes(lo, hi, out, k):
    found = 0
    for n in range(max(lo, 2), hi):
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            found += 1
    out[k] = found


if __name__ == "__main__":
    limit, parts = 500_000, 4
    step = limit // parts
    out = [0] * parts
    workers = [threading.Thread(target=count_primes, args=(k * step, (k + 1) * step, out, k))
               for k in range(parts)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(f"primes below {limit}: {sum(out)}")
