#!/usr/bin/env bash
# The routing result: 8 sim replicas (H100 / Llama-3.1-8B timing model) behind one gateway; each
# routing policy on generated-shared-prefix, multi-turn and a skewed hot-prefix workload, every
# run starting from cold caches, after one warm-up run (JIT) that is not recorded. Two memory
# configurations: "h100" (SGLang's KV sizing on an 80 GB H100: 414k tokens a replica, enough for
# every prefix of the workload) and "tight" (--max-total-tokens 100000: a replica's cache holds
# about a quarter of the workload's prefixes, the regime cache-aware routing is for).
#
# The simulated GPUs run TIME_SCALE times slower than modeled (--sim-timing time_scale) and the
# engines stream every 16 tokens, so that the 2-core host (8 replicas, the gateway and the load
# generator) is not what limits throughput; bench/routing_table.py converts rates and latencies
# back to simulated time. Writes JSON lines and prints a markdown table (python3).
#
#   bench/routing-experiment.sh [results.jsonl]
#   env: POLICIES, CONFIGS ("h100 tight"), TIME_SCALE (3), PORT (32000)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/docs/routing-results.jsonl}"
PORT="${PORT:-32000}"
GW="http://127.0.0.1:$PORT"
POLICIES="${POLICIES:-round_robin random power_of_two cache_aware kv_aware}"
CONFIGS="${CONFIGS:-h100 tight}"
TIME_SCALE="${TIME_SCALE:-3}"
"$ROOT/radixgate" build >/dev/null
: > "$OUT"
LOG="$(mktemp)"
LAUNCH=""
stop() { if [ -n "$LAUNCH" ]; then kill -TERM "$LAUNCH" 2>/dev/null || true; wait "$LAUNCH" 2>/dev/null || true; LAUNCH=""; fi; }
trap 'stop; rm -f "$LOG"' EXIT
run() { # config workload policy bench-args...
  local config="$1" workload="$2" policy="$3"; shift 3
  "$ROOT/radixgate" policy set "$policy" --gateway "$GW" >/dev/null
  curl -sf -X POST "$GW/flush_cache" >/dev/null
  sleep 1
  echo "== $config / $workload / $policy" >&2
  "$ROOT/radixgate" bench --base-url "$GW" --backend generate --label "$config/$workload/$policy" --output-file "$OUT" "$@" 2>/dev/null \
    | grep -E "Request throughput|Cache hit|Median TTFT|skew" >&2
}
RATE=$(python3 -c "print(64 / $TIME_SCALE)")
for config in $CONFIGS; do
  case "$config" in
    h100) MEM=() ;;
    tight) MEM=(--max-total-tokens 100000) ;;
    *) echo "unknown config $config" >&2; exit 2 ;;
  esac
  "$ROOT/radixgate" launch --dp-size 8 --device sim --port "$PORT" --health-check-interval-secs 2 --stream-interval 16 \
    --sim-timing "time_scale=$TIME_SCALE" "${MEM[@]}" > "$LOG" 2>&1 &
  LAUNCH=$!
  for _ in $(seq 300); do curl -sf "$GW/readiness" >/dev/null && grep -q "radixgate is ready" "$LOG" && break; sleep 1; done
  echo "== $config: warm-up (not recorded)" >&2
  "$ROOT/radixgate" bench --base-url "$GW" --backend generate --dataset-name generated-shared-prefix --num-prompts 256 >/dev/null 2>&1
  for policy in $POLICIES; do
    run "$config" generated-shared-prefix "$policy" --dataset-name generated-shared-prefix --num-prompts 1024
  done
  for policy in $POLICIES; do
    run "$config" multi-turn "$policy" --dataset-name multi-turn --num-prompts 1024 --multi-turn-turns 4 --request-rate "$RATE"
  done
  for policy in $POLICIES; do
    run "$config" skewed-hot-prefixes "$policy" --dataset-name generated-shared-prefix --gsp-num-groups 4 --gsp-prompts-per-group 256 --num-prompts 1024
  done
  stop
done
python3 "$ROOT/bench/routing_table.py" --time-scale "$TIME_SCALE" "$OUT"
