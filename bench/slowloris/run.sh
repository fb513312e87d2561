#!/usr/bin/env bash
# Slowloris benchmark (issue 6.2): 1,000 connections that each send one byte a second, against
# Switchyard, HAProxy and nginx as plain reverse proxies to one nginx backend answering from
# memory, while a normal client's latency is measured. Two variants: slow request heads, and
# slow chunked upload bodies after a complete head. Loopback only; bounded in time.
#
#   bench/slowloris/run.sh     # ~10 min on 2 cores; writes bench/results/slowloris-<UTC date>.md
#
# Per variant and proxy (interleaved: each variant runs the three proxies in turn, ROUNDS times),
# a fresh proxy is started; Slowloris.java then runs WARMUP s of the normal client alone (not
# recorded), QUIET s of it alone (recorded: the proxy's own baseline), then opens SLOW slow
# connections and goes on for DURATION s (recorded). A slow connection the proxy cuts is noted
# and replaced, so the attack stays at SLOW connections throughout.
#
# Environment: SLOW (1000), RATE (100 GET/s), CONNECTIONS (4), WARMUP (5), QUIET (10),
# DURATION (75: longer than nginx's 60 s default timeouts), ROUNDS (1), TARGETS
# ("switchyard haproxy nginx"), MODES ("head body"), PORT_BASE (19480: backend; +1, +2, +3 the
# proxies), JAR (target/switchyard.jar, built if missing; always copied first), SY_JAVA_OPTS
# (flags added after the launcher's own: Switchyard runs through bin/switchyard, as an operator runs it),
# RESULT_DIR (bench/results), TAG (slowloris-<UTC date>), TOTAL_TIMEOUT s (1500), KEEP=1 keeps
# the work dir (always kept when the run fails). Starts and stops only its own processes, by PID.
set -euo pipefail

TOTAL_TIMEOUT=${TOTAL_TIMEOUT:-1500}
if [[ -z ${SWITCHYARD_SLOWLORIS_INNER:-} ]]; then
    export SWITCHYARD_SLOWLORIS_INNER=1
    exec timeout --kill-after=20 "$TOTAL_TIMEOUT" "${BASH_SOURCE[0]}" "$@"
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

SLOW=${SLOW:-1000}
RATE=${RATE:-100}
CONNECTIONS=${CONNECTIONS:-4}
WARMUP=${WARMUP:-5}
QUIET=${QUIET:-10}
DURATION=${DURATION:-75}
ROUNDS=${ROUNDS:-1}
TARGETS=${TARGETS:-switchyard haproxy nginx}
MODES=${MODES:-head body}
PORT_BASE=${PORT_BASE:-19480}
BACKEND_PORT=$PORT_BASE
declare -A PORT=([switchyard]=$((PORT_BASE + 1)) [haproxy]=$((PORT_BASE + 2)) [nginx]=$((PORT_BASE + 3)))
SY_JAVA_OPTS=${SY_JAVA_OPTS:-}
RESULT_DIR=${RESULT_DIR:-$ROOT/bench/results}
TAG=${TAG:-slowloris-$(date -u +%Y-%m-%d)}
REPORT=$RESULT_DIR/$TAG.md

WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-slowloris.XXXXXX")
declare -a LIVE_PIDS=()

