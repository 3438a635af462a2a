#!/usr/bin/env bash
# The CUDA executor's checks and figures on the GPU machine, in one run (see DEVELOPERS notes in
# docs/PERFORMANCE.md). Prepare here with bench/prepare-device.sh, then run through the device tool:
#   command: bash bench/cuda-device-check.sh     carry: [".device"]     timeout_s: 590
# Writes every figure under $OUT (the device tool brings it back).
set -uo pipefail
OUT="${OUT:-/tmp/radixgate-device}"
mkdir -p "$OUT"
: > "$OUT/summary.txt"
export RADIXGATE_CACHE_DIR=/tmp/radixgate-cache
# radixgate also searches the usual site-packages for the nvidia-* wheels; this covers any other python.
WHEELS=$(python3 -c "import nvidia, os; print(':'.join(os.path.join(p, d, 'lib') for p in nvidia.__path__ for d in sorted(os.listdir(p))))" 2>/dev/null)
export LD_LIBRARY_PATH="${WHEELS:+$WHEELS:}${LD_LIBRARY_PATH:-}"
[ -x /tmp/radixgate-jre/jre/bin/java ] || { mkdir -p /tmp/radixgate-jre && tar -C /tmp/radixgate-jre -xJf .device/jre.tar.xz; }
JAVA=(/tmp/radixgate-jre/jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx40g)
CHECK=("${JAVA[@]}" -cp .device/radixgate.jar dev.radixgate.engine.exec.cuda.CudaCheck)
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
echo "== 1. correctness: tiny-llama, CUDA vs float64 reference and CPU" | tee -a "$OUT/summary.txt"
[ -d .device/models/tiny-llama ] && timeout 120 "${CHECK[@]}" golden .device/models/tiny-llama 2>&1 | grep -v WARNING | tee -a "$OUT/summary.txt"
echo "== 2. copy bandwidth and batch-1 decode, Llama-3.1-8B shape, dummy weights" | tee -a "$OUT/summary.txt"
timeout 200 "${CHECK[@]}" decode bench/models/llama-3.1-8b 512 2>&1 | grep -v WARNING | tee -a "$OUT/summary.txt"
echo "== 3. offline throughput: random 1-4096 in / 1-2048 out, 500 prompts, ignore_eos" | tee -a "$OUT/summary.txt"
M=/tmp/llama-3.1-8b-dummy
mkdir -p "$M" && cp bench/models/llama-3.1-8b/config.json "$M/" && python3 bench/make_wordlevel_tokenizer.py "$M" 128256
"${JAVA[@]}" -jar .device/radixgate.jar engine --device cuda --model-path "$M" --load-format dummy --port 30001 > "$OUT/engine.log" 2>&1 &
ENGINE=$!
for _ in $(seq 240); do curl -sf http://127.0.0.1:30001/health >/dev/null && break; kill -0 "$ENGINE" 2>/dev/null || break; sleep 1; done
tail -3 "$OUT/engine.log" | tee -a "$OUT/summary.txt"
grep -E "max_total_num_tokens|Capture cuda graph" "$OUT/engine.log" | tee -a "$OUT/summary.txt"
if curl -sf http://127.0.0.1:30001/health >/dev/null; then
  timeout 240 "${JAVA[@]}" -jar .device/radixgate.jar bench --base-url http://127.0.0.1:30001 --backend generate --dataset-name random \
    --random-input-len 4096 --random-output-len 2048 --random-range-ratio 0 --num-prompts 500 --output-file "$OUT/bench.jsonl" 2>&1 \
    | grep -E "throughput|TTFT|TPOT|ITL" | tee -a "$OUT/summary.txt"
  grep -E "Decode batch" "$OUT/engine.log" | tail -3 | tee -a "$OUT/summary.txt"
else
  echo "engine did not start; see engine.log" | tee -a "$OUT/summary.txt"
fi
kill "$ENGINE" 2>/dev/null; wait "$ENGINE" 2>/dev/null
echo "== 4. Hugging Face transformers baseline, same GPU and shape" | tee -a "$OUT/summary.txt"
timeout 150 python3 bench/hf_baseline.py bench/models/llama-3.1-8b/config.json --seconds 60 2>&1 | grep -E "^hf|^transformers" | tee -a "$OUT/summary.txt"
