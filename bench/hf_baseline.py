#!/usr/bin/env python3
"""Hugging Face transformers baseline for the CUDA executor's figures, on the same GPU and model
shape (random bf16 weights from a config.json, as --load-format dummy):

- batch-1 decode: ms per token after a 512-token prompt (greedy, no early stop);
- offline throughput: the `random` dataset's shape (input uniform in [1, 4096], output uniform in
  [1, 2048], seed 1; the same distribution as `radixgate bench`, not the same draws), generated in
  batches of --batch sorted by input length with left padding and every output forced to its
  length; useful output tokens per second over the batches finished within --seconds.

    bench/hf_baseline.py CONFIG.json [--seconds 90] [--batch 32]"""
import argparse
import random
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

p = argparse.ArgumentParser()
p.add_argument("config")
p.add_argument("--seconds", type=float, default=90)
p.add_argument("--batch", type=int, default=32)
a = p.parse_args()

cfg = LlamaConfig.from_json_file(a.config)
torch.manual_seed(0)
with torch.device("cuda"):
    model = LlamaForCausalLM(cfg).to(torch.bfloat16).eval()
print(f"transformers model on {torch.cuda.get_device_name()}: {sum(x.numel() for x in model.parameters()) / 1e9:.2f} B parameters")


@torch.inference_mode()
def generate(ids, new_tokens, attention_mask=None):
    return model.generate(ids, attention_mask=attention_mask, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                          do_sample=False, pad_token_id=0)


prompt = torch.randint(1000, 30000, (1, 512), device="cuda")
generate(prompt, 8)
torch.cuda.synchronize()
t = time.perf_counter()
generate(prompt, 1)
torch.cuda.synchronize()
prefill = time.perf_counter() - t
t = time.perf_counter()
generate(prompt, 129)
torch.cuda.synchronize()
per_token = (time.perf_counter() - t - prefill) / 128
print(f"hf decode batch 1, context 512: {per_token * 1e3:.3f} ms/token ({1 / per_token:.1f} tok/s)")

rnd = random.Random(1)
items = sorted(((rnd.randint(1, 4096), rnd.randint(1, 2048)) for _ in range(500)))
start = time.perf_counter()
useful = done = 0
for i in range(0, len(items), a.batch):
    batch = items[i:i + a.batch]
    width = max(n for n, _ in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long, device="cuda")
    mask = torch.zeros_like(ids)
    for j, (n, _) in enumerate(batch):
        ids[j, width - n:] = torch.randint(1000, 30000, (n,), device="cuda")
        mask[j, width - n:] = 1
    generate(ids, max(o for _, o in batch), mask)
    torch.cuda.synchronize()
    useful += sum(o for _, o in batch)
    done += len(batch)
    if time.perf_counter() - start > a.seconds:
        break
elapsed = time.perf_counter() - start
print(f"hf offline throughput: {useful / elapsed:.1f} output tok/s over {done} of {len(items)} prompts ({elapsed:.0f} s, batch {a.batch})")
