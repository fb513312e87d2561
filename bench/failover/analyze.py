#!/usr/bin/env python3
"""Turns a failover run's work directory into the Markdown report (stdout).

    python3 bench/failover/analyze.py WORK_DIR

WORK_DIR is what run.sh leaves (KEEP=1): meta.txt and trials/<proxy>-<round>/ with
requests.csv (LoadGen), and per proxy its own record of attempts on the dead backend:
Switchyard's /status and HAProxy's stats CSV polled every 50 ms (poll.txt), HAProxy's
per-request log (proxy.out), nginx's access log. Python 3 stdlib only.

All times are milliseconds relative to the SIGKILL unless said otherwise. Definitions are
printed with the report (see DEFINITIONS below).
"""
import csv
import json
import math
import re
import statistics
import sys
from collections import Counter, OrderedDict
from datetime import datetime
from pathlib import Path

ORDER = ["switchyard", "haproxy", "nginx"]
NAMES = {"switchyard": "Switchyard", "haproxy": "HAProxy", "nginx": "nginx"}
STEADY_FROM_US = 500_000      # steady window: [0.5 s, kill - 0.5 s)
WINDOW_US = 500_000           # kill window: [kill - 0.5 s, kill + 0.5 s]
OUTLIER_FACTOR = 5            # an outlier is slower than 5 x the steady median
CHAIN_GAP_US = 250_000        # outliers less than 250 ms apart belong to the same spike
DISTURBED_FACTOR = 3          # disturbed: steady p99 over 3 x the proxy's lower-quartile steady p99

DEFINITIONS = """\
**Definitions.** Every request is due on a fixed schedule (constant rate, open loop); *latency*
runs from its due time to the last byte of its answer, so waiting for a free connection counts
(coordinated-omission safe). Times marked "after kill" are in ms from the SIGKILL of backend
`b2` (taken just before the kill(2) call, on the load generator's clock).

- **Requests**: requests due in the 10 s measured phase (after a 5 s warm-up, not counted).
- **Errors**: client-visible errors: a status other than 2xx, or a socket error (reset, close
  before or during the answer, timeout, refused connect). The load generator never retries.
- **Errors stop**: when the last request that got an error was sent. `-` = no error
  (counted as 0 in the median).
- **Spike ends**: due time of the last request slower than 5 x the steady median, chaining
  from the kill through outliers less than 250 ms apart (later isolated outliers, e.g. a GC
  pause at 8 s, are not part of the kill's spike). 0 = no outlier after the kill.
  **Spike past b2 refusing** = spike end minus "b2 refuses connects" (below): how long the
  spike outlasted the dead backend's teardown, which no proxy can shorten; negative means
  the proxy had stopped routing to b2 before its port closed.
- **Last try on b2**: the last time the proxy sent live traffic to the dead backend, from the
  proxy's own records. nginx: start (`$msec - $request_time`) of the last request whose
  `$upstream_addr` names b2 (exact). HAProxy: the later of the start of the last logged
  request that was retried or went to b2, and the first 50 ms stats sample after b2's last
  session/connection/error counter change (0-50 ms late; HAProxy does not log the requests
  it drops with a silent close). Switchyard: start time of the last request in its access
  log (JSON, ms) that was retried (`retries` > 0) or answered by b2.
- **Marked DOWN**: when the proxy took b2 out for good. Switchyard: its `UP -> DOWN` log line;
  HAProxy: first stats sample showing b2 DOWN (0-50 ms late); nginx has no such state
  (`max_fails=1` takes b2 out per worker for `fail_timeout=10s` after its first failure there).
- **kill(2) returned**: how long the load generator's SIGKILL call took to return (the kill
  time is taken just before it). **Last answer from b2**: when the last answer naming b2
  arrived (in flight at the kill).
- **b2 refuses connects**: the load generator connects to b2's port every 1 ms after the
  SIGKILL; this is when the first connect was refused. Until then the kernel is still tearing
  the JVM down and its listening socket still completes handshakes, so a proxy's new
  connections to b2 succeed and then hang until they are reset.
- **Steady p99**: requests due in [0.5 s, kill - 0.5 s). **Kill p99**: requests due in
  [kill - 0.5 s, kill + 0.5 s]. **Max**: slowest request of the phase. Percentiles are
  nearest-rank.
"""


