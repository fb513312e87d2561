#!/usr/bin/env bash
# Two Switchyard jars side by side, with HAProxy as the yardstick, for an A/B of one change:
#
#   bench/perf/ab.sh BASE.jar NEW.jar             # N=1, ka64-small and ka64-browser, 5 rounds
#   ROUNDS=3 N=2 LOADS="close64-small" bench/perf/ab.sh BASE.jar NEW.jar
#   NEW_JAVA_OPTS="-XX:+UseSerialGC" bench/perf/ab.sh A.jar A.jar   # one jar, two JVM flag sets
#
# One nginx backend (bench/perf/backend.nginx.conf.in), the two jars through bin/switchyard and
# HAProxy, all with N event loops / threads, are started once; each jar gets PREWARM s of every
# load. Then per round and load the three are measured in turn (base, new, haproxy; the order
# reversed every other round), each a 2 s wrk warm-up and a DURATION s measured `wrk -t2`.
# Per run: req/s, p50, p99, the CPU µs per request of the proxy (utime + stime from /proc), of the
# backend's workers and of the whole machine, and the share of the machine's CPU left idle.
# Prints the runs as TSV on stdout, then the medians and the paired per-round ratios on stderr.
# SY_TRANSPORT (auto) is both jars' `transport` key, as in run.sh.
# BASE_JAVA_OPTS and NEW_JAVA_OPTS go to bin/switchyard as SWITCHYARD_JAVA_OPTS, after its
# defaults, so an A/B can also be of JVM flags.
# Loopback only; PORT_BASE (19480: backend, +1 base, +2 new, +3 haproxy); stops itself after
# TOTAL_TIMEOUT s (900) and stops only what it started, by PID.
set -euo pipefail
TOTAL_TIMEOUT=${TOTAL_TIMEOUT:-900}
if [[ -z ${SWITCHYARD_AB_INNER:-} ]]; then
    export SWITCHYARD_AB_INNER=1
    exec timeout --kill-after=20 "$TOTAL_TIMEOUT" "${BASH_SOURCE[0]}" "$@"
fi
[[ $# == 2 && -f $1 && -f $2 ]] || { echo "usage: $0 BASE.jar NEW.jar" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${ROUNDS:-5}; N=${N:-1}; LOADS=${LOADS:-ka64-small ka64-browser}
SY_TRANSPORT=${SY_TRANSPORT:-auto}; DURATION=${DURATION:-6}; PREWARM=${PREWARM:-8}; PORT_BASE=${PORT_BASE:-19480}
export PATH="$PATH:/usr/sbin"
for t in wrk nginx haproxy python3; do command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-ab.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# The loads of run.sh, its browser head included (one definition: taken from run.sh).
eval "$(sed -n '/^BROWSER_HEADERS=(/,/^)/p' "$HERE/run.sh")"
load_args() {
    case $1 in
        ka64-small) ARGS=(-c64) PATH_=/small ;; ka64-large) ARGS=(-c64) PATH_=/large ;;
        ka1000-small) ARGS=(-c1000) PATH_=/small ;; close64-small) ARGS=(-c64 -H "Connection: close") PATH_=/small ;;
        ka64-browser) ARGS=(-c64 "${BROWSER_HEADERS[@]}") PATH_=/small ;;
        *) echo "unknown load $1" >&2; exit 2 ;;
    esac
}

BACKEND=$PORT_BASE
declare -A PORT=([base]=$((PORT_BASE + 1)) [new]=$((PORT_BASE + 2)) [haproxy]=$((PORT_BASE + 3)))
SMALL=$(printf 'x%.0s' $(seq 1 100))
head -c 65536 /dev/zero | tr '\0' 'y' >"$WORK/large.bin"
mkdir -p "$WORK/tmp-b"; chmod 755 "$WORK"; chmod 644 "$WORK/large.bin"
fill() { sed -e "s|@WORK@|$WORK|g" -e "s|@BACKEND_PORT@|$BACKEND|g" -e "s|@N@|$2|g" -e "s|@PORT@|$3|g" \
             -e "s|@SMALL@|$SMALL|g" -e "s|@EXTRA@||g" -e "s|@TRANSPORT@|$SY_TRANSPORT|g" "$1"; }
fill "$HERE/backend.nginx.conf.in" 2 "$BACKEND" >"$WORK/backend.conf"
nginx -p "$WORK/" -e "$WORK/backend-error.log" -c "$WORK/backend.conf" >/dev/null 2>&1 & PIDS+=($!)
declare -A PID=()
for j in base new; do
    fill "$HERE/switchyard.conf.in" "$N" "${PORT[$j]}" >"$WORK/$j.conf"
    jar=$1 opts=${BASE_JAVA_OPTS:-}; [[ $j == new ]] && jar=$2 opts=${NEW_JAVA_OPTS:-}
    SWITCHYARD_JAR="$jar" SWITCHYARD_JAVA_OPTS="$opts" "$ROOT/bin/switchyard" --config "$WORK/$j.conf" >"$WORK/$j.log" 2>&1 & PID[$j]=$!; PIDS+=($!)
