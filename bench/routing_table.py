#!/usr/bin/env python3
"""Markdown table of bench/routing-experiment.sh's JSON lines, with the oracle hit rate of each
workload: the share of prompt tokens a perfect router could serve from cache (every prefix
computed once, on one replica, and never evicted)."""
import json
import sys

S, Q, O, TURNS = 2048, 128, 256, 4


def oracle(workload, prompts):
    if workload == "generated-shared-prefix":
        groups = 64
    elif workload == "skewed-hot-prefixes":
        groups = 4
    else:  # multi-turn: the first turn is all new; later turns add a question (and the last token of the answer)
        conversations = prompts // TURNS
        total = sum(S + Q + t * (O + Q) for t in range(TURNS)) * conversations
        new = conversations * ((S + Q) + (TURNS - 1) * (Q + 1))
        return 1 - new / total
    return 1 - (groups * S + prompts * Q) / (prompts * (S + Q))


rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print("| workload | policy | req/s | output tok/s | throughput vs round_robin | cache hit rate | of oracle | TTFT p50 (ms) | TTFT p99 (ms) | load skew |")
print("|---|---|---|---|---|---|---|---|---|---|")
base = {}
for r in rows:
    workload, policy = r["label"].split("/")
    if policy == "round_robin":
        base[workload] = r["output_throughput"]
for r in rows:
    workload, policy = r["label"].split("/")
    o = oracle(workload, r["num_prompts"])
    ratio = r["output_throughput"] / base[workload] if workload in base else float("nan")
    skew = r.get("load_skew")
    print(f"| {workload} | {policy} | {r['request_throughput']:.2f} | {r['output_throughput']:.0f} | {ratio:.2f}x | "
          f"{r['cache_hit_rate']:.3f} | {r['cache_hit_rate'] / o:.0%} (oracle {o:.3f}) | {r['ttft_ms']['median']:.0f} | "
          f"{r['ttft_ms']['p99']:.0f} | {'n/a' if skew is None else f'{skew:.2f}'} |")
