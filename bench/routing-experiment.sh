#!/usr/bin/env bash
# The routing result: 8 sim replicas (H100 / Llama-3.1-8B timing model) behind one gateway; each
# routing policy on generated-shared-prefix, multi-turn and a skewed hot-prefix workload, every
# run starting from cold caches. Writes JSON lines and prints a markdown table (python3).
#
#   bench/routing-experiment.sh [results.jsonl]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/docs/routing-results.jsonl}"
PORT="${PORT:-32000}"
GW="http://127.0.0.1:$PORT"
POLICIES="${POLICIES:-round_robin random power_of_two cache_aware kv_aware}"
"$ROOT/radixgate" build >/dev/null
: > "$OUT"
LOG="$(mktemp)"
"$ROOT/radixgate" launch --dp-size 8 --device sim --port "$PORT" --health-check-interval-secs 2 > "$LOG" 2>&1 &
LAUNCH=$!
trap 'kill -TERM $LAUNCH 2>/dev/null; wait $LAUNCH 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 300); do curl -sf "$GW/readiness" >/dev/null && grep -q "radixgate is ready" "$LOG" && break; sleep 1; done
run() { # workload policy bench-args...
  local workload="$1" policy="$2"; shift 2
  "$ROOT/radixgate" policy set "$policy" --gateway "$GW" >/dev/null
  curl -sf -X POST "$GW/flush_cache" >/dev/null
  sleep 1
  echo "== $workload / $policy" >&2
  "$ROOT/radixgate" bench --base-url "$GW" --backend generate --label "$workload/$policy" --output-file "$OUT" "$@" 2>/dev/null \
    | grep -E "Request throughput|Cache hit|Median TTFT|P99 TTFT|skew" >&2
}
for policy in $POLICIES; do
  run generated-shared-prefix "$policy" --dataset-name generated-shared-prefix --num-prompts 1024
done
for policy in $POLICIES; do
  run multi-turn "$policy" --dataset-name multi-turn --num-prompts 1024 --multi-turn-turns 4 --request-rate 64
done
for policy in $POLICIES; do
  run skewed-hot-prefixes "$policy" --dataset-name generated-shared-prefix --gsp-num-groups 4 --gsp-prompts-per-group 256 --num-prompts 1024
done
python3 "$ROOT/bench/routing_table.py" "$OUT"