done
fill "$HERE/haproxy.cfg.in" "$N" "${PORT[haproxy]}" >"$WORK/haproxy.cfg"
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 & PID[haproxy]=$!; PIDS+=($!)
for t in base new haproxy; do
    for _ in $(seq 1 300); do curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:${PORT[$t]}/small" && break; sleep 0.1; done
    curl -sf -o /dev/null "http://127.0.0.1:${PORT[$t]}/small" || { echo "$t did not start" >&2; exit 1; }
done
for load in $LOADS; do
    load_args "$load"
    for j in base new; do
        wrk -t2 "${ARGS[@]}" -d"${PREWARM}s" "http://127.0.0.1:${PORT[$j]}$PATH_" >/dev/null 2>&1 || true
    done
done

CLK=$(getconf CLK_TCK)
# A process's utime + stime, summed over the PIDs given: run.sh's (one definition).
eval "$(grep '^cpu_ticks() ' "$HERE/run.sh")"
# The backend's CPU: its workers' ticks (the master sleeps). The machine's: busy and idle ticks
# summed over all CPUs from /proc/stat, so a run where the proxy leaves cores idle shows as idle.
backend_ticks() { cpu_ticks $(pgrep -P "${PIDS[0]}"); }
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6}' /proc/stat; }
printf 'round\tload\ttarget\trps\tp50_ms\tp99_ms\tcpu_us_per_req\tbackend_us_per_req\tmachine_us_per_req\tidle_pct\n' | tee "$WORK/runs.tsv"
for round in $(seq 1 "$ROUNDS"); do
    for load in $LOADS; do
        load_args "$load"
        order=(base new haproxy); (( round % 2 == 0 )) && order=(haproxy new base)
        for t in "${order[@]}"; do
            url="http://127.0.0.1:${PORT[$t]}$PATH_"
            wrk -t2 "${ARGS[@]}" -d2s "$url" >/dev/null 2>&1 || true
            c0=$(cpu_ticks "${PID[$t]}") b0=$(backend_ticks); read -r m0 i0 < <(machine_ticks)
            wrk -t2 "${ARGS[@]}" -d"${DURATION}s" --latency "$url" >"$WORK/wrk.txt" 2>&1 || true
            c1=$(cpu_ticks "${PID[$t]}") b1=$(backend_ticks); read -r m1 i1 < <(machine_ticks)
            python3 - "$WORK/wrk.txt" "$round" "$load" "$t" "$((c1 - c0))" "$CLK" "$((b1 - b0))" "$((m1 - m0))" "$((i1 - i0))" <<'PY' | tee -a "$WORK/runs.tsv"
import re, sys
f, rnd, load, target, ticks, clk, backend, busy, idle = sys.argv[1:]
out = open(f).read()
def ms(v):
    n, unit = float(re.match(r'[\d.]+', v).group()), re.sub(r'[\d.]+', '', v)
    return n * {'us': 1e-3, 'ms': 1, 's': 1e3}[unit]
reqs = int(re.search(r'(\d+) requests in', out).group(1))
rps = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))
p = dict(re.findall(r'^\s+(50|99)%\s+(\S+)', out, re.M))
us = lambda t: int(t) / int(clk) / reqs * 1e6
print(f"{rnd}\t{load}\t{target}\t{rps:.0f}\t{ms(p['50']):.2f}\t{ms(p['99']):.2f}\t{us(ticks):.1f}\t{us(backend):.1f}\t{us(busy):.1f}"
      f"\t{100 * int(idle) / max(1, int(busy) + int(idle)):.1f}")
PY
        done
    done
done
python3 - "$WORK/runs.tsv" >&2 <<'PY'
import csv, statistics as st, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
loads = list(dict.fromkeys(r['load'] for r in rows))
runs = lambda l, t: [r for r in rows if r['load'] == l and r['target'] == t]
for l in loads:
    for t in ('base', 'new', 'haproxy'):
        v = runs(l, t)
        print(f"{l:14s} {t:8s} req/s {st.median(float(r['rps']) for r in v):8.0f}  p99 {st.median(float(r['p99_ms']) for r in v):6.2f} ms"
              f"  CPU {st.median(float(r['cpu_us_per_req']) for r in v):5.1f} µs/req"
              f"  backend {st.median(float(r['backend_us_per_req']) for r in v):5.1f}"
              f"  machine {st.median(float(r['machine_us_per_req']) for r in v):5.1f} µs/req"
              f"  idle {st.median(float(r['idle_pct']) for r in v):4.1f} %")
    for a, b in (('new', 'base'), ('new', 'haproxy'), ('base', 'haproxy')):
        pairs = list(zip(runs(l, a), runs(l, b)))
        for key, name in (('rps', 'req/s'), ('p99_ms', 'p99'), ('cpu_us_per_req', 'CPU/req')):
            q = [float(x[key]) / float(y[key]) for x, y in pairs]
            print(f"  {a}/{b} {name}: paired median {st.median(q):.2f} ({min(q):.2f}-{max(q):.2f})", end=';' if key != 'cpu_us_per_req' else '\n')
PY