def read_meta(work):
    meta = OrderedDict()
    for line in (work / "meta.txt").read_text().splitlines():
        for part in line.split(" ") if line.startswith(("rounds=", "kill_at=")) else [line]:
            if "=" in part:
                k, v = part.split("=", 1)
                meta[k] = v
    return meta


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, math.ceil(p / 100 * len(s)) - 1)
    return s[k]


def load_requests(path):
    header = {}
    rows = []
    with open(path) as f:
        lines = f.read().splitlines()
    body = []
    for line in lines:
        if line.startswith("#"):
            for part in line[1:].split():
                if "=" in part:
                    k, v = part.split("=", 1)
                    header[k] = v
        else:
            body.append(line)
    for r in csv.DictReader(body):
        due, sent, done = int(r["due_us"]), int(r["sent_us"]), int(r["done_us"])
        status = int(r["status"])
        err = r["error"] or (None if 200 <= status <= 299 else f"http-{status}")
        rows.append((due, sent, done, status, r["backend"], err))
    rows.sort()
    return header, rows


def parse_poll(path):
    """Yields (at_us, got_us, body) per sample; times relative to t0."""
    if not path.exists():
        return []
    samples = []
    at = got = None
    buf = []
    for line in path.read_text().splitlines():
        if line.startswith("@"):
            if at is not None:
                samples.append((at, got, "\n".join(buf)))
            a, g = line[1:].split()
            at, got, buf = int(a), int(g), []
        else:
            buf.append(line)
    if at is not None:
        samples.append((at, got, "\n".join(buf)))
    return samples


def switchyard_side(trial, victim_addr, kill_us, t0_epoch_us):
    # Exact: the access log's start time of the last request that was retried or answered by
    # the victim. Fallback (no access log): the /status poll, an upper bound.
    last = None
    log = trial / "access.log"
    if log.exists():
        for line in log.read_text().splitlines():
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("server") == victim_addr or (e.get("retries") or 0) > 0:
                ts = datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp() * 1e6
                rel = ts - t0_epoch_us - kill_us
                if last is None or rel > last:
                    last = rel
    if last is None:
        prev = None
        for at, got, body in parse_poll(trial / "poll.txt"):
            try:
                doc = json.loads(body)
            except ValueError:
                continue
            for pool in doc.get("pools", []):
                for s in pool.get("servers", []):
                    if s.get("address") == victim_addr:
                        value = s.get("requests")
                        if prev is not None and value != prev:
                            last = got - kill_us
                        prev = value
    down = None
    log = trial / "proxy.log"
    if log.exists():
        for line in log.read_text().splitlines():
            if f"server {victim_addr}: UP -> DOWN" in line:
                ts = datetime.fromisoformat(line.split(" ", 1)[0])
                down = ts.timestamp() * 1e6 - t0_epoch_us - kill_us
                break
    return last, down


def haproxy_side(trial, victim_name, kill_us, t0_epoch_us):
    last = None
    # Not "connect"/"reuse": in 2.6 they are summed over threads and go backwards between samples.
    counters = ("stot", "econ", "eresp", "wretr", "wredis", "srv_abrt")
    prev = None
    down = None
    for at, got, body in parse_poll(trial / "poll.txt"):
        lines = body.splitlines()
        if not lines or not lines[0].startswith("# "):
            continue
        cols = lines[0][2:].split(",")
        for line in lines[1:]:
            f = dict(zip(cols, line.split(",")))
            if f.get("pxname") == "web" and f.get("svname") == victim_name:
                value = tuple(f.get(c, "") for c in counters)
                if prev is not None and value != prev:
                    last = got - kill_us
                prev = value
                if down is None and f.get("status", "").startswith("DOWN") and got > kill_us - WINDOW_US:
                    down = got - kill_us
    log = trial / "proxy.out"
    if log.exists():
        for line in log.read_text().splitlines():
            parts = line.split()
            if len(parts) < 8 or not re.match(r"^\d+\.\d+$", parts[0]):
                continue
            accept_ms, th, ti, server, rc = float(parts[0]) * 1000, parts[1], parts[2], parts[3], parts[5]
            start_us = accept_ms * 1000 + max(0, int(th)) * 1000 + max(0, int(ti)) * 1000
            if server == victim_name or rc not in ("0", "-1"):
                rel = start_us - t0_epoch_us - kill_us
                if last is None or rel > last:
                    last = rel
    return last, down


