#!/usr/bin/env bash
# Smuggling vectors against Switchyard, HAProxy and nginx, each a plain reverse proxy in front
# of the same RecordingBackend (strict parser, one log line per message it got). Writes
# bench/results/smuggling-DATE.md: per vector and proxy, the status returned and what the
# backend received. Everything on 127.0.0.1; the whole run is capped by `timeout`.
# PORT_BASE (19380: backend; +1 Switchyard, +2 HAProxy, +3 nginx), KEEP=1 keeps the work dir,
# SKIP_BUILD=1 uses target/ as it is (package compiles the test classes too, with -DskipTests).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PORT_BASE=${PORT_BASE:-19380}
BACKEND=$PORT_BASE SY=$((PORT_BASE + 1)) HA=$((PORT_BASE + 2)) NG=$((PORT_BASE + 3))
OUT="$ROOT/bench/results/smuggling-$(date -u +%Y-%m-%d).md"
WORK="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [[ "${KEEP:-0}" == 1 ]] && echo "work dir: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

missing=()
command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
if [[ ${#missing[@]} -gt 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"

cd "$ROOT"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    mvn -B -o -q package -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true
fi
# Copies: a concurrent `mvn clean` must not pull the jar or the backend from under the run.
cp target/switchyard.jar "$WORK/switchyard.jar"
cp -r target/test-classes "$WORK/test-classes"

java -cp "$WORK/test-classes" dev.switchyard.testkit.RecordingBackend "$BACKEND" >"$WORK/backend.log" 2>&1 &
pids+=($!)

cat >"$WORK/switchyard.conf" <<CONF
switchyard {
  threads = 2
  listeners = [ { name = public, bind = "127.0.0.1:$SY" } ]
  routes = [ { path-prefix = "/", pool = web } ]
  pools { web { servers = [ { address = "127.0.0.1:$BACKEND" } ] } }
}
CONF
java -jar "$WORK/switchyard.jar" --config "$WORK/switchyard.conf" >"$WORK/switchyard.log" 2>&1 &
pids+=($!)

cat >"$WORK/haproxy.cfg" <<CONF
global
    nbthread 2
defaults
    mode http
    timeout connect 2s
    timeout server 10s
    timeout client 10s
    timeout http-request 5s
frontend public
    bind 127.0.0.1:$HA
    default_backend web
backend web
    server b1 127.0.0.1:$BACKEND
CONF
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
pids+=($!)

mkdir -p "$WORK/nginx-tmp"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx-tmp/body;
    proxy_temp_path $WORK/nginx-tmp/proxy;
    fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
    scgi_temp_path $WORK/nginx-tmp/scgi;
    upstream web { server 127.0.0.1:$BACKEND; keepalive 8; }
    server {
        listen 127.0.0.1:$NG;
        location / {
            proxy_pass http://web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
CONF
nginx -p "$WORK/" -c "$WORK/nginx.conf" >"$WORK/nginx.log" 2>&1 &
pids+=($!)

for port in $BACKEND $SY $HA $NG; do
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
done

{
    echo "# Smuggling vectors: Switchyard, HAProxy, nginx ($(date -u +%Y-%m-%d))"
    echo
    echo "Produced by \`bench/smuggling/run.sh\`. Each proxy is a plain reverse proxy in front of the same"
    echo "RecordingBackend (src/test/java/dev/switchyard/testkit), whose strict parser logs every message it"
    echo "gets with its framing (\`none\`, \`length N\`, \`chunked N\` = body bytes), a \`violation\` when it"
    echo "could not parse what the proxy sent strictly, or \`truncated\` when the proxy gave up mid-message."
    echo "Status: the status line(s) returned, or \`closed\`/\`timeout\` (nothing within 1.5 s)/\`reset\`."
    echo
    echo "Versions: switchyard $(git rev-parse --short HEAD); $(haproxy -v | head -n1 | cut -d' ' -f1-3); $(nginx -v 2>&1)"
    echo
} >"$OUT"
timeout 600 python3 "$HERE/vectors.py" "$WORK/table.md" "$WORK/backend.log" \
    "switchyard=$SY" "haproxy=$HA" "nginx=$NG"
cat "$WORK/table.md" >>"$OUT"
echo "wrote $OUT"
