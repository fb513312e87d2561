#!/usr/bin/env bash
# Failover benchmark: the same three backends behind Switchyard, HAProxy and nginx; a steady
# constant-rate GET load; one backend SIGKILLed a few seconds in. Per proxy and round it reports
# the client-visible errors, how long after the kill errors and latency outliers went on, when
# the proxy last sent a request to the dead backend, and the p99 latency in the second around
# the kill against the steady p99. Rounds are interleaved: Switchyard, HAProxy, nginx, ...
#
#   bench/failover/run.sh          # everything, ~9 min on 2 cores; writes bench/results/
#
# Environment: ROUNDS (7), RATE requests/s (1000), CONNECTIONS (32), WARMUP s (5),
# DURATION s (10), KILL_AT s into the measured phase (3), WORK_MS backend work per GET (5),
# PROXIES ("switchyard haproxy nginx"), PORT_BASE (19180: proxy; +1..+3 backends; +10 stats),
# CAPACITY=0 to skip the wrk capacity check, POLL_MS (50) stats sampling, JAR
# (target/switchyard.jar, built if missing), SY_JVM (the issue's flags), SY_JVM_LOG (a GC and
# safepoint log in the trial dir), RESULT (bench/results/failover-<UTC date>.md),
# TOTAL_TIMEOUT s (840), KEEP=1 keeps the work dir (always kept when the run fails).
# Loopback only; it starts and stops only its own processes, by PID.
set -euo pipefail

TOTAL_TIMEOUT=${TOTAL_TIMEOUT:-840}
if [[ -z ${SWITCHYARD_FAILOVER_INNER:-} ]]; then
    # Whole-run bound: TERM reaches this script, whose trap stops what it started.
    export SWITCHYARD_FAILOVER_INNER=1
    exec timeout --kill-after=20 "$TOTAL_TIMEOUT" "${BASH_SOURCE[0]}" "$@"
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

ROUNDS=${ROUNDS:-7}
RATE=${RATE:-1000}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-10}
KILL_AT=${KILL_AT:-3}
WORK_MS=${WORK_MS:-5}
PROXIES=${PROXIES:-switchyard haproxy nginx}
PORT_BASE=${PORT_BASE:-19180}
CAPACITY=${CAPACITY:-1}
POLL_MS=${POLL_MS:-50}          # /status (Switchyard) and stats (HAProxy) sampling period
PROXY_PORT=$PORT_BASE
B_PORTS=($((PORT_BASE + 1)) $((PORT_BASE + 2)) $((PORT_BASE + 3)))
STATS_PORT=$((PORT_BASE + 10))
VICTIM=b2                       # the backend that is killed, on port B_PORTS[1]
STEP=60                         # seconds allowed for any single step
SY_JVM=${SY_JVM:-"-Xms256m -Xmx256m -XX:+UseG1GC"}
SY_JVM_LOG=${SY_JVM_LOG:-"-Xlog:gc,safepoint:file=@DIR@/gc.log:uptime,tags"}  # diagnostics only
BACKEND_JVM="-Xms64m -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
LOADGEN_JVM="-Xms256m -Xmx256m -XX:+UseParallelGC"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-failover.XXXXXX")
declare -a LIVE_PIDS=()         # every process this script started and has not reaped yet