log() { printf '[slowloris %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

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
# No wrk: the normal client must be open-loop at a fixed rate and the slow connections need a
# byte-a-second writer, so both are in Slowloris.java.
export PATH="$PATH:/usr/sbin"
missing=()
for t in nginx haproxy; do command -v "$t" >/dev/null || missing+=("$t"); done
if (( ${#missing[@]} )); then
    log "installing ${missing[*]} (apt-get)"
    timeout 300 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${missing[@]}" >"$WORK/apt.log"
fi
for tool in java curl nginx haproxy timeout; do
    command -v "$tool" >/dev/null || { log "missing $tool"; exit 2; }
done
# The client holds SLOW sockets, each proxy as many again (plus backend ones for slow bodies).
ulimit -n 20000 2>/dev/null || true
(( $(ulimit -n) >= 3 * SLOW + 500 )) || { log "open-files limit $(ulimit -n) is too low for SLOW=$SLOW"; exit 2; }

# --- the jar (a private copy) ----------------------------------------------------------------
JAR=${JAR:-$ROOT/target/switchyard.jar}
if [[ ! -f $JAR && $JAR == "$ROOT/target/switchyard.jar" ]]; then
    log "building target/switchyard.jar"
    (cd "$ROOT" && timeout 300 mvn -B -q -o package -DskipTests)
fi
[[ -f $JAR ]] || { log "no jar at $JAR"; exit 2; }
cp "$JAR" "$WORK/switchyard.jar"
# The client, compiled once so its JIT warm-up is not javac's.
mkdir -p "$WORK/client"
javac -d "$WORK/client" "$HERE/Slowloris.java"

for p in "$BACKEND_PORT" "${PORT[@]}"; do
    port_free "$p" || { log "127.0.0.1:$p is in use; set PORT_BASE"; exit 2; }
done

mkdir -p "$RESULT_DIR" "$WORK"/tmp-b "$WORK"/tmp-p
META=$WORK/meta.txt
{
    echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "- machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), Linux $(uname -r)"
    echo "- $(java -version 2>&1 | head -1), $(nginx -v 2>&1), $(haproxy -v | head -1 | cut -d' ' -f1-3)"
    echo "- jar: $JAR built $(date -u -r "$JAR" +%Y-%m-%dT%H:%M:%SZ), git HEAD $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "- Switchyard: bin/switchyard (the launcher's JVM flags) plus \`$SY_JAVA_OPTS\`"
    echo "- slow connections $SLOW, normal client $RATE GET/s over $CONNECTIONS keep-alive connections, warm-up ${WARMUP}s, quiet ${QUIET}s, attack ${DURATION}s, rounds $ROUNDS"
    echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$META"

# --- the backend ------------------------------------------------------------------------------
SMALL=$(printf 'x%.0s' $(seq 1 100))       # the /small body: 100 bytes
chmod 755 "$WORK"                          # nginx workers run as another user when root
fill() { # fill TEMPLATE OUT PORT
    sed -e "s|@WORK@|$WORK|g" -e "s|@BACKEND_PORT@|$BACKEND_PORT|g" -e "s|@PORT@|$3|g" \
        -e "s|@SMALL@|$SMALL|g" "$1" >"$2"
}
fill "$HERE/backend.nginx.conf.in" "$WORK/backend.conf" "$BACKEND_PORT"
nginx -p "$WORK/" -e "$WORK/backend-error.log" -c "$WORK/backend.conf" >"$WORK/backend.out" 2>&1 &
LIVE_PIDS+=("$!")
wait_http "http://127.0.0.1:$BACKEND_PORT/small" "$!" 20 || { log "backend did not start"; exit 1; }
[[ $(curl -s "http://127.0.0.1:$BACKEND_PORT/small" | wc -c) == 100 ]] || { log "small body is not 100 B"; exit 1; }
[[ $(curl -s --data-binary @"$WORK/backend.conf" "http://127.0.0.1:$BACKEND_PORT/upload" | wc -c) == 100 ]] \
    || { log "/upload does not answer after the body"; exit 1; }

# --- proxies ----------------------------------------------------------------------------------
start_proxy() { # start_proxy TARGET TAG -> PROXY_PID
    local target=$1 tag=$2 port=${PORT[$1]}
    case $target in
        switchyard)
            fill "$HERE/switchyard.conf.in" "$WORK/$tag.conf" "$port"
            SWITCHYARD_JAR="$WORK/switchyard.jar" SWITCHYARD_JAVA_OPTS="$SY_JAVA_OPTS" \
                "$ROOT/bin/switchyard" --config "$WORK/$tag.conf" >"$WORK/$tag.log" 2>&1 &
            ;;
        haproxy)
            fill "$HERE/haproxy.cfg.in" "$WORK/$tag.cfg" "$port"
            haproxy -db -f "$WORK/$tag.cfg" >"$WORK/$tag.log" 2>&1 &
            ;;
        nginx)
            fill "$HERE/proxy.nginx.conf.in" "$WORK/$tag.conf" "$port"
            nginx -p "$WORK/" -e "$WORK/proxy-nginx-error.log" -c "$WORK/$tag.conf" >"$WORK/$tag.log" 2>&1 &
            ;;
    esac
    PROXY_PID=$!; LIVE_PIDS+=("$PROXY_PID")
    wait_http "http://127.0.0.1:$port/small" "$PROXY_PID" 60 \
        || { log "$target did not start"; tail -20 "$WORK/$tag.log" >&2; return 1; }
}

RAW=$WORK/raw.txt
: >"$RAW"
for round in $(seq 1 "$ROUNDS"); do
    for mode in $MODES; do
        for target in $TARGETS; do
            tag=$target-$mode-r$round
            log "$tag: start"
            start_proxy "$target" "$tag"
            out=$WORK/$tag.out
            timeout $((WARMUP + QUIET + DURATION + 120)) java -Xms128m -Xmx128m -cp "$WORK/client" Slowloris \
                --port "${PORT[$target]}" --mode "$mode" --slow "$SLOW" --warmup "$WARMUP" --quiet "$QUIET" \
                --duration "$DURATION" --rate "$RATE" --connections "$CONNECTIONS" >"$out" 2>"$WORK/$tag.err" \
                || log "$tag: client exited $?"
            alive=yes; kill -0 "$PROXY_PID" 2>/dev/null || alive=no
            stop_pid "$PROXY_PID"
            { echo "tag=$tag"; echo "target=$target"; echo "mode=$mode"; echo "round=$round"; echo "proxy_alive=$alive"
              cat "$out"; echo; } >>"$RAW"
            log "$tag: $(grep -E '^(quiet_ms|attack_ms|attack_errors|slow_cut|slow_first_cut_s)=' "$out" | tr '\n' ' ')"
        done
    done
done
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$META"

# --- the report -------------------------------------------------------------------------------
{
    echo "# Slowloris benchmark, $(date -u +%Y-%m-%d)"
    echo
    echo "Produced by \`bench/slowloris/run.sh\`; how to read it: bench/README.md, \"Slowloris\"."
    echo
    cat "$META"
    echo
    echo "Latency in ms as p50 / p99 / p99.9 / max, from each request's due time (open-loop); \"after its first 5 s\""
    echo "leaves out the requests due while the slow connections arrive (p50 / p99 / p99.9)."
    echo "\"Cut\": slow connections the proxy closed during the attack (each was replaced at once);"
    echo "\"lifetime\": min / median / max seconds from a cut connection's open to its close."
    echo
    echo "| Variant | Proxy | Round | Quiet latency | Errors | Latency under attack | Same, after its first 5 s | Seconds with a request > 50 ms | Errors | Slow opened | Cut | First cut (s) | Lifetime of cut (s) | How cut | First $SLOW still open at end | Proxy alive |"
    echo "|---|---|---|---|---:|---|---|---:|---:|---:|---:|---:|---|---|---:|---|"
    awk -v RS= -F'\n' '{
        delete v
        for (i = 1; i <= NF; i++) { split($i, kv, "="); k = kv[1]; sub(/^[^=]*=/, "", $i); v[k] = $i }
        first = (v["slow_first_cut_s"] == "-1.0") ? "-" : v["slow_first_cut_s"]
        gsub(/\//, " / ", v["quiet_ms"]); gsub(/\//, " / ", v["attack_ms"]); gsub(/\//, " / ", v["attack_settled_ms"]); gsub(/\//, " / ", v["slow_lifetime_s"])
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
            v["mode"], v["target"], v["round"], v["quiet_ms"], v["quiet_errors"], v["attack_ms"], v["attack_settled_ms"],
            v["attack_seconds_over_50ms"], v["attack_errors"],
            v["slow_opened"], v["slow_cut"], first, v["slow_lifetime_s"], v["slow_cut_kinds"],
            v["slow_first_still_open"], v["proxy_alive"]
    }' "$RAW"
    echo
    echo "Slowest request due in each second of the attack (ms), per run:"
    echo
    awk -F= '/^tag=/ {tag = $2} /^attack_per_second_max_ms=/ {print "    " tag ": " $2}' "$RAW"
    echo
    echo "First errors seen by the normal client, where there were any:"
    echo
    awk -F= '/^tag=/ {tag = $2} /^(quiet_first_errors|attack_first_errors|slow_failure)=/ && $0 !~ /=-$/ {print "    " tag ": " $0; n++}
             END {if (!n) print "    none"}' "$RAW"
} >"$REPORT"
log "report: $REPORT"
cat "$REPORT"
