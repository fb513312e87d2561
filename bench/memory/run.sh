#!/usr/bin/env bash
# Memory benchmark: 1 GiB downloads and uploads through Switchyard running with a 64 MiB heap,
# bytes checked end to end with sha256, proxy RSS sampled every 0.5 s.
#
#   bench/memory/run.sh            (from any directory; builds target/switchyard.jar if missing)
#
# Everything listens on 127.0.0.1 only. The script starts a Python backend, the proxy and an
# RSS sampler, and stops exactly those (by PID) on exit. Exit status 0 only if every transfer
# arrived with the right length and sha256, the proxy is still alive and serving, and its log
# has no OutOfMemoryError.
#
# Knobs (environment): BYTES (default 1073741824), PROXY_PORT (18080), BACKEND_PORT (18081),
# STEP_TIMEOUT seconds per transfer (120), TOTAL_TIMEOUT seconds for the whole run (570),
# JVM_FLAGS (default below), JAR (default target/switchyard.jar, built if missing),
# DIRECT=0 to skip the no-proxy baseline, KEEP=1 to keep the work dir.
set -euo pipefail

TOTAL_TIMEOUT=${TOTAL_TIMEOUT:-570}
if [[ -z ${SWITCHYARD_MEMBENCH_INNER:-} ]]; then
    # Whole-run bound: TERM reaches this script, whose trap stops what it started.
    export SWITCHYARD_MEMBENCH_INNER=1
    exec timeout --kill-after=20 "$TOTAL_TIMEOUT" "${BASH_SOURCE[0]}" "$@"
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BACKEND="$HERE/backend.py"

