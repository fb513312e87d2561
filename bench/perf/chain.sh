#!/usr/bin/env bash
# Where one request's time goes, from the system calls of wrk, a proxy and its backend:
#
#   bench/perf/chain.sh PROXY_PORT PROXY_PID BACKEND_PORT [PATH]
#
# Runs `wrk -t2 -c64` against http://127.0.0.1:PROXY_PORT/PATH (default /small) for 8 s. After
# 2.5 s it snapshots the connections (`ss -tnp`) and records 2 s of send and receive calls of
# the proxy, the backend's processes (those listening on BACKEND_PORT) and wrk
# (`perf record -e syscalls:...`); chain.py then pairs each request's sends and receives along
# its two connections and prints, per stage, mean and percentiles in ms:
#   a   wrk sends the request -> the proxy reads it
#   b   the proxy reads the request -> sends the response (b1 + b2 + b3 + the proxy's own time)
#   b1  the proxy sends upstream -> the backend reads;  b2  the backend's own time
#   b3  the backend sends the response -> the proxy reads it
#   c   the proxy sends the response -> wrk reads it
# and then the whole request (wrk's send to wrk's receive): p50 and p99, per proxy thread, and the
# mean of a, b and c for the requests near the p50 and for those at or above the p99.
# Needs perf (Debian: linux-perf) and root or perf_event_paranoid <= 1. Loopback only; stops
# itself (wrk -d8s, perf 2 s); starts only wrk and perf and stops nothing else.
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: $0 PROXY_PORT PROXY_PID BACKEND_PORT [PATH]" >&2; exit 2; }
port=$1 proxy=$2 backend=$3 path=${4:-/small}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for t in wrk perf ss python3; do command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }; done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-chain.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
backend_pids=$(ss -ltnp "( sport = :$backend )" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | paste -sd,)
[[ -n $backend_pids ]] || { echo "nothing listens on 127.0.0.1:$backend" >&2; exit 1; }
timeout 20 wrk -t2 -c64 -d8s "http://127.0.0.1:$port$path" >"$WORK/wrk.txt" 2>&1 & wrk_pid=$!
sleep 2.5
wrk_real=$(pgrep -P "$wrk_pid" -x wrk || echo "$wrk_pid")
ss -tnp state established "( sport = :$backend or dport = :$backend or sport = :$port or dport = :$port )" >"$WORK/ss.txt"
perf record -q -o "$WORK/perf.data" -p "$proxy,$backend_pids,$wrk_real" \
    -e syscalls:sys_enter_recvfrom -e syscalls:sys_exit_recvfrom -e syscalls:sys_enter_read -e syscalls:sys_exit_read \
    -e syscalls:sys_enter_sendto -e syscalls:sys_enter_write -e syscalls:sys_enter_writev -- sleep 2 >/dev/null 2>&1
wait "$wrk_pid" || true
grep -E "Requests/sec" "$WORK/wrk.txt" || true
perf script -i "$WORK/perf.data" -F pid,tid,time,event,trace 2>/dev/null >"$WORK/calls.txt"
python3 "$HERE/chain.py" "$WORK/ss.txt" "$WORK/calls.txt" "$port" "$backend"
