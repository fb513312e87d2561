"""Splits each request's latency into stages from recorded send and receive calls (chain.sh).

Arguments: the `ss -tnp` snapshot, the `perf script -F pid,tid,time,event,trace` output, the
proxy's port and the backend's port. A socket is named by its connection (the client-side port
of the front or upstream connection) and its owner (wrk, proxy front, proxy upstream, backend).
On each connection requests and responses alternate (keep-alive, no pipelining), so each stage
is the time from one side's send to the other side's next receive that returned data.

Then, per request on the front connection (wrk's send to wrk's receive): the total split by the
proxy thread that served the connection, and the mean of stages a, b and c for all requests,
for those near the median and for those at or above the p99 (which stage makes the tail).
"""
import collections
import re
import statistics
import sys

ss_file, calls_file, front_port, backend_port = sys.argv[1:5]


def pct(ordered, f):
    """The f-quantile of an ascending list."""
    return ordered[min(len(ordered) - 1, int(f * len(ordered)))]


ADDR = r'(?:\[::ffff:)?127\.0\.0\.1\]?:(\d+)'
sockets = {}  # (pid, fd) -> (connection, owner)
for line in open(ss_file):
    m = re.search(ADDR + r'\s+' + ADDR + r'\s+users:\(\("[^"]+",pid=(\d+),fd=(\d+)\)', line)
    if not m:
        continue
    local, peer, pid, fd = m.groups()
    key = (pid, int(fd))
    if local == backend_port:
        sockets[key] = (('up', peer), 'backend')
    elif peer == backend_port:
        sockets[key] = (('up', local), 'proxy')
    elif local == front_port:
        sockets[key] = (('front', peer), 'proxy')
    elif peer == front_port:
        sockets[key] = (('front', local), 'wrk')

CALL = re.compile(r'\s*(\d+)/(\d+)\s+([\d.]+):\s+syscalls:sys_(enter|exit)_(recvfrom|read|sendto|write|writev):\s*(.*)')
reading = {}  # tid -> socket of the receive in progress
events = collections.defaultdict(list)  # connection -> [(time, owner, 'send' | 'recv', tid)]
for line in open(calls_file):
    m = CALL.match(line)
    if not m:
        continue
    pid, tid, t, phase, call, rest = m.groups()
    t = float(t)
    if phase == 'enter':
        key = (pid, int(re.search(r'fd: (0x[0-9a-f]+)', rest).group(1), 16))
        if call in ('recvfrom', 'read'):
            reading[tid] = key
        elif key in sockets:
            conn, owner = sockets[key]
            events[conn].append((t, owner, 'send', tid))
    elif call in ('recvfrom', 'read'):
        key = reading.pop(tid, None)
        returned = int(rest.split()[-1], 16)
        if key in sockets and 0 < returned < 1 << 31:
            conn, owner = sockets[key]
            events[conn].append((t, owner, 'recv', tid))

# Per connection kind, the chain of (owner, call) steps, and the stage each step closes.
CHAINS = {
    'front': [('wrk', 'send', None),
              ('proxy', 'recv', 'a   wrk sends request -> proxy reads it'),
              ('proxy', 'send', 'b   proxy reads request -> sends response'),
              ('wrk', 'recv', 'c   proxy sends response -> wrk reads it')],
    'up': [('proxy', 'send', None),
           ('backend', 'recv', 'b1  proxy sends upstream -> backend reads'),
           ('backend', 'send', 'b2  backend reads -> backend sends'),
           ('proxy', 'recv', 'b3  backend sends -> proxy reads response')],
}
stages = collections.defaultdict(list)
requests = []  # each whole request on a front connection: (proxy tid, (a, b, c))
for (kind, _), evs in events.items():
    chain = CHAINS[kind]
    step, since, spans, tid = 0, None, [], None
    for t, owner, call, who in sorted(evs):
        if (owner, call) == chain[0][:2]:
            step, since, spans = 1, t, []
        elif since is not None and step < len(chain) and (owner, call) == chain[step][:2]:
            span = (t - since) * 1e3
            stages[chain[step][2]].append(span)
            spans.append(span)
            tid = who if owner == 'proxy' else tid
            step, since = step + 1, t
            if kind == 'front' and step == len(chain):
                requests.append((tid, tuple(spans)))

owners = collections.Counter(owner for _, owner in sockets.values())
print(f"sockets: {dict(owners)}")
for name in sorted(stages):
    v = sorted(stages[name])
    print(f"  {name:44s} n={len(v):6d}  mean {statistics.mean(v):.3f}  p50 {pct(v, .5):.3f}  p90 {pct(v, .9):.3f}  p99 {pct(v, .99):.3f} ms")

# Whole requests (wrk's send to wrk's receive), overall, per proxy thread, and by stage.
if requests:
    totals = sorted(sum(abc) for _, abc in requests)
    p50, p99 = pct(totals, .5), pct(totals, .99)
    print(f"whole requests (wrk send -> wrk receive): n={len(totals)}  p50 {p50:.3f}  p99 {p99:.3f} ms")
    for tid in sorted({tid for tid, _ in requests}):
        v = sorted(sum(abc) for who, abc in requests if who == tid)
        print(f"  proxy thread {tid}: n={len(v)}  mean {statistics.mean(v):.3f}  p99 {pct(v, .99):.3f} ms")
    groups = (('all', lambda s: True), ('near p50', lambda s: abs(s - p50) < 0.1), ('>= p99', lambda s: s >= p99))
    for name, keep in groups:
        chosen = [abc for _, abc in requests if keep(sum(abc))]
        if not chosen:
            continue
        means = ' '.join(f"{statistics.mean(abc[i] for abc in chosen):.3f}" for i in range(3))
        print(f"  a b c means, {name:8s} (n={len(chosen)}): {means} ms")
