#!/usr/bin/env bash
# Throughput and latency benchmark: Switchyard vs HAProxy vs nginx (as a proxy) vs direct, all in
# front of one nginx backend answering from memory on loopback. wrk drives closed-loop load.
#
#   bench/perf/run.sh       # the whole matrix, ~28 min on 2 cores; writes bench/results/perf-<date>*.
#   QUICK=1 bench/perf/run.sh   # ~2 min: N=2, ka64-small and ka1000-small, Switchyard and HAProxy,
#                               # one round, no access-log comparison, no JFR (every one overridable)
#
# Switchyard runs through bin/switchyard, so with exactly the launcher's JVM flags (the ones an
# operator gets); SY_JAVA_OPTS adds flags after them (SWITCHYARD_JAVA_OPTS), for experiments.
#
# Per N in $THREADS (event loops / nbthread / worker_processes), the three proxies are started
# once and reused for every round (JIT warm-up is paid once per N). Each round runs every load
# against every target, interleaved (direct, Switchyard, HAProxy, nginx; the start rotates per
# round); each measurement is a WARMUP-second wrk run followed by a DURATION-second measured run.
# Then the issue 4 comparison: Switchyard N=2 with metrics (admin on) vs with metrics and a JSON
# access log to a file, interleaved, ROUNDS each. Then (JFR=1) one 20 s JFR profile of the warm
# N=2 Switchyard under keep-alive 64 /small.
#
# Environment: ROUNDS (3), WARMUP s (2), DURATION s (7), THREADS ("1 2"; "" skips the matrix), LOADS (the five targets:
# ka64-small ka64-large ka1000-small ka1000-large close64-small; ka64-browser, 64 keep-alive connections
# sending a browser's 1 KiB request head, runs when named), TARGETS ("direct switchyard
# haproxy haproxy-same nginx"; haproxy-same is HAProxy doing Switchyard's header work too), ACCESSLOG=0 skips the access-log comparison, ACCESSLOG_ROUNDS (ROUNDS), PREWARM s of
# each load on each freshly started Switchyard before its first round (8), JFR=0 skips the profile,
# PORT_BASE (19280: backend; +1 Switchyard, +2 HAProxy, +3 nginx, +4/+5 access-log pair, +6 haproxy-same,
# +10/+11 their admin), JAR (target/switchyard.jar, built if missing; always copied first),
# SY_JAVA_OPTS (empty: the launcher's flags only), SY_TRANSPORT (auto: Switchyard's `transport` key,
# e.g. io_uring; the report's meta says which one ran), RESULT_DIR (bench/results), TAG (perf-<UTC date>),
# TOTAL_TIMEOUT s (900 per round: 2700 for the default 3 rounds), KEEP=1 keeps the work dir (always kept when the run fails).
# Loopback only; it starts and stops only its own processes, by PID.
set -euo pipefail

# A round of the full matrix (five loads, five targets, two N) takes about 8 minutes, 9.5 with
# ka64-browser; the cap grows with ROUNDS so that a longer run is not cut off before its report.
TOTAL_TIMEOUT=${TOTAL_TIMEOUT:-$((900 * ${ROUNDS:-3}))}
if [[ -z ${SWITCHYARD_PERF_INNER:-} ]]; then
    export SWITCHYARD_PERF_INNER=1
    exec timeout --kill-after=20 "$TOTAL_TIMEOUT" "${BASH_SOURCE[0]}" "$@"
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

if [[ ${QUICK:-0} == 1 ]]; then
    ROUNDS=${ROUNDS:-1}; DURATION=${DURATION:-5}; THREADS=${THREADS-2}
    LOADS=${LOADS:-ka64-small ka1000-small}; TARGETS=${TARGETS:-switchyard haproxy}
    ACCESSLOG=${ACCESSLOG:-0}; JFR=${JFR:-0}; SYSCALLS=${SYSCALLS:-0}; TAG=${TAG:-perf-quick-$(date -u +%Y-%m-%d)}
