#!/usr/bin/env python3
"""Time until an interactive `willai review` shows its first item, in a pseudo-terminal
(what an editor waits for: loading the catalog, records and prompts, and sorting the
queue), then quit it with `q`. Runs it RUNS times and prints each time and the median.

usage: pty_open.py RUNS WILLAI [ARGS...]   (the environment is passed on)
"""
import os, pty, re, select, statistics, sys, time


def once(argv):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    start = time.monotonic()
    buf = b""
    while True:
        ready, _, _ = select.select([fd], [], [], 20)
        if not ready:
            sys.exit("no screen within 20 s:\n" + buf.decode(errors="replace")[-2000:])
        try:
            data = os.read(fd, 1 << 16)
        except OSError:
            data = b""
        if not data:
            sys.exit("ended before a screen:\n" + buf.decode(errors="replace")[-2000:])
        buf += data
        m = re.search(rb"1 of (\d+)", buf)
        if m:
            elapsed = time.monotonic() - start
            break
    os.write(fd, b"q")
    while True:
        try:
            ready, _, _ = select.select([fd], [], [], 20)
            if not ready or not os.read(fd, 1 << 16):
                break
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"review exited with {os.waitstatus_to_exitcode(status)}")
    return elapsed, int(m.group(1))


runs = int(sys.argv[1])
times = []
for _ in range(runs):
    t, n = once(sys.argv[2:])
    times.append(t)
print(
    f"first screen of a {n}-item queue: median {statistics.median(times):.3f} s "
    f"(runs: {', '.join(f'{t:.3f}' for t in times)})"
)
