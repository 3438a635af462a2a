#!/usr/bin/env bash
# Gateway throughput and added latency against nginx (round robin) in front of the same fast
# backends, measured in one run on this machine. Needs the Debian packages nginx, wrk and hey.
#
#   bench/gateway-vs-nginx.sh [duration-secs]
#
# Backends: two nginx servers answering every POST with a fixed small JSON body (so the proxies,
# not the backends, are what is measured). Proxies: nginx (upstream round robin, keepalive) and
# radixgate with round_robin and with cache_aware. Load: wrk, 64 connections, small
# non-streaming /v1/completions bodies (a 4 KB prompt for the cache_aware run), then hey at
# half of each proxy's measured maximum for latency percentiles; "added" latency is the proxied
# percentile minus the direct-to-backend one at the same rate.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DUR="${1:-10}"
for tool in nginx wrk hey; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install nginx wrk hey)"; exit 1; }
done
WORK="$(mktemp -d)"
cleanup() {
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  [ -n "${GW_PID:-}" ] && kill "$GW_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/body;
  proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fcgi; uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  client_max_body_size 16m;
  client_body_buffer_size 64k;
  server { listen 127.0.0.1:18001; location / { default_type application/json; return 200 '{"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":"ok","finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}'; } location = /v1/models { default_type application/json; return 200 '{"object":"list","data":[{"id":"m","object":"model"}]}'; } }
  server { listen 127.0.0.1:18002; location / { default_type application/json; return 200 '{"id":"cmpl-2","object":"text_completion","choices":[{"index":0,"text":"ok","finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}'; } location = /v1/models { default_type application/json; return 200 '{"object":"list","data":[{"id":"m","object":"model"}]}'; } }
  upstream backends { server 127.0.0.1:18001; server 127.0.0.1:18002; keepalive 128; }
  server { listen 127.0.0.1:18080; location / { proxy_pass http://backends; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; } }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK"

SMALL='{"model":"m","prompt":"Say hello to the benchmark.","max_tokens":16}'
PROMPT4K=$(head -c 3000 /dev/urandom | base64 -w0 | head -c 4096)
LARGE="{\"model\":\"m\",\"prompt\":\"$PROMPT4K\",\"max_tokens\":16}"
printf '%s' "$SMALL" > "$WORK/small.json"
printf '%s' "$LARGE" > "$WORK/large.json"
lua() { # wrk script posting the given body file
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal f = io.open("%s"); wrk.body = f:read("*a"); f:close()\n' "$1" > "$WORK/post.lua"
}
rps() { # url bodyfile -> requests/s
  lua "$2"
  wrk -t2 -c64 -d"${DUR}s" -s "$WORK/post.lua" "$1/v1/completions" | awk '/Requests\/sec/ {print $2}'
}
latency() { # url bodyfile rate -> "p50 p99" in ms, at a fixed total rate (hey: 16 workers × rate/16)
  local q=$(( ($3 + 15) / 16 ))
  hey -z "${DUR}s" -c 16 -q "$q" -m POST -T application/json -D "$2" "$1/v1/completions" \
    | awk '/50% in/ {p50=$3*1000} /99% in/ {p99=$3*1000} END {printf "%.3f %.3f", p50, p99}'
}
start_gateway() {
  "$ROOT/radixgate" gateway --port 18090 --policy "$1" --worker-urls http://127.0.0.1:18001 http://127.0.0.1:18002 \
    --health-check-interval-secs 5 --disable-retries > "$WORK/gw.log" 2>&1 &
  GW_PID=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18090/readiness >/dev/null && break; sleep 0.1; done
  wrk -t2 -c64 -d3s -s "$WORK/post.lua" http://127.0.0.1:18090/v1/completions >/dev/null   # JIT warm-up
}
stop_gateway() { kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; GW_PID=; }

"$ROOT/radixgate" build >/dev/null 2>&1 || "$ROOT/radixgate" build
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); duration ${DUR}s per run"
lua "$WORK/small.json"
NGINX_RPS=$(rps http://127.0.0.1:18080 "$WORK/small.json")
NGINX_RPS_4K=$(rps http://127.0.0.1:18080 "$WORK/large.json")
start_gateway round_robin
RR_RPS=$(rps http://127.0.0.1:18090 "$WORK/small.json")
stop_gateway
start_gateway cache_aware
CA_RPS=$(rps http://127.0.0.1:18090 "$WORK/large.json")
HALF=$(awk -v a="$RR_RPS" 'BEGIN {printf "%d", a/2}')
DIRECT=$(latency http://127.0.0.1:18001 "$WORK/large.json" "$HALF")
VIA_CA=$(latency http://127.0.0.1:18090 "$WORK/large.json" "$HALF")
stop_gateway
VIA_NGINX=$(latency http://127.0.0.1:18080 "$WORK/large.json" "$HALF")

printf '\n| proxy | body | requests/s | ratio to nginx |\n|---|---|---|---|\n'
printf '| nginx round robin | small | %s | 1.00 |\n' "$NGINX_RPS"
printf '| radixgate round_robin | small | %s | %.2f |\n' "$RR_RPS" "$(awk -v a="$RR_RPS" -v b="$NGINX_RPS" 'BEGIN {print a/b}')"
printf '| nginx round robin | 4 KB prompt | %s | 1.00 |\n' "$NGINX_RPS_4K"
printf '| radixgate cache_aware | 4 KB prompt | %s | %.2f |\n' "$CA_RPS" "$(awk -v a="$CA_RPS" -v b="$NGINX_RPS_4K" 'BEGIN {print a/b}')"
read -r d50 d99 <<<"$DIRECT"; read -r c50 c99 <<<"$VIA_CA"; read -r n50 n99 <<<"$VIA_NGINX"
printf '\nAt %s requests/s (half of radixgate round_robin maximum), 4 KB prompts, latency in ms:\n' "$HALF"
printf '| path | p50 | p99 | added p50 | added p99 |\n|---|---|---|---|---|\n'
printf '| direct to backend | %s | %s | | |\n' "$d50" "$d99"
printf '| via nginx | %s | %s | %.3f | %.3f |\n' "$n50" "$n99" "$(awk -v a="$n50" -v b="$d50" 'BEGIN {print a-b}')" "$(awk -v a="$n99" -v b="$d99" 'BEGIN {print a-b}')"
printf '| via radixgate cache_aware | %s | %s | %.3f | %.3f |\n' "$c50" "$c99" "$(awk -v a="$c50" -v b="$d50" 'BEGIN {print a-b}')" "$(awk -v a="$c99" -v b="$d99" 'BEGIN {print a-b}')"
