#!/usr/bin/env python3
"""Markdown table of bench/routing-experiment.sh's JSON lines, with the oracle hit rate of each
workload: the share of prompt tokens a perfect router could serve from cache (every prefix
computed once, on one replica, and never evicted). With --time-scale K (the sim's time_scale), rates
are multiplied and latencies divided by K to give simulated-device time; ratios need no conversion.

    bench/routing_table.py [--time-scale K] results.jsonl"""
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


args = sys.argv[1:]
scale = 1.0
if args[0] == "--time-scale":
    scale = float(args[1])
    args = args[2:]
rows = [json.loads(line) for line in open(args[0]) if line.strip()]


def parts(label):
    p = label.split("/")
    return ("", *p) if len(p) == 2 else tuple(p)


print("| config | workload | policy | req/s | output tok/s | throughput vs round_robin | cache hit rate | of oracle | TTFT p50 (ms) | TTFT p99 (ms) | load skew |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
base = {}
for r in rows:
    config, workload, policy = parts(r["label"])
    if policy == "round_robin":
        base[(config, workload)] = r["output_throughput"]
for r in rows:
    config, workload, policy = parts(r["label"])
    o = oracle(workload, r["num_prompts"])
    b = base.get((config, workload))
    ratio = r["output_throughput"] / b if b else float("nan")
    skew = r.get("load_skew")
    print(f"| {config} | {workload} | {policy} | {r['request_throughput'] * scale:.2f} | {r['output_throughput'] * scale:.0f} | "
          f"{ratio:.2f}x | {r['cache_hit_rate']:.3f} | {r['cache_hit_rate'] / o:.0%} (oracle {o:.3f}) | "
          f"{r['ttft_ms']['median'] / scale:.0f} | {r['ttft_ms']['p99'] / scale:.0f} | {'n/a' if skew is None else f'{skew:.2f}'} |")