log() { printf '[failover %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

stop_pid() { # stop_pid PID: TERM, up to 10 s grace, then KILL; only PIDs this script started
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

stop_all() {
    local pid
    for pid in "${LIVE_PIDS[@]}"; do stop_pid "$pid"; done
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_all
    if [[ ${KEEP:-0} == 1 || $rc -ne 0 ]]; then
        log "work dir kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_http() { # wait_http URL PID SECONDS: until URL answers 2xx, or the PID dies
    local url=$1 pid=$2 left
    left=$(( $3 * 10 ))
    while (( left-- > 0 )); do
        curl -sf -o /dev/null --max-time 1 "$url" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# --- tools ----------------------------------------------------------------------------------
missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
command -v wrk >/dev/null || missing+=(wrk)
if (( ${#missing[@]} )); then
    log "installing ${missing[*]} (apt-get)"
    timeout 300 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq nginx haproxy wrk >"$WORK/apt.log"
fi
export PATH="$PATH:/usr/sbin"
for tool in java javac curl python3 nginx haproxy wrk timeout; do
    command -v "$tool" >/dev/null || { log "missing $tool"; exit 2; }
done

# --- the jar (a private copy, so a concurrent build cannot replace it mid-run) ---------------
JAR=${JAR:-$ROOT/target/switchyard.jar}
if [[ ! -f $JAR && $JAR == "$ROOT/target/switchyard.jar" ]]; then
    log "building target/switchyard.jar"
    (cd "$ROOT" && timeout 300 mvn -B -q -o package -DskipTests)
fi
[[ -f $JAR ]] || { log "no jar at $JAR"; exit 2; }
for attempt in 1 2 3 4; do # a concurrent build may be rewriting it: copy until it is a whole zip
    cp "$JAR" "$WORK/switchyard.jar"
    timeout "$STEP" python3 -m zipfile -t "$WORK/switchyard.jar" >/dev/null 2>&1 && break
    (( attempt < 4 )) || { log "$JAR is not a valid jar"; exit 2; }
    sleep 10
done
JAR_INFO="$JAR, built $(date -u -r "$JAR" +%Y-%m-%dT%H:%M:%SZ), sha256 $(sha256sum "$JAR" | cut -c1-12)"

log "compiling Backend.java and LoadGen.java"
timeout "$STEP" javac -d "$WORK/classes" "$HERE/Backend.java" "$HERE/LoadGen.java"

for port in "$PROXY_PORT" "${B_PORTS[@]}" "$STATS_PORT"; do
    port_free "$port" || { log "127.0.0.1:$port is in use; set PORT_BASE"; exit 2; }
done

# --- one trial's pieces ---------------------------------------------------------------------
declare -a BACKEND_PIDS=()
PROXY_PID=

start_backends() { # start_backends DIR
    local dir=$1 i
    BACKEND_PIDS=()
    for i in 0 1 2; do
        # shellcheck disable=SC2086
        java $BACKEND_JVM -cp "$WORK/classes" Backend "${B_PORTS[$i]}" "b$((i + 1))" "$WORK_MS" \
            >"$dir/backend-b$((i + 1)).log" 2>&1 &
        BACKEND_PIDS+=($!)
        LIVE_PIDS+=($!)
        # Out of the job table: one of them dies by SIGKILL on purpose, and bash would print
        # a "Killed" notice for it. stop_pid still finds and stops them by PID.
        disown "$!"
    done
    for i in 0 1 2; do
        wait_http "http://127.0.0.1:${B_PORTS[$i]}/health" "${BACKEND_PIDS[$i]}" 20 \
            || { log "backend b$((i + 1)) did not start"; cat "$dir/backend-b$((i + 1)).log" >&2; return 1; }
    done
}

render() { # render TEMPLATE OUT DIR
    sed -e "s#@PROXY_PORT@#$PROXY_PORT#g; s#@STATS_PORT@#$STATS_PORT#g; s#@B1@#${B_PORTS[0]}#g" \
        -e "s#@B2@#${B_PORTS[1]}#g; s#@B3@#${B_PORTS[2]}#g; s#@WORK@#$3#g" "$1" >"$2"
}

start_proxy() { # start_proxy NAME DIR
    local name=$1 dir=$2
    case $name in
        switchyard)
            render "$HERE/switchyard.conf.in" "$dir/switchyard.conf" "$dir"
            # shellcheck disable=SC2086
            java $SY_JVM ${SY_JVM_LOG//@DIR@/$dir} -jar "$WORK/switchyard.jar" --config "$dir/switchyard.conf" \
                >"$dir/proxy.out" 2>"$dir/proxy.log" &
            PROXY_PID=$!; LIVE_PIDS+=($!)
            local ok=0
            for _ in $(seq 1 200); do
                grep -q "listener public bound to" "$dir/proxy.log" && { ok=1; break; }
                kill -0 "$PROXY_PID" 2>/dev/null || break
                sleep 0.1
            done
            [[ $ok == 1 ]] || { log "switchyard did not bind"; tail -n 20 "$dir/proxy.log" >&2; return 1; }
            ;;
        haproxy)
            render "$HERE/haproxy.cfg.in" "$dir/haproxy.cfg" "$dir"
            haproxy -db -f "$dir/haproxy.cfg" >"$dir/proxy.out" 2>"$dir/proxy.log" &
            PROXY_PID=$!; LIVE_PIDS+=($!)
            ;;
        nginx)
            render "$HERE/nginx.conf.in" "$dir/nginx.conf" "$dir"
            mkdir -p "$dir/nginx-tmp"
            nginx -p "$dir/" -c "$dir/nginx.conf" >"$dir/proxy.out" 2>"$dir/proxy.log" &
            PROXY_PID=$!; LIVE_PIDS+=($!)
            ;;
    esac
    wait_http "http://127.0.0.1:$PROXY_PORT/health" "$PROXY_PID" 20 \
        || { log "$name does not answer"; tail -n 20 "$dir/proxy.log" >&2; return 1; }
    # Every backend must be in rotation before the load starts (HAProxy and Switchyard probe
    # first): up to 10 s for 30 answers in a row to name all three.
    local seen
    for _ in $(seq 1 50); do
        seen=$(for _ in $(seq 1 30); do
                   curl -s -D - -o /dev/null --max-time 1 "http://127.0.0.1:$PROXY_PORT/" \
                       | tr -d '\r' | awk -F': ' 'tolower($1)=="x-backend"{print $2}'
               done | sort -u | tr '\n' ' ')
        [[ $seen == "b1 b2 b3 " ]] && return 0
        sleep 0.2
    done
    log "$name does not reach all three backends (saw: $seen)"
    return 1
}

stop_proxy() { # nginx: its workers are our grandchildren; stop the master, then any worker left
    local workers
    workers=$(ps -o pid= --ppid "$PROXY_PID" 2>/dev/null || true)
    stop_pid "$PROXY_PID"
    for w in $workers; do
        kill -0 "$w" 2>/dev/null && { sleep 1; kill -KILL "$w" 2>/dev/null || true; }
    done
    PROXY_PID=
}

stop_backends() {
    local pid
    for pid in "${BACKEND_PIDS[@]}"; do stop_pid "$pid"; done
    BACKEND_PIDS=()
}

poll_url() {
    case $1 in
        switchyard) echo "http://127.0.0.1:$STATS_PORT/status" ;;
        haproxy) echo "http://127.0.0.1:$STATS_PORT/stats;csv" ;;
        *) echo "" ;;
    esac
}

trial() { # trial PROXY ROUND
    local name=$1 round=$2 dir poll
    dir="$WORK/trials/$name-$round"
    mkdir -p "$dir"
    start_backends "$dir"
    start_proxy "$name" "$dir"
    poll=$(poll_url "$name")
    local args=(--url "http://127.0.0.1:$PROXY_PORT/" --rate "$RATE" --connections "$CONNECTIONS"
                --warmup "$WARMUP" --duration "$DURATION" --kill-pid "${BACKEND_PIDS[1]}"
                --kill-at "$KILL_AT" --watch-port "${B_PORTS[1]}" --out "$dir/requests.csv")
    [[ -n $poll ]] && args+=(--poll-url "$poll" --poll-ms "$POLL_MS" --poll-out "$dir/poll.txt")
    uptime >"$dir/load-before.txt"
    # shellcheck disable=SC2086
    timeout "$STEP" java $LOADGEN_JVM -cp "$WORK/classes" LoadGen "${args[@]}" 2>"$dir/loadgen.log" \
        || { log "loadgen failed"; cat "$dir/loadgen.log" >&2; return 1; }
    uptime >"$dir/load-after.txt"
    log "$name round $round: $(tail -n1 "$dir/loadgen.log")"
    stop_proxy
    stop_backends
    printf '%s\n' "$name" >"$dir/proxy"
    printf '%s\n' "$round" >"$dir/round"
}

capacity() { # capacity PROXY: saturation req/s with wrk (closed loop) into CAP_RPS
    local name=$1 dir="$WORK/capacity/$1"
    mkdir -p "$dir"
    start_backends "$dir"
    start_proxy "$name" "$dir"
    timeout 20 wrk -t2 -c"$CONNECTIONS" -d5s "http://127.0.0.1:$PROXY_PORT/" >/dev/null 2>&1 || true
    timeout 20 wrk -t2 -c"$CONNECTIONS" -d5s "http://127.0.0.1:$PROXY_PORT/" >"$dir/wrk.txt" 2>&1 || true
    stop_proxy
    stop_backends
    CAP_RPS=$(awk '/Requests\/sec/ {print $2}' "$dir/wrk.txt")
}

# --- run --------------------------------------------------------------------------------------
START=$(date +%s)
{
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cores=$(nproc)"
    echo "cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "mem=$(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
    echo "kernel=$(uname -r)"
    echo "java=$(java -version 2>&1 | head -n1)"
    echo "haproxy=$(haproxy -v | head -n1)"
    echo "nginx=$(nginx -v 2>&1)"
    echo "wrk=$(wrk -v 2>&1 | head -n1)"
    echo "jar=$JAR_INFO"
    echo "git=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "rounds=$ROUNDS rate=$RATE connections=$CONNECTIONS warmup=$WARMUP duration=$DURATION"
    echo "kill_at=$KILL_AT work_ms=$WORK_MS ports=$PROXY_PORT,${B_PORTS[*]},$STATS_PORT"
    echo "victim=$VICTIM"
    echo "victim_addr=127.0.0.1:${B_PORTS[1]}"
    echo "sy_jvm=$SY_JVM"
    echo "backend_jvm=$BACKEND_JVM"
} >"$WORK/meta.txt"

if [[ $CAPACITY == 1 ]]; then
    for p in $PROXIES; do
        CAP_RPS=
        capacity "$p"
        log "capacity $p: ${CAP_RPS:-?} req/s (wrk -c$CONNECTIONS, backends sleep $WORK_MS ms)"
        echo "capacity_$p=${CAP_RPS:-?}" >>"$WORK/meta.txt"
    done
fi

for round in $(seq 1 "$ROUNDS"); do
    for p in $PROXIES; do
        trial "$p" "$round"
    done
done
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/meta.txt"
echo "elapsed_s=$(( $(date +%s) - START ))" >>"$WORK/meta.txt"

RESULT=${RESULT:-$ROOT/bench/results/failover-$(date -u +%Y-%m-%d).md}
mkdir -p "$(dirname "$RESULT")"
timeout "$STEP" python3 "$HERE/analyze.py" "$WORK" >"$RESULT.tmp"
mv "$RESULT.tmp" "$RESULT"
cat "$RESULT"
log "results written to $RESULT (work dir: $WORK)"
