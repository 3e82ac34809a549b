#!/usr/bin/python3
"""Hostile-client check of webhook_shim (Python standard library only).

While N slowloris connections (from 10 loopback source addresses, so a
per-address cap alone does not stop them) (a request line, then one header byte a
second per connection, reconnecting when dropped) and M header-flood
connections (8 KB headers sent as fast as the shim reads them, reconnecting
when dropped) are open, sends the honest, correctly signed deliveries of
--requests ("<timestamp>\\t<signature>\\t<body>" lines from
webhook_bench_tool), each on a new connection, --concurrency at a time, and
counts those answered 200 within --deadline seconds. Then reads the shim's
peak RSS (VmHWM in /proc/PID/status), sends it SIGTERM with the hostile
clients still connected and measures how long it takes to exit.

Prints "RESULT key=value ..." as the last line. Exit code 0 when it ran
(whatever the figures), 1 on a usage error.
"""
import argparse
import http.client
import os
import select
import signal
import socket
import threading
import time

stop = threading.Event()
counters = {"slowloris_open": 0, "slowloris_reconnects": 0,
            "flood_bytes": 0, "flood_reconnects": 0}
lock = threading.Lock()


def bump(name, by=1):
    with lock:
        counters[name] += by


def connect(port, timeout, source="127.0.0.1"):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                    source_address=(source, 0))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def slowloris(port, count, sources):
    """Keeps `count` connections trickling one byte a second each (connects
    without blocking, so a full accept queue does not stall the others)."""
    head = b"POST /v1/daily/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    socks = [None] * count
    sent_head = [False] * count
    while not stop.is_set():
        pending = [s for s, h in zip(socks, sent_head) if s is not None and not h]
        writable = set(select.select([], pending, [], 0)[1]) if pending else set()
        open_now = 0
        for i in range(count):
            try:
                if socks[i] is None:
                    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    sock.bind((sources[i % len(sources)], 0))
                    sock.setblocking(False)
                    sock.connect_ex(("127.0.0.1", port))
                    socks[i], sent_head[i] = sock, False
                elif not sent_head[i]:
                    if socks[i] in writable:
                        error = socks[i].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                        if error:
                            raise OSError(error, "connect failed")
                        socks[i].send(head)
                        sent_head[i] = True
                        open_now += 1
                else:
                    socks[i].send(b"a")
                    open_now += 1
            except (BlockingIOError, InterruptedError):
                open_now += 1  # Buffer full: the shim is not reading; still held.
            except OSError:
                socks[i].close()
                socks[i] = None
                bump("slowloris_reconnects")
        with lock:
            counters["slowloris_open"] = open_now
        stop.wait(1.0)
    for sock in socks:
        if sock is not None:
            sock.close()


def header_flood(port, source):
    """Sends endless 8 KB headers on one connection, reconnecting when dropped."""
    header_value = b"x" * 8192
    n = 0
    while not stop.is_set():
        try:
            sock = connect(port, 5, source)
            sock.sendall(b"POST /v1/daily/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            while not stop.is_set():
                n += 1
                line = b"X-Flood-%d: " % n + header_value + b"\r\n"
                sock.sendall(line)
                bump("flood_bytes", len(line))
        except OSError:
            bump("flood_reconnects")
            stop.wait(0.05)
        finally:
            try:
                sock.close()
            except (OSError, UnboundLocalError):
                pass


def honest(port, path, lines, deadline, results):
    while True:
        with lock:
            if not lines:
                return
            line = lines.pop()
        timestamp, signature, body = line.rstrip("\n").split("\t", 2)
        started = time.monotonic()
        status = 0
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline)
            conn.request("POST", path, body=body.encode(), headers={
                "Content-Type": "application/json",
                "X-Webhook-Timestamp": timestamp,
                "X-Webhook-Signature": signature})
            status = conn.getresponse().status
            conn.close()
        except (OSError, http.client.HTTPException):
            status = 0
        elapsed = time.monotonic() - started
        with lock:
            results.append((status, elapsed))


def proc_status(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def gone(pid):
    """True when the process exited (a zombie counts: it no longer serves)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True, help="the shim's pid")
    parser.add_argument("--requests", required=True)
    parser.add_argument("--path", default="/v1/daily/webhook")
    parser.add_argument("--slowloris", type=int, default=500)
    parser.add_argument("--flood", type=int, default=2)
    parser.add_argument("--sources", type=int, default=10,
                        help="slowloris connections come from 127.0.0.2 .. 127.0.0.<1+N>, "
                             "header floods from 127.0.1.<i>; honest ones from 127.0.0.1")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--deadline", type=float, default=1.0)
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds the hostile clients run before the deliveries")
    parser.add_argument("--stop_wait", type=float, default=30.0,
                        help="how long to wait for the shim to exit on SIGTERM")
    args = parser.parse_args()
    with open(args.requests) as f:
        lines = f.readlines()[::-1]
    total = len(lines)

    rss_start = proc_status(args.pid, "VmRSS")
    sources = [f"127.0.0.{2 + i}" for i in range(args.sources)]
    hostile = [threading.Thread(target=slowloris, args=(args.port, args.slowloris, sources),
                                daemon=True)]
    hostile += [threading.Thread(target=header_flood, args=(args.port, f"127.0.1.{1 + i}"),
                                 daemon=True)
                for i in range(args.flood)]
    for thread in hostile:
        thread.start()
    time.sleep(args.settle)

    results = []
    started = time.monotonic()
    workers = [threading.Thread(target=honest,
                                args=(args.port, args.path, lines, args.deadline, results))
               for _ in range(args.concurrency)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    honest_seconds = time.monotonic() - started

    ok_in_time = sum(1 for status, elapsed in results if status == 200 and elapsed <= args.deadline)
    ok = sum(1 for status, _ in results if status == 200)
    latencies = sorted(elapsed for status, elapsed in results if status == 200)
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else -1
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1

    rss_peak = proc_status(args.pid, "VmHWM")
    rss_now = proc_status(args.pid, "VmRSS")
    with lock:
        snapshot = dict(counters)
    # SIGTERM with the hostile clients still connected.
    stop_started = time.monotonic()
    os.kill(args.pid, signal.SIGTERM)
    while not gone(args.pid) and time.monotonic() - stop_started < args.stop_wait:
        time.sleep(0.01)
    stop_seconds = time.monotonic() - stop_started
    stopped = gone(args.pid)
    stop.set()

    print("statuses: " + ", ".join(f"{k if k else 'no answer'}: {v}"
                                   for k, v in sorted(statuses.items())))
    print(f"RESULT honest={total} ok_within_{args.deadline:g}s={ok_in_time} ok={ok} "
          f"ok_p99_ms={p99:.1f} honest_seconds={honest_seconds:.1f} "
          f"slowloris_open={snapshot['slowloris_open']} "
          f"slowloris_reconnects={snapshot['slowloris_reconnects']} "
          f"flood_mib={snapshot['flood_bytes'] / 2**20:.1f} "
          f"flood_reconnects={snapshot['flood_reconnects']} "
          f"rss_start_mib={rss_start / 1024:.1f} rss_peak_mib={rss_peak / 1024:.1f} "
          f"rss_end_mib={rss_now / 1024:.1f} "
          f"sigterm_stopped={'yes' if stopped else 'no'} sigterm_seconds={stop_seconds:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