fi
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-2}
DURATION=${DURATION:-7}
THREADS=${THREADS-1 2}           # THREADS="" skips the matrix
LOADS=${LOADS:-ka64-small ka64-large ka1000-small ka1000-large close64-small}
TARGETS=${TARGETS:-direct switchyard haproxy haproxy-same nginx}
ACCESSLOG=${ACCESSLOG:-1}
ACCESSLOG_ROUNDS=${ACCESSLOG_ROUNDS:-$ROUNDS}
PREWARM=${PREWARM:-8}           # s of each load on each freshly started Switchyard before measuring
JFR=${JFR:-1}
SYSCALLS=${SYSCALLS:-1}         # strace -c syscalls per request at N=1 (needs strace; skipped without it)
PORT_BASE=${PORT_BASE:-19280}
BACKEND_PORT=$PORT_BASE
declare -A PORT=([direct]=$PORT_BASE [switchyard]=$((PORT_BASE + 1)) [haproxy]=$((PORT_BASE + 2))
                 [nginx]=$((PORT_BASE + 3)) [sy-metrics]=$((PORT_BASE + 4)) [sy-accesslog]=$((PORT_BASE + 5))
                 [haproxy-same]=$((PORT_BASE + 6)))
ADMIN1=$((PORT_BASE + 10)); ADMIN2=$((PORT_BASE + 11))
SY_JAVA_OPTS=${SY_JAVA_OPTS:-}
SY_TRANSPORT=${SY_TRANSPORT:-auto}
LAUNCHER=$ROOT/bin/switchyard
RESULT_DIR=${RESULT_DIR:-$ROOT/bench/results}
TAG=${TAG:-perf-$(date -u +%Y-%m-%d)}
RAW=$RESULT_DIR/$TAG-raw.tsv
META=$RESULT_DIR/$TAG-meta.txt
CLK=$(getconf CLK_TCK)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-perf.XXXXXX")
declare -a LIVE_PIDS=()