BYTES=${BYTES:-1073741824}
PROXY_PORT=${PROXY_PORT:-18080}
BACKEND_PORT=${BACKEND_PORT:-18081}
STEP_TIMEOUT=${STEP_TIMEOUT:-120}
DIRECT=${DIRECT:-1}
JVM_FLAGS=${JVM_FLAGS:--Xms64m -Xmx64m -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-membench.XXXXXX")
BACKEND_PID= PROXY_PID= SAMPLER_PID= JSTAT_PID=

log() { printf '[membench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }

stop_pid() { # stop_pid PID: TERM, up to 10 s grace, then KILL; only PIDs this script started
    local pid=$1
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$SAMPLER_PID"; stop_pid "$JSTAT_PID"
    stop_pid "$PROXY_PID"; stop_pid "$BACKEND_PID"
    if [[ ${KEEP:-0} == 1 || $rc -ne 0 ]]; then
        log "logs kept in $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

port_free() { python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

# --- the jar (a private copy, so a concurrent `mvn clean` cannot pull it away) ---------------
JAR=${JAR:-$ROOT/target/switchyard.jar}
if [[ ! -f $JAR && $JAR == "$ROOT/target/switchyard.jar" ]]; then
    log "building target/switchyard.jar"
    (cd "$ROOT" && { timeout 300 mvn -B -q -o package -DskipTests \
                     || timeout 300 mvn -B -q package -DskipTests; })
fi
[[ -f $JAR ]] || { log "no jar at $JAR"; exit 2; }
cp "$JAR" "$WORK/switchyard.jar"
JAR_INFO="$JAR, built $(date -u -r "$JAR" +%Y-%m-%dT%H:%M:%SZ)"

for port in "$PROXY_PORT" "$BACKEND_PORT"; do
    port_free "$port" || { log "127.0.0.1:$port is in use; set PROXY_PORT/BACKEND_PORT"; exit 2; }
done

# --- backend --------------------------------------------------------------------------------
python3 "$BACKEND" serve --host 127.0.0.1 --port "$BACKEND_PORT" 2>"$WORK/backend.log" &
BACKEND_PID=$!
for _ in $(seq 1 50); do
    curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$BACKEND_PORT/health" && break
    kill -0 "$BACKEND_PID" 2>/dev/null || { log "backend died:"; cat "$WORK/backend.log" >&2; exit 1; }
    sleep 0.2
done
curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$BACKEND_PORT/health" \
    || { log "backend not ready"; exit 1; }

# --- proxy ----------------------------------------------------------------------------------
cat >"$WORK/switchyard.conf" <<EOF
switchyard {
  threads = 2
  listeners = [ { name = public, bind = "127.0.0.1:$PROXY_PORT" } ]
  routes = [ { path-prefix = "/", pool = big } ]
  pools { big { servers = [ { address = "127.0.0.1:$BACKEND_PORT" } ] } }
  timeouts { upstream-response = 120s }
}
EOF
# shellcheck disable=SC2086  # JVM_FLAGS is a list of flags
java $JVM_FLAGS -jar "$WORK/switchyard.jar" --config "$WORK/switchyard.conf" \
    >"$WORK/proxy.out" 2>"$WORK/proxy.log" &
PROXY_PID=$!
for _ in $(seq 1 150); do
    grep -q "listener public bound to 127.0.0.1:$PROXY_PORT" "$WORK/proxy.log" && break
    kill -0 "$PROXY_PID" 2>/dev/null || { log "proxy died:"; cat "$WORK/proxy.log" >&2; exit 1; }
    sleep 0.2
done
grep -q "listener public bound to 127.0.0.1:$PROXY_PORT" "$WORK/proxy.log" \
    || { log "proxy did not bind:"; tail -n 20 "$WORK/proxy.log" >&2; exit 1; }
log "proxy pid $PROXY_PID ($JVM_FLAGS), backend pid $BACKEND_PID, work dir $WORK"

# --- samplers: RSS every 0.5 s (and heap occupancy, if jstat is there) -----------------------
(
    while kill -0 "$PROXY_PID" 2>/dev/null; do
        rss=$(ps -o rss= -p "$PROXY_PID" 2>/dev/null) || break
        printf '%s %s\n' "$(date +%s.%N)" "${rss//[[:space:]]/}"
        sleep 0.5
    done
) >"$WORK/rss.txt" &
SAMPLER_PID=$!
if command -v jstat >/dev/null; then
    jstat -gc "$PROXY_PID" 500 >"$WORK/jstat.txt" 2>/dev/null &
    JSTAT_PID=$!
fi
sleep 1
RSS_IDLE=$(ps -o rss= -p "$PROXY_PID" | tr -d '[:space:]')

log "sha256 of the ${BYTES}-byte stream (computed locally, same generator)"
EXPECTED=$(timeout 180 python3 "$BACKEND" sha256 "$BYTES")

# --- transfers ------------------------------------------------------------------------------
# Each appends "name|via|bytes|match|seconds|start|end|note" to $WORK/results.
: >"$WORK/results"
ALL_OK=1

record() { # record NAME VIA GOT_BYTES GOT_SHA HTTP_CODE T0 T1 NOTE
    local name=$1 via=$2 got=$3 sha=$4 code=$5 t0=$6 t1=$7 note=$8 match=no
    [[ $code == 200 && $got == "$BYTES" && $sha == "$EXPECTED" ]] && match=yes
    [[ $match == yes ]] || { ALL_OK=0; note="$note; http=$code bytes=$got sha=${sha:-none}"; }
    printf '%s|%s|%s|%s|%s|%s|%s|%s\n' "$name" "$via" "$got" "$match" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')" "$t0" "$t1" "$note" >>"$WORK/results"
    log "$name via $via: match=$match $(tail -n1 "$WORK/results" | cut -d'|' -f5)s $note"
}

download() { # download NAME PORT VIA
    local name=$1 port=$2 via=$3 t0 t1 sha code=000 got=0
    log "$name via $via"
    t0=$(now)
    if sha=$(timeout "$STEP_TIMEOUT" curl -sS -w '%{stderr}%{http_code} %{size_download}\n' \
                "http://127.0.0.1:$port/download?bytes=$BYTES" 2>"$WORK/$name-$via.err" \
             | sha256sum | cut -d' ' -f1); then :; else sha=; fi
    t1=$(now)
    read -r code got < <(tail -n1 "$WORK/$name-$via.err") || true
    record "$name" "$via" "${got:-0}" "$sha" "${code:-000}" "$t0" "$t1" "GET, Content-Length response"
}

upload() { # upload NAME PORT VIA FRAMING(chunked|content-length)
    local name=$1 port=$2 via=$3 framing=$4 t0 t1 body code=000 got=0 sha= seen=
    local -a hdr=(-H 'Content-Type: application/octet-stream')
    [[ $framing == content-length ]] && hdr+=(-H "Content-Length: $BYTES" -H 'Transfer-Encoding:')
    log "$name via $via"
    t0=$(now)
    if timeout "$STEP_TIMEOUT" python3 "$BACKEND" emit "$BYTES" \
        | timeout "$STEP_TIMEOUT" curl -sS -X POST -T - "${hdr[@]}" -D "$WORK/$name-$via.hdr" \
            -o "$WORK/$name-$via.body" -w '%{http_code}' "http://127.0.0.1:$port/upload" \
            >"$WORK/$name-$via.code" 2>"$WORK/$name-$via.err"; then :; fi
    t1=$(now)
    code=$(cat "$WORK/$name-$via.code" 2>/dev/null || true)
    read -r got sha 2>/dev/null <"$WORK/$name-$via.body" || true
    seen=$(tr -d '\r' <"$WORK/$name-$via.hdr" 2>/dev/null | awk -F': ' 'tolower($1)=="x-upload-framing"{print $2}')
    record "$name" "$via" "${got:-0}" "${sha:-}" "${code:-000}" "$t0" "$t1" \
        "POST, client sent $framing, backend saw ${seen:-?}"
}

if [[ $DIRECT == 1 ]]; then
    download download "$BACKEND_PORT" direct
    upload upload-chunked "$BACKEND_PORT" direct chunked
fi
download download "$PROXY_PORT" proxy
upload upload-chunked "$PROXY_PORT" proxy chunked
upload upload-content-length "$PROXY_PORT" proxy content-length

sleep 1
# --- after: is the proxy alive and still serving? any OOM? -----------------------------------
ALIVE=no SERVES=no
kill -0 "$PROXY_PID" 2>/dev/null && ALIVE=yes
small=$(timeout 10 curl -sS "http://127.0.0.1:$PROXY_PORT/download?bytes=4096" 2>/dev/null | sha256sum | cut -d' ' -f1) || true
[[ $small == "$(python3 "$BACKEND" sha256 4096)" ]] && SERVES=yes
RSS_END=$(ps -o rss= -p "$PROXY_PID" 2>/dev/null | tr -d '[:space:]') || RSS_END=
OOM=$(cat "$WORK/proxy.log" "$WORK/proxy.out" | grep -c -E 'OutOfMemoryError|OutOfDirectMemoryError' || true)
LEAKS=$(grep -c 'LEAK:' "$WORK/proxy.log" || true)
ERRORS=$(grep -c -E ' (ERROR|WARN) ' "$WORK/proxy.log" || true)
[[ $ALIVE == yes && $SERVES == yes && $OOM == 0 ]] || ALL_OK=0

stop_pid "$SAMPLER_PID"; SAMPLER_PID=
stop_pid "$JSTAT_PID"; JSTAT_PID=

# --- summary --------------------------------------------------------------------------------
peak_between() { # peak RSS (KiB) sampled in [t0, t1]
    awk -v a="$1" -v b="$2" '$1>=a && $1<=b+0.5 && $2>m {m=$2} END{print m+0}' "$WORK/rss.txt"
}
mib() { awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }

echo
echo "Switchyard memory benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) cores"
echo "proxy JVM: $JVM_FLAGS  ($(java -version 2>&1 | head -n1))"
echo "proxy jar: $JAR_INFO"
echo "payload:   $BYTES bytes, expected sha256 $EXPECTED"
echo
printf '%-23s %-7s %11s %7s %8s %8s %14s  %s\n' transfer via bytes sha256 seconds 'MB/s' 'proxy peak RSS' notes
while IFS='|' read -r name via got match secs t0 t1 note; do
    if [[ $via == proxy ]]; then peak="$(mib "$(peak_between "$t0" "$t1")") MiB"; else peak=-; fi
    printf '%-23s %-7s %11s %7s %8s %8s %14s  %s\n' "$name" "$via" "$got" "$match" "$secs" \
        "$(awk -v n="$got" -v s="$secs" 'BEGIN{ if (s>0) printf "%.1f", n/1e6/s; else print "-" }')" \
        "$peak" "$note"
done <"$WORK/results"
echo
echo "MB/s = 10^6 bytes per second, wall clock of the whole curl (client, proxy, backend and the"
echo "Python generator/hasher all share the $(nproc) cores)."
PEAK_ALL=$(awk '$2>m {m=$2} END{print m+0}' "$WORK/rss.txt")
echo "proxy RSS: idle $(mib "$RSS_IDLE") MiB before the transfers, peak $(mib "$PEAK_ALL") MiB" \
     "($(wc -l <"$WORK/rss.txt") samples at 0.5 s), $(mib "${RSS_END:-0}") MiB at the end"
if [[ -s $WORK/jstat.txt ]]; then
    awk 'NR==1 {for (i=1;i<=NF;i++) c[$i]=i; next}
         $1 ~ /^[0-9.]+$/ { h=$c["S0U"]+$c["S1U"]+$c["EU"]+$c["OU"]; if (h>mh) mh=h;
                            if ($c["OU"]>mo) mo=$c["OU"]; last=$0; ygc=$c["YGC"]; fgc=$c["FGC"]; ou=$c["OU"] }
         END { printf "proxy heap (jstat): max used %.1f MiB, max old gen %.1f MiB, old gen at end %.1f MiB, %d young + %d full GCs\n",
               mh/1024, mo/1024, ou/1024, ygc, fgc }' "$WORK/jstat.txt"
fi
echo "proxy alive after: $ALIVE; still serves (4 KiB download intact): $SERVES"
echo "proxy log: $OOM OutOfMemoryError, $LEAKS Netty LEAK, $ERRORS WARN/ERROR lines"
if [[ $ERRORS != 0 || $OOM != 0 || $LEAKS != 0 || $ALL_OK != 1 ]]; then
    echo "--- proxy log tail ---"; tail -n 20 "$WORK/proxy.log"
fi
echo
if [[ $ALL_OK == 1 ]]; then
    echo "RESULT: PASS"
else
    echo "RESULT: FAIL (logs in $WORK)"
    KEEP=1
    exit 1
fi