def nginx_side(trial, victim_addr, kill_us, t0_epoch_us):
    last = None
    log = trial / "nginx-access.log"
    if not log.exists():
        return None, None
    pattern = re.compile(r'^(\d+\.\d+) (\d+\.\d+) (\d+) "([^"]*)" "([^"]*)"')
    for line in log.read_text().splitlines():
        m = pattern.match(line)
        if not m or victim_addr not in m.group(4):
            continue
        start_us = (float(m.group(1)) - float(m.group(2))) * 1e6
        rel = start_us - t0_epoch_us - kill_us
        if last is None or rel > last:
            last = rel
    return last, None


def analyze_trial(trial, meta):
    header, rows = load_requests(trial / "requests.csv")
    kill = int(header["kill_us"])
    t0_epoch = int(header["t0_epoch_us"])
    lat = lambda r: (r[2] - r[0]) / 1000.0  # ms
    steady = [lat(r) for r in rows if STEADY_FROM_US <= r[0] < kill - WINDOW_US]
    window = [r for r in rows if kill - WINDOW_US <= r[0] <= kill + WINDOW_US]
    errors = [r for r in rows if r[5]]
    median = statistics.median(steady)
    threshold = OUTLIER_FACTOR * median
    spike_end = 0.0
    last_chained = kill
    for r in rows:
        if r[0] < kill - 50_000 or lat(r) <= threshold:
            continue
        if r[0] - last_chained > CHAIN_GAP_US:
            break
        last_chained = max(last_chained, r[0])
        spike_end = (last_chained - kill) / 1000.0
    proxy = (trial / "proxy").read_text().strip()
    victim_addr, victim = meta["victim_addr"], meta["victim"]
    if proxy == "switchyard":
        last_try, down = switchyard_side(trial, victim_addr, kill, t0_epoch)
    elif proxy == "haproxy":
        last_try, down = haproxy_side(trial, victim, kill, t0_epoch)
    else:
        last_try, down = nginx_side(trial, victim_addr, kill, t0_epoch)
    victim_answers = [r for r in rows if r[4] == victim]
    refused_us = int(header.get("port_refused_us", -1))
    return {
        "beyond": spike_end - (refused_us - kill) / 1000.0 if refused_us > 0 else None,
        "proxy": proxy,
        "round": int((trial / "round").read_text().strip()),
        "requests": len(rows),
        "errors": len(errors),
        "kinds": Counter(r[5] for r in errors),
        "first_error": (min(r[1] for r in errors) - kill) / 1000.0 if errors else None,
        "errors_stop": (max(r[1] for r in errors) - kill) / 1000.0 if errors else None,
        "spike_end": spike_end,
        "last_try": None if last_try is None else last_try / 1000.0,
        "down": None if down is None else down / 1000.0,
        "steady_p50": median,
        "steady_p99": pct(steady, 99),
        "kill_p99": pct([lat(r) for r in window], 99),
        "kill_errors": sum(1 for r in window if r[5]),
        "max": max(lat(r) for r in rows),
        "last_victim_answer": (max(r[2] for r in victim_answers) - kill) / 1000.0 if victim_answers else None,
        "kill_call": (int(header.get("kill_returned_us", -1)) - kill) / 1000.0,
        "refused": (int(header.get("port_refused_us", -1)) - kill) / 1000.0 if int(header.get("port_refused_us", -1)) > 0 else None,
    }