log() { printf '[perf %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

stop_pid() { # TERM, up to 10 s grace, then KILL; only PIDs this script started
    local pid=$1
    [[ -n $pid ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    { wait "$pid"; } 2>/dev/null || true
    local kept=() p
    for p in "${LIVE_PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
    LIVE_PIDS=("${kept[@]}")
}
stop_all() { local pid; for pid in "${LIVE_PIDS[@]}"; do stop_pid "$pid"; done; }
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_all
    if [[ ${KEEP:-0} == 1 || $rc -ne 0 ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_http() { # wait_http URL PID SECONDS
    local url=$1 pid=$2 left=$(( $3 * 10 ))
    while (( left-- > 0 )); do
        curl -sf -o /dev/null --max-time 1 "$url" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# --- tools ----------------------------------------------------------------------------------
export PATH="$PATH:/usr/sbin"
missing=()
for t in wrk nginx haproxy; do command -v "$t" >/dev/null || missing+=("$t"); done
if (( ${#missing[@]} )); then
    log "installing ${missing[*]} (apt-get)"
    timeout 300 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${missing[@]}" >"$WORK/apt.log"
fi
for tool in java curl python3 nginx haproxy wrk timeout; do
    command -v "$tool" >/dev/null || { log "missing $tool"; exit 2; }
done
ulimit -n 20000 2>/dev/null || true

# --- the jar (a private copy) ----------------------------------------------------------------
JAR=${JAR:-$ROOT/target/switchyard.jar}
if [[ ! -f $JAR && $JAR == "$ROOT/target/switchyard.jar" ]]; then
    log "building target/switchyard.jar"
    (cd "$ROOT" && timeout 300 mvn -B -q -o package -DskipTests)
fi
[[ -f $JAR ]] || { log "no jar at $JAR"; exit 2; }
cp "$JAR" "$WORK/switchyard.jar"

for p in "${PORT[@]}" "$ADMIN1" "$ADMIN2"; do
    port_free "$p" || { log "127.0.0.1:$p is in use; set PORT_BASE"; exit 2; }
done

mkdir -p "$RESULT_DIR" "$WORK"/tmp-b "$WORK"/tmp-p
{
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host_cpus=$(nproc)"
    echo "cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "mem=$(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
    echo "kernel=$(uname -r)"
    echo "java=$(java -version 2>&1 | head -1)"
    echo "nginx=$(nginx -v 2>&1)"
    echo "haproxy=$(haproxy -v | head -1)"
    echo "wrk=$(wrk -v 2>&1 | head -1)"
    echo "jar=$JAR built $(date -u -r "$JAR" +%Y-%m-%dT%H:%M:%SZ) sha256 $(sha256sum "$JAR" | cut -c1-12)"
    echo "git_head=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "sy_launcher=bin/switchyard SY_JAVA_OPTS=$SY_JAVA_OPTS"
    echo "rounds=$ROUNDS warmup=${WARMUP}s duration=${DURATION}s threads=$THREADS"
    echo "loads=$LOADS"
    echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$META"
printf 'load\ttarget\tsyscall\tper_request\n' >"$RESULT_DIR/$TAG-syscalls.tsv"
printf 'phase\tN\tround\tload\ttarget\trps\tp50_us\tp99_us\tp999_us\tcpu_s_per_100k\tpeak_rss_kb\trequests\tsock_err\tnon2xx\n' >"$RAW"

# --- the backend ------------------------------------------------------------------------------
SMALL=$(printf 'x%.0s' $(seq 1 100))       # the /small body: 100 bytes
head -c 65536 /dev/zero | tr '\0' 'y' >"$WORK/large.bin"
chmod 755 "$WORK"; chmod 644 "$WORK/large.bin"   # nginx workers run as another user when root
fill() { # fill TEMPLATE OUT N PORT EXTRA
    sed -e "s|@WORK@|$WORK|g" -e "s|@BACKEND_PORT@|$BACKEND_PORT|g" -e "s|@N@|$3|g" \
        -e "s|@PORT@|$4|g" -e "s|@SMALL@|$SMALL|g" -e "s|@EXTRA@|${5:-}|g" \
        -e "s|@TRANSPORT@|$SY_TRANSPORT|g" "$1" >"$2"
}
fill "$HERE/backend.nginx.conf.in" "$WORK/backend.conf" 2 "$BACKEND_PORT"
nginx -p "$WORK/" -e "$WORK/backend-error.log" -c "$WORK/backend.conf" >"$WORK/backend.out" 2>&1 &
BACKEND_PID=$!; LIVE_PIDS+=("$BACKEND_PID")
wait_http "http://127.0.0.1:$BACKEND_PORT/small" "$BACKEND_PID" 20 || { log "backend did not start"; exit 1; }
[[ $(curl -s "http://127.0.0.1:$BACKEND_PORT/small" | wc -c) == 100 ]] || { log "small body is not 100 B"; exit 1; }
[[ $(curl -s "http://127.0.0.1:$BACKEND_PORT/large" | wc -c) == 65536 ]] || { log "large body is not 64 KiB"; exit 1; }

children() { ps -o pid= --ppid "$1" | tr -d ' ' | tr '\n' ' '; }
declare -A PIDS=()   # target -> the PIDs whose CPU and RSS count for it (nginx: master + workers)
PIDS[direct]="$BACKEND_PID $(children "$BACKEND_PID")"

# --- proxies ----------------------------------------------------------------------------------
start_switchyard() { # start_switchyard NAME N EXTRA [JVM_EXTRA]
    local name=$1 n=$2 extra=$3 jx=${4:-}
    fill "$HERE/switchyard.conf.in" "$WORK/$name-$n.conf" "$n" "${PORT[$name]}" "$extra"
    # The launcher execs java, so $! is the JVM's PID.
    SWITCHYARD_JAR="$WORK/switchyard.jar" SWITCHYARD_JAVA_OPTS="$SY_JAVA_OPTS $jx" \
        "$LAUNCHER" --config "$WORK/$name-$n.conf" >"$WORK/$name-$n.log" 2>&1 &
    local pid=$!; LIVE_PIDS+=("$pid"); PIDS[$name]=$pid
    wait_http "http://127.0.0.1:${PORT[$name]}/small" "$pid" 60 \
        || { log "$name did not start"; tail -20 "$WORK/$name-$n.log" >&2; return 1; }
    grep -q '^sy_cmdline=' "$META" || echo "sy_cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")" >>"$META"
    grep -q '^sy_transport=' "$META" \
        || echo "sy_transport=$SY_TRANSPORT, running $(grep -o -m1 'transport: [a-z_]*' "$WORK/$name-$n.log" | cut -d' ' -f2)" >>"$META"
}
# What Switchyard does to every request and response besides forwarding it, in HAProxy's words:
# the target `haproxy-same` runs with these, so that it and Switchyard do the same work per request
# and send the backend and wrk the same fields. The id is HAProxy's usual `uuid()`: 36 characters
# against Switchyard's 32 hex digits. Stripping its dashes with `regsub` to match the length cost
# HAProxy more CPU than the 4 bytes could (bench/README.md, "twelfth round"): a handicap no
# operator would write.
SAME_WORK_HAPROXY='    option forwardfor\n    http-request set-header X-Forwarded-Proto http\n    http-request set-header X-Forwarded-Host %[req.hdr(host)]\n    unique-id-format %[uuid()]\n    unique-id-header X-Request-Id\n    http-response set-header X-Request-Id %[unique-id]'
start_haproxy() { # start_haproxy NAME N: NAME is haproxy (bare) or haproxy-same
    local name=$1 n=$2 extra=''
    [[ $name == haproxy-same ]] && extra=$SAME_WORK_HAPROXY
    fill "$HERE/haproxy.cfg.in" "$WORK/$name-$n.cfg" "$n" "${PORT[$name]}" "$extra"
    haproxy -db -f "$WORK/$name-$n.cfg" >"$WORK/$name-$n.log" 2>&1 &
    local pid=$!; LIVE_PIDS+=("$pid"); PIDS[$name]=$pid
    wait_http "http://127.0.0.1:${PORT[$name]}/small" "$pid" 20 || { log "$name did not start"; return 1; }
}
start_nginx() {
    fill "$HERE/proxy.nginx.conf.in" "$WORK/proxy-nginx-$1.conf" "$1" "${PORT[nginx]}"
    nginx -p "$WORK/" -e "$WORK/proxy-nginx-error.log" -c "$WORK/proxy-nginx-$1.conf" >"$WORK/proxy-nginx-$1.log" 2>&1 &
    local pid=$!; LIVE_PIDS+=("$pid")
    wait_http "http://127.0.0.1:${PORT[nginx]}/small" "$pid" 20 || { log "nginx proxy did not start"; return 1; }
    PIDS[nginx]="$pid $(children "$pid")"
}

# --- one measurement --------------------------------------------------------------------------
cpu_ticks() { local s=0 p f; for p; do read -r -a f < <(sed 's/.*) //' "/proc/$p/stat"); s=$((s + f[11] + f[12])); done; echo "$s"; }
rss_sampler() { # rss_sampler OUT PID...: summed VmRSS (kB) every 0.5 s until killed
    local out=$1; shift
    while :; do
        local s=0 p v
        for p; do v=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null); s=$((s + ${v:-0})); done
        echo "$s" >>"$out"; sleep 0.5
    done
}
# What a browser sends for a page of a shop (15 fields, 1 KiB with wrk's Host): the small loads'
# requests carry only Host, which leaves out most of a real request head's parsing and rewriting.
BROWSER_HEADERS=(
    -H "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    -H "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"
    -H "Accept-Language: en-US,en;q=0.9,de;q=0.8"
    -H "Accept-Encoding: gzip, deflate, br, zstd"
    -H "Referer: https://shop.example/category/shoes?page=2&sort=price"
    -H "Cookie: session=7f3c9a1e5b2d4c6f8a0b1c2d3e4f5a6b; cart=3-items-8841; _ga=GA1.2.1234567890.1732600000; _gid=GA1.2.987654321.1732600000; consent=analytics%3Dyes%26ads%3Dno; currency=EUR"
    -H "Cache-Control: max-age=0"
    -H "Upgrade-Insecure-Requests: 1"
    -H 'sec-ch-ua: "Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'
    -H "sec-ch-ua-mobile: ?0"
    -H 'sec-ch-ua-platform: "Windows"'
    -H "Sec-Fetch-Site: same-origin"
    -H "Sec-Fetch-Mode: navigate"
    -H "Sec-Fetch-User: ?1"
    -H "Sec-Fetch-Dest: document"
)
load_args() { # load_args LOAD: sets the caller's conns (wrk's -cN), path and hdr (wrk's header arguments)
    local close=0 browser=0
    case $1 in
        ka64-small) conns=-c64 path=/small ;; ka64-large) conns=-c64 path=/large ;;
        ka1000-small) conns=-c1000 path=/small ;; ka1000-large) conns=-c1000 path=/large ;;
        close64-small) conns=-c64 path=/small close=1 ;;
        ka64-browser) conns=-c64 path=/small browser=1 ;;
        *) log "unknown load $1"; exit 2 ;;
    esac
    hdr=(); (( close )) && hdr=(-H "Connection: close")
    (( browser )) && hdr=("${BROWSER_HEADERS[@]}")
    return 0
}
measure() { # measure PHASE N ROUND LOAD TARGET [SECONDS]
    local phase=$1 n=$2 round=$3 load=$4 target=$5 dur=${6:-$DURATION}
    local conns path hdr url out pids
    load_args "$load"
    url="http://127.0.0.1:${PORT[$target]}$path"
    out="$WORK/wrk-$phase-N$n-r$round-$load-$target"
    read -r -a pids <<<"${PIDS[$target]}"
    timeout $((WARMUP + 20)) wrk -t2 "$conns" -d"${WARMUP}s" --timeout 5s "${hdr[@]}" "$url" >"$out.warm" 2>&1 || true
    local c0 c1 sampler
    c0=$(cpu_ticks "${pids[@]}")
    rss_sampler "$out.rss" "${pids[@]}" & sampler=$!
    timeout $((dur + 20)) wrk -t2 "$conns" -d"${dur}s" --timeout 5s --latency -s "$HERE/pctl.lua" "${hdr[@]}" "$url" >"$out.txt" 2>&1 || true
    c1=$(cpu_ticks "${pids[@]}")
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
    local peak; peak=$(sort -n "$out.rss" | tail -1)
    python3 - "$out.txt" "$phase" "$n" "$round" "$load" "$target" "$((c1 - c0))" "$CLK" "${peak:-0}" >>"$RAW" <<'PY'
import re, sys
f, phase, n, rnd, load, target, ticks, clk, peak = sys.argv[1:]
t = open(f).read()
p = dict((k, int(v)) for k, v in re.findall(r'(p\d+)=(\d+)', t.split('PCTL', 1)[1])) if 'PCTL' in t else {}
s = dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', t.split('SUMMARY', 1)[1])) if 'SUMMARY' in t else {}
m = re.search(r'Non-2xx or 3xx responses: (\d+)', t)
req = s.get('requests', 0); dur = s.get('duration_us', 0) / 1e6
rps = req / dur if dur else 0
cpu = (int(ticks) / int(clk)) / req * 1e5 if req else 0
err = s.get('connect', 0) + s.get('read', 0) + s.get('write', 0) + s.get('timeout', 0)
print('\t'.join(map(str, [phase, n, rnd, load, target, f'{rps:.0f}', p.get('p50', -1), p.get('p99', -1),
      p.get('p999', -1), f'{cpu:.3f}', peak, req, err, m.group(1) if m else 0])))
PY
    tail -1 "$RAW" | awk -F'\t' '{printf "  %-6s N=%s r%s %-13s %-12s %8s rps p99 %6s us cpu %s s/100k rss %s kB err %s non2xx %s\n",$1,$2,$3,$4,$5,$6,$8,$10,$11,$13,$14}' >&2
}

# --- syscalls per request (deterministic, unlike req/s on a shared box) ------------------------
syscall_profile() { # syscall_profile N: strace -c on Switchyard and HAProxy under ka64-small and close64-small
    local n=$1 load t conns path hdr reqs out
    log "N=$n: syscalls per request (strace -c, 3 s per load and proxy)"
    for load in ka64-small close64-small; do
        load_args "$load"
        for t in switchyard haproxy; do
            [[ -n ${PIDS[$t]:-} ]] || continue
            out="$WORK/strace-$load-$t"
            timeout 10 strace -c -f -p "${PIDS[$t]%% *}" -o "$out.txt" 2>/dev/null & local tracer=$!
            sleep 1   # strace attaches to every thread before the load starts
            timeout 20 wrk -t1 "$conns" -d3s "${hdr[@]}" "http://127.0.0.1:${PORT[$t]}$path" >"$out.wrk" 2>&1 || true
            kill -INT "$tracer" 2>/dev/null; wait "$tracer" 2>/dev/null || true
            reqs=$(awk '/requests in/ {print $1}' "$out.wrk")
            # strace -c: "% time seconds usecs/call calls [errors] syscall"; calls is column 4.
            awk -v load="$load" -v t="$t" -v reqs="${reqs:-0}" '
                $NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" && $NF != "futex" && $NF != "restart_syscall" {
                    if (reqs > 0) printf "%s\t%s\t%s\t%.2f\n", load, t, $NF, $4 / reqs }' "$out.txt" >>"$RESULT_DIR/$TAG-syscalls.tsv"
        done
    done
}

# --- the matrix -------------------------------------------------------------------------------
read -r -a TGT <<<"$TARGETS"
for n in $THREADS; do
    log "N=$n: starting the proxies"
    for t in "${TGT[@]}"; do
        case $t in
            switchyard) start_switchyard switchyard "$n" "" ;;
            haproxy | haproxy-same) start_haproxy "$t" "$n" ;; nginx) start_nginx "$n" ;; direct) ;;
        esac
    done
    if [[ " $TARGETS " == *" switchyard "* ]] && (( PREWARM > 0 )); then
        # Pay the JIT warm-up before round 1, so every round measures compiled code, and do it
        # for every load: the 64 KiB path (bodies in pieces, back-pressure) and the
        # connection-per-request path are code of their own, and 10 s of /small alone left
        # round 1 of ka64-large at N=2 still compiling (0.66 of HAProxy against 1.16 in round 2).
        for load in $LOADS; do
            load_args "$load"
            log "N=$n: ${PREWARM}s pre-warm of Switchyard, $load"
            timeout $((PREWARM + 20)) wrk -t2 "$conns" -d"${PREWARM}s" --timeout 5s "${hdr[@]}" \
                "http://127.0.0.1:${PORT[switchyard]}$path" >>"$WORK/prewarm-N$n.txt" 2>&1 || true
        done
    fi
    for round in $(seq 1 "$ROUNDS"); do
        log "N=$n round $round/$ROUNDS"
        for load in $LOADS; do
            k=${#TGT[@]}
            for i in $(seq 0 $((k - 1))); do
                measure main "$n" "$round" "$load" "${TGT[$(( (i + round - 1) % k ))]}"
            done
        done
    done
    if [[ $JFR == 1 && $n == 2 && " $TARGETS " == *" switchyard "* ]]; then
        log "JFR: 20 s profile of the warm N=2 Switchyard under ka64-small"
        jcmd "${PIDS[switchyard]}" JFR.start name=perf duration=20s settings=profile filename="$WORK/sy.jfr" >"$WORK/jfr.log" 2>&1 || true
        timeout 40 wrk -t2 -c64 -d21s "http://127.0.0.1:${PORT[switchyard]}/small" >"$WORK/wrk-jfr.txt" 2>&1 || true
        sleep 3
        if [[ -s $WORK/sy.jfr ]]; then
            timeout 120 jfr print --stack-depth 64 --events jdk.ExecutionSample "$WORK/sy.jfr" >"$WORK/sy-samples.txt" || true
            python3 "$HERE/jfr_top.py" "$WORK/sy-samples.txt" >"$RESULT_DIR/$TAG-jfr.txt" || true
            cp "$WORK/sy.jfr" "${JFR_KEEP:-/tmp}/switchyard-perf-sy.jfr" 2>/dev/null || true
        else
            log "no JFR file"; cat "$WORK/jfr.log" >&2
        fi
    fi
    if [[ $SYSCALLS == 1 && $n == 1 ]] && command -v strace >/dev/null; then
        syscall_profile "$n"
    fi
    for t in switchyard haproxy haproxy-same nginx; do
        [[ -n ${PIDS[$t]:-} ]] || continue
        read -r -a pp <<<"${PIDS[$t]}"; stop_pid "${pp[0]}"; unset "PIDS[$t]"
    done
done

# --- issue 4: metrics only vs metrics + access log ---------------------------------------------
if [[ $ACCESSLOG == 1 ]]; then
    log "access-log comparison (N=2, ka64-small)"
    start_switchyard sy-metrics 2 "admin { bind = \"127.0.0.1:$ADMIN1\" }"
    start_switchyard sy-accesslog 2 "admin { bind = \"127.0.0.1:$ADMIN2\" }\n  access-log { enabled = true, format = json, output = \"$WORK/access.log\" }"
    for t in sy-metrics sy-accesslog; do   # both freshly started: pay the JIT warm-up before measuring
        # one load here, warmed for twice PREWARM: after 10 s alone the first rounds of this
        # comparison were still JIT-bound (bench/README.md, issue 4 results)
        timeout $((2 * PREWARM + 20)) wrk -t2 -c64 -d"$((2 * PREWARM))s" "http://127.0.0.1:${PORT[$t]}/small" >"$WORK/prewarm-$t.txt" 2>&1 || true
    done
    for round in $(seq 1 "$ACCESSLOG_ROUNDS"); do
        if (( round % 2 )); then order=(sy-metrics sy-accesslog); else order=(sy-accesslog sy-metrics); fi
        for t in "${order[@]}"; do measure accesslog 2 "$round" ka64-small "$t"; done
    done
    {
        echo "accesslog_lines=$(wc -l <"$WORK/access.log")"
        echo "accesslog_sample=$(tail -1 "$WORK/access.log")"
        echo "accesslog_drops=$(curl -s "http://127.0.0.1:$ADMIN2/metrics" | grep -i 'drop' | grep -v '^#' | tr '\n' ' ')"
    } >>"$META"
    stop_pid "${PIDS[sy-metrics]}"; stop_pid "${PIDS[sy-accesslog]}"
fi

echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$META"
for f in "$WORK"/*.log; do
    n=$(grep -c -E 'WARN|ERROR|Exception|alert|emerg' "$f" || true)
    (( n > 0 )) && echo "log_problems $(basename "$f")=$n: $(grep -m2 -E 'WARN|ERROR|Exception|alert|emerg' "$f" | tr '\n' ' ' | cut -c1-300)" >>"$META"
done
python3 "$HERE/analyze.py" "$RAW" "$META" "$RESULT_DIR/$TAG.md" "$RESULT_DIR/$TAG-jfr.txt" "$RESULT_DIR/$TAG-syscalls.tsv"
log "done: $RESULT_DIR/$TAG.md"
