#!/usr/bin/env python3
"""numpy (OpenBLAS) on the shapes of engine/src/jmh MatmulBenchmark: out = x @ W.T, float32.

Run with the thread count pinned (the env notes say to unset the OpenBLAS core overrides when
timing a current numpy):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 python3 bench/numpy_matmul.py
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 python3 bench/numpy_matmul.py
"""
import os
import time

import numpy as np

for shape in ("1x768x768", "1x768x3072", "1x3072x768", "128x768x3072"):
    rows, n_in, n_out = (int(v) for v in shape.split("x"))
    rng = np.random.default_rng(1)
    w = rng.standard_normal((n_out, n_in), dtype=np.float32)
    x = rng.standard_normal((rows, n_in), dtype=np.float32)
    for _ in range(200):
        x @ w.T
    best = float("inf")
    for _ in range(5):
        reps = 2000 if rows == 1 else 50
        t = time.perf_counter()
        for _ in range(reps):
            x @ w.T
        best = min(best, (time.perf_counter() - t) / reps)
    print(f"numpy {shape} threads={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}: {best * 1e6:.1f} us/op")