def fmt(v, digits=0, dash="-"):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return dash
    if digits == 0:
        return f"{v:.0f}"
    return f"{v:.{digits}f}"


COLUMNS = [
    ("Requests", "requests", 0),
    ("Errors", "errors", 0),
    ("Errors stop (ms after kill)", "errors_stop", 0),
    ("Spike ends (ms after kill)", "spike_end", 0),
    ("Spike past b2 refusing (ms)", "beyond", 0),
    ("Last try on b2 (ms after kill)", "last_try", 0),
    ("Marked DOWN (ms after kill)", "down", 0),
    ("Steady p99 (ms)", "steady_p99", 1),
    ("Kill p99 (ms)", "kill_p99", 1),
    ("Max (ms)", "max", 1),
]


ROUND_COLUMNS = COLUMNS + [
    ("kill(2) returned (ms)", "kill_call", 0),
    ("Last answer from b2 (ms after kill)", "last_victim_answer", 0),
    ("b2 refuses connects (ms after kill)", "refused", 0),
]


def median_of(results, key):
    values = []
    for r in results:
        v = r[key]
        if v is None and key == "errors_stop":
            v = 0.0
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        values.append(v)
    return statistics.median(values) if values else None


def main():
    work = Path(sys.argv[1])
    meta = read_meta(work)
    results = [analyze_trial(t, meta) for t in sorted((work / "trials").iterdir()) if (t / "requests.csv").exists()]
    proxies = [p for p in ORDER if any(r["proxy"] == p for r in results)]
    by = {p: sorted((r for r in results if r["proxy"] == p), key=lambda r: r["round"]) for p in proxies}
    rounds = max(len(v) for v in by.values())
    out = []
    w = out.append
    w(f"# Failover benchmark, {meta.get('date', '?')}")
    w("")
    w(f"Command: `bench/failover/run.sh` (ROUNDS={meta.get('rounds')}, RATE={meta.get('rate')}/s, "
      f"CONNECTIONS={meta.get('connections')}, WARMUP={meta.get('warmup')} s, DURATION={meta.get('duration')} s, "
      f"KILL_AT={meta.get('kill_at')} s, WORK_MS={meta.get('work_ms')}).")
    w("")
    w(f"Machine: {meta.get('cores')} cores ({meta.get('cpu')}), {meta.get('mem')}, Linux {meta.get('kernel')}; "
      f"load generator, the three backends and the proxy under test all on this box, on 127.0.0.1. "
      f"Load average {meta.get('load_before')} before, {meta.get('load_after')} after "
      f"(other work was running on the machine). Elapsed {meta.get('elapsed_s')} s.")
    w("")
    w(f"Versions: {meta.get('java')}; {meta.get('haproxy')}; {meta.get('nginx')}; "
      f"Switchyard jar {meta.get('jar')} (repo HEAD {meta.get('git')}).")
    w("")
    caps = {p: meta.get("capacity_" + p) for p in proxies if meta.get("capacity_" + p) not in (None, "", "?")}
    if caps:
        rate = float(meta.get("rate", "0"))
        below = [p for p, c in caps.items() if float(c) <= rate]
        verdict = (f"The test rate, {meta.get('rate')}/s, is below all of them." if not below else
                   f"The test rate, {meta.get('rate')}/s, is NOT below this check's figure for "
                   + ", ".join(NAMES[p] for p in below) + "; see the steady p99 for whether it kept up.")
        w(f"Capacity check (wrk, closed loop, {meta.get('connections')} connections, 5 s after 5 s of warm-up, "
          f"fresh proxy, backends sleeping {meta.get('work_ms')} ms per GET): "
          + ", ".join(f"{NAMES[p]} {c}" for p, c in caps.items()) + f" req/s. {verdict}")
        w("")
    w(f"Each round: 3 fresh backends (`Backend.java`, {meta.get('work_ms')} ms of work per GET), a fresh proxy, "
      f"{meta.get('warmup')} s warm-up, then {meta.get('duration')} s of measured GET load at {meta.get('rate')}/s over "
      f"{meta.get('connections')} keep-alive connections; backend b2 gets SIGKILL at {meta.get('kill_at')} s. "
      f"Rounds interleave {', '.join(NAMES[p] for p in proxies)}.")
    w("")
    limits = {}
    for p in proxies:
        steady = [r["steady_p99"] for r in by[p]]
        quiet = statistics.quantiles(steady, n=4)[0] if len(steady) >= 2 else steady[0]
        limits[p] = (quiet, DISTURBED_FACTOR * quiet)
        for r in by[p]:
            r["disturbed"] = r["steady_p99"] > limits[p][1]

    def median_table(title, pick):
        w(title)
        w("")
        w("| Proxy | Rounds | " + " | ".join(c[0] for c in COLUMNS) + " |")
        w("|---|---:|" + "---:|" * len(COLUMNS))
        for p in proxies:
            chosen = [r for r in by[p] if pick(r)]
            if not chosen:
                w(f"| **{NAMES[p]}** | 0 | " + " | ".join("-" for _ in COLUMNS) + " |")
                continue
            cells = [fmt(median_of(chosen, key), digits) for _, key, digits in COLUMNS]
            w(f"| **{NAMES[p]}** | {len(chosen)} | " + " | ".join(cells) + " |")
        w("")

    median_table(f"## Median over undisturbed rounds", lambda r: not r["disturbed"])
    w(f"A round counts as *disturbed* when its steady p99 (before the kill) is over {DISTURBED_FACTOR} x "
      f"the lower quartile of that proxy's steady p99 over all its rounds ("
      + ", ".join(f"{NAMES[p]} {q:.1f} ms, so {l:.1f} ms" for p, (q, l) in limits.items())
      + "): then other work on the machine, not the failover, dominated the round. Disturbed rounds "
      "are marked `*` in the per-round table and still count in the next table.")
    w("")
    median_table(f"## Median over all {rounds} rounds", lambda r: True)
    w("## Every round")
    w("")
    w("| Proxy | Round | " + " | ".join(c[0] for c in ROUND_COLUMNS) + " |")
    w("|---|---:|" + "---:|" * len(ROUND_COLUMNS))
    for rnd in range(1, rounds + 1):
        for p in proxies:
            for r in by[p]:
                if r["round"] != rnd:
                    continue
                cells = [fmt(r[key], digits) for _, key, digits in ROUND_COLUMNS]
                mark = " *" if r["disturbed"] else ""
                w(f"| {NAMES[p]} | {rnd}{mark} | " + " | ".join(cells) + " |")
    w("")
    w("## Errors by kind, all rounds")
    w("")
    w("| Proxy | Errors | Kinds (count) | First error sent (ms after kill), per round | Steady p50 (ms), per round |")
    w("|---|---:|---|---|---|")
    for p in proxies:
        kinds = Counter()
        for r in by[p]:
            kinds.update(r["kinds"])
        kind_text = ", ".join(f"`{k}` {n}" for k, n in kinds.most_common()) or "none"
        firsts = ", ".join(fmt(r["first_error"]) for r in by[p])
        p50 = ", ".join(fmt(r["steady_p50"], 1) for r in by[p])
        w(f"| {NAMES[p]} | {sum(kinds.values())} | {kind_text} | {firsts} | {p50} |")
    w("")
    w("Error kinds: `http-NNN` is a status from the proxy; `[reused-]eof|reset-before|mid-response` is a "
      "connection the proxy closed or reset before any byte (or in the middle) of the answer, `reused-` when "
      "it had carried an earlier request (a client that retries idempotent requests on a reused keep-alive "
      "connection, as browsers do, would hide the `reused-...-before-response` ones).")
    w("")
    w(DEFINITIONS)
    print("\n".join(out))


if __name__ == "__main__":
    main()
