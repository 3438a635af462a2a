// radixgate's CUDA kernels: everything of a Llama-family forward pass except the GEMMs (cuBLAS).
//
// Compiled at engine start by NVRTC for the device's architecture (and by nvcc -arch=sm_90 in the
// tests), so this file includes no header: bf16 is handled as raw 16-bit words, converted with
// round-to-nearest-even. Layouts (row-major, one row per new token of the batch):
//   x      fp32 [rows, hidden]              the residual stream
//   qkv    fp32 [rows, q_dim + 2 kv_dim]    fused q/k/v projection output (q, then k, then v)
//   k/v cache  bf16 [slots, kv_heads, head_dim] per layer; slot s holds whatever token the scheduler
//          put there, and attention finds a sequence's positions through its slot list (kv_index)
//   gate_up fp32 [rows, 2 intermediate]     fused gate/up projection output
// Every kernel reads its sizes from its arguments and device buffers, never from the host between
// launches, so a decode step can be captured once into a CUDA graph and replayed.

typedef unsigned short bf16;

#define MAX_GROUP 8      // query heads per KV head handled by one attention block
#define MAX_DIMS 8       // head_dim / 32: head_dim up to 256
#define ATTN_WARPS 4

#define NEG_INF (__int_as_float(0xff800000u))

__device__ __forceinline__ float bf2f(bf16 v) {
    return __uint_as_float(((unsigned int) v) << 16);
}

__device__ __forceinline__ bf16 f2bf(float f) {
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) {
        return (bf16) ((u >> 16) | 0x40u); // quiet NaN
    }
    u += 0x7fffu + ((u >> 16) & 1u);
    return (bf16) (u >> 16);
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, o);
    }
    return v;
}

// Sum over the block; every thread gets the result. blockDim.x must be a multiple of 32.
__device__ float block_sum(float v) {
    __shared__ float partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) {
        partial[warp] = v;
    }
    __syncthreads();
    float total = 0.f;
    for (int w = 0; w < warps; w++) {
        total += partial[w];
    }
    return total;
}

// Max value and its smallest index over the block; every thread gets the result.
__device__ void block_argmax(float& best, int& bestIdx) {
    __shared__ float values[32];
    __shared__ int indices[32];
    for (int o = 16; o > 0; o >>= 1) {
        float v = __shfl_xor_sync(0xffffffffu, best, o);
        int i = __shfl_xor_sync(0xffffffffu, bestIdx, o);
        if (v > best || (v == best && i < bestIdx)) {
            best = v;
            bestIdx = i;
        }
    }
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    __syncthreads();
    if (lane == 0) {
        values[warp] = best;
        indices[warp] = bestIdx;
    }
    __syncthreads();
    best = values[0];
    bestIdx = indices[0];
    for (int w = 1; w < warps; w++) {
        if (values[w] > best || (values[w] == best && indices[w] < bestIdx)) {
            best = values[w];
            bestIdx = indices[w];
        }
    }
}

// x[r] = table[ids[r]] (bf16 → fp32). grid: rows.
extern "C" __global__ void embed_gather(const bf16* __restrict__ table, const int* __restrict__ ids, float* __restrict__ x,
                                        int hidden) {
    const bf16* src = table + (long long) ids[blockIdx.x] * hidden;
    float* dst = x + (long long) blockIdx.x * hidden;
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
        dst[i] = bf2f(src[i]);
    }
}

// out[r] = RMSNorm(x[src]) · w, as bf16 (the next GEMM's input); src = rowIndex ? rowIndex[r] : r.
// grid: rows; block: a multiple of 32.
extern "C" __global__ void rmsnorm_bf16(const float* __restrict__ x, const bf16* __restrict__ w, bf16* __restrict__ out,
                                        int hidden, float eps, const int* __restrict__ rowIndex) {
    int src = rowIndex ? rowIndex[blockIdx.x] : blockIdx.x;
    const float* row = x + (long long) src * hidden;
    float ss = 0.f;
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
        ss += row[i] * row[i];
    }
    float inv = rsqrtf(block_sum(ss) / hidden + eps);
    bf16* dst = out + (long long) blockIdx.x * hidden;
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
        dst[i] = f2bf(row[i] * inv * bf2f(w[i]));
    }
}

// Qwen3's per-head RMSNorm of q or k, in place: vector (r, h) starts at data + r·stride + offset + h·dim.
// grid: (rows, heads); block: 32.
extern "C" __global__ void head_rmsnorm(float* __restrict__ data, int stride, int offset, int dim, const bf16* __restrict__ w,
                                        float eps) {
    float* v = data + (long long) blockIdx.x * stride + offset + blockIdx.y * dim;
    float ss = 0.f;
    for (int i = threadIdx.x; i < dim; i += 32) {
        ss += v[i] * v[i];
    }
    float inv = rsqrtf(warp_sum(ss) / dim + eps);
    for (int i = threadIdx.x; i < dim; i += 32) {
        v[i] = v[i] * inv * bf2f(w[i]);
    }
}

// y[i] += bias[i mod cols] (Qwen2's q/k/v biases, fused like the projections).
extern "C" __global__ void add_bias(float* __restrict__ y, const bf16* __restrict__ bias, int cols, long long total) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total; i += (long long) gridDim.x * blockDim.x) {
        y[i] += bf2f(bias[i % cols]);
    }
}

// Rotate-half RoPE on q and k of every row, then k and v written as bf16 into the row's KV slot.
// grid: rows; block: any.
extern "C" __global__ void rope_store_kv(float* __restrict__ qkv, int stride, const int* __restrict__ positions,
                                         const int* __restrict__ slotOf, const float* __restrict__ invFreq,
                                         bf16* __restrict__ kCache, bf16* __restrict__ vCache, int heads, int kvHeads, int dim) {
    int r = blockIdx.x, half = dim / 2;
    float pos = (float) positions[r];
    float* row = qkv + (long long) r * stride;
    int qd = heads * dim, kvd = kvHeads * dim;
    for (int j = threadIdx.x; j < (heads + kvHeads) * half; j += blockDim.x) {
        int head = j / half, i = j % half;
        float* v = row + head * dim; // k heads follow the q heads
        float s, c;
        sincosf(pos * invFreq[i], &s, &c);
        float x1 = v[i], x2 = v[i + half];
        v[i] = x1 * c - x2 * s;
        v[i + half] = x2 * c + x1 * s;
    }
    __syncthreads();
    long long slot = slotOf[r];
    for (int i = threadIdx.x; i < kvd; i += blockDim.x) {
        kCache[slot * kvd + i] = f2bf(row[qd + i]);
        vCache[slot * kvd + i] = f2bf(row[qd + kvd + i]);
    }
}

// Attention of each row over its sequence's first rowLen[row] positions (causal: the row's own
// position is the last), whose KV slots are kvIndex[rowKvStart[row] ...]. One block per (row, KV
// head, split): the query heads sharing that KV head are done together (GQA), each warp takes every
// ATTN_WARPS-th key of the split's range with an online softmax, and the warps are merged at the end.
// With splits > 1 (long contexts, few rows) the block writes a partial (max, sum, accumulator) for
// attention_combine; with one split it writes the bf16 output directly.
// grid: (rows, kvHeads, splits); block: 32 · ATTN_WARPS; dynamic shared memory:
// 4 · (group · dim + 2 · ATTN_WARPS · group + ATTN_WARPS · group · dim) bytes.
extern "C" __global__ void attention(const float* __restrict__ qkv, int stride, const bf16* __restrict__ kCache,
                                     const bf16* __restrict__ vCache, const int* __restrict__ kvIndex,
                                     const int* __restrict__ rowKvStart, const int* __restrict__ rowLen, int heads, int kvHeads,
                                     int dim, float scale, bf16* __restrict__ out, float* __restrict__ partMax,
                                     float* __restrict__ partSum, float* __restrict__ partAcc) {
    extern __shared__ float smem[];
    int row = blockIdx.x, kvh = blockIdx.y, split = blockIdx.z, splits = gridDim.z;
    int group = heads / kvHeads, kvd = kvHeads * dim;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    float* qs = smem;                                   // [group][dim], pre-scaled
    float* wMax = qs + group * dim;                     // [warps][group]
    float* wSum = wMax + ATTN_WARPS * group;            // [warps][group]
    float* wAcc = wSum + ATTN_WARPS * group;            // [warps][group][dim]
    const float* q = qkv + (long long) row * stride + kvh * group * dim;
    for (int i = threadIdx.x; i < group * dim; i += blockDim.x) {
        qs[i] = q[i] * scale;
    }
    __syncthreads();
    int len = rowLen[row];
    int chunk = (len + splits - 1) / splits;
    int begin = split * chunk, end = min(len, begin + chunk);
    const int* slots = kvIndex + rowKvStart[row];
    float m[MAX_GROUP], l[MAX_GROUP], acc[MAX_GROUP][MAX_DIMS];
#pragma unroll
    for (int g = 0; g < MAX_GROUP; g++) {
        m[g] = NEG_INF;
        l[g] = 0.f;
#pragma unroll
        for (int d = 0; d < MAX_DIMS; d++) {
            acc[g][d] = 0.f;
        }
    }
    for (int p = begin + warp; p < end; p += ATTN_WARPS) {
        long long base = (long long) slots[p] * kvd + kvh * dim;
        float kr[MAX_DIMS], vr[MAX_DIMS];
#pragma unroll
        for (int d = 0; d < MAX_DIMS; d++) {
            int dd = lane + 32 * d;
            kr[d] = dd < dim ? bf2f(kCache[base + dd]) : 0.f;
            vr[d] = dd < dim ? bf2f(vCache[base + dd]) : 0.f;
        }
#pragma unroll
        for (int g = 0; g < MAX_GROUP; g++) {
            if (g < group) {
                float part = 0.f;
#pragma unroll
                for (int d = 0; d < MAX_DIMS; d++) {
                    int dd = lane + 32 * d;
                    part += dd < dim ? qs[g * dim + dd] * kr[d] : 0.f;
                }
                float s = warp_sum(part);
                float mNew = fmaxf(m[g], s);
                float alpha = __expf(m[g] - mNew); // m = -inf at first: exp(-inf) = 0
                float pr = __expf(s - mNew);
                l[g] = l[g] * alpha + pr;
#pragma unroll
                for (int d = 0; d < MAX_DIMS; d++) {
                    acc[g][d] = acc[g][d] * alpha + pr * vr[d];
                }
                m[g] = mNew;
            }
        }
    }
#pragma unroll
    for (int g = 0; g < MAX_GROUP; g++) {
        if (g < group) {
            if (lane == 0) {
                wMax[warp * group + g] = m[g];
                wSum[warp * group + g] = l[g];
            }
#pragma unroll
            for (int d = 0; d < MAX_DIMS; d++) {
                int dd = lane + 32 * d;
                if (dd < dim) {
                    wAcc[(warp * group + g) * dim + dd] = acc[g][d];
                }
            }
        }
    }
    __syncthreads();
    for (int i = threadIdx.x; i < group * dim; i += blockDim.x) {
        int g = i / dim, d = i % dim;
        float M = NEG_INF;
        for (int w = 0; w < ATTN_WARPS; w++) {
            M = fmaxf(M, wMax[w * group + g]);
        }
        float L = 0.f, A = 0.f;
        if (M != NEG_INF) {
            for (int w = 0; w < ATTN_WARPS; w++) {
                float f = __expf(wMax[w * group + g] - M);
                L += wSum[w * group + g] * f;
                A += wAcc[(w * group + g) * dim + d] * f;
            }
        }
        int head = kvh * group + g;
        if (splits == 1) {
            out[(long long) row * heads * dim + head * dim + d] = f2bf(L > 0.f ? A / L : 0.f);
        } else {
            long long ps = ((long long) row * heads + head) * splits + split;
            if (d == 0) {
                partMax[ps] = M;
                partSum[ps] = L;
            }
            partAcc[ps * dim + d] = A;
        }
    }
}

// Merges the splits of attention. grid: (rows, heads); block: any.
extern "C" __global__ void attention_combine(const float* __restrict__ partMax, const float* __restrict__ partSum,
                                             const float* __restrict__ partAcc, int heads, int dim, int splits,
                                             bf16* __restrict__ out) {
    int row = blockIdx.x, head = blockIdx.y;
    long long base = ((long long) row * heads + head) * splits;
    float M = NEG_INF;
    for (int s = 0; s < splits; s++) {
        M = fmaxf(M, partMax[base + s]);
    }
    for (int d = threadIdx.x; d < dim; d += blockDim.x) {
        float L = 0.f, A = 0.f;
        if (M != NEG_INF) {
            for (int s = 0; s < splits; s++) {
                float f = partSum[base + s] > 0.f ? __expf(partMax[base + s] - M) : 0.f;
                L += partSum[base + s] * f;
                A += partAcc[(base + s) * dim + d] * f;
            }
        }
        out[(long long) row * heads * dim + head * dim + d] = f2bf(L > 0.f ? A / L : 0.f);
    }
}

// x += y (the residual stream).
extern "C" __global__ void residual_add(float* __restrict__ x, const float* __restrict__ y, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        x[i] += y[i];
    }
}

// out[r, i] = SiLU(gate[r, i]) · up[r, i], as bf16, from the fused [gate | up] rows.
extern "C" __global__ void silu_mul(const float* __restrict__ gateUp, bf16* __restrict__ out, int inter, long long rows) {
    long long n = rows * inter;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        long long r = i / inter;
        int c = (int) (i % inter);
        float g = gateUp[r * 2 * inter + c], u = gateUp[r * 2 * inter + inter + c];
        out[i] = f2bf(g / (1.f + __expf(-g)) * u);
    }
}

__device__ __forceinline__ unsigned long long mix64(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Count (and probability mass relative to the max) of logits/T at or above a threshold.
__device__ void above(const float* row, int vocab, float invT, float zMax, float t, float& count, float& mass) {
    float c = 0.f, s = 0.f;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        float z = row[i] * invT;
        if (z >= t) {
            c += 1.f;
            s += __expf(z - zMax);
        }
    }
    count = block_sum(c);
    mass = block_sum(s);
}

// Token selection: greedy (temperature ≤ 0: the largest logit, the smallest index on ties, as the CPU
// sampler), or sampling with temperature, top-k and top-p: the allowed set {z ≥ τ} is found by bisection on the
// threshold τ (top-k by count, then top-p by probability mass), then one exact draw from the
// renormalized softmax over it by the Gumbel-max trick, with a counter-based random stream of
// (seed, step, token). grid: rows; block: a multiple of 32.
extern "C" __global__ void sample_rows(const float* __restrict__ logits, int vocab, const float* __restrict__ temperature,
                                       const int* __restrict__ topK, const float* __restrict__ topP,
                                       const unsigned long long* __restrict__ seeds, const int* __restrict__ steps,
                                       int* __restrict__ out) {
    int r = blockIdx.x;
    const float* row = logits + (long long) r * vocab;
    float best = NEG_INF;
    int bestIdx = 0x7fffffff;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        if (row[i] > best || (row[i] == best && i < bestIdx)) {
            best = row[i];
            bestIdx = i;
        }
    }
    block_argmax(best, bestIdx);
    float temp = temperature[r];
    if (!(temp > 0.f)) {
        if (threadIdx.x == 0) {
            out[r] = bestIdx;
        }
        return;
    }
    float invT = 1.f / temp, zMax = best * invT;
    float lo = zMax - 90.f, hi = zMax, count, mass, total;
    above(row, vocab, invT, zMax, lo, count, total);
    int k = topK[r];
    if (k > 0 && (float) k < count) {
        for (int it = 0; it < 28; it++) {
            float mid = 0.5f * (lo + hi);
            above(row, vocab, invT, zMax, mid, count, mass);
            if (count >= (float) k) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        above(row, vocab, invT, zMax, lo, count, total);
    }
    float p = topP[r];
    if (p < 1.f) {
        float target = p * total;
        hi = zMax;
        for (int it = 0; it < 28; it++) {
            float mid = 0.5f * (lo + hi);
            above(row, vocab, invT, zMax, mid, count, mass);
            if (mass >= target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
    }
    unsigned long long stream = mix64(seeds[r] ^ mix64((unsigned long long) steps[r] + 0x9e3779b97f4a7c15ULL));
    float key = NEG_INF;
    int pick = 0x7fffffff;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        float z = row[i] * invT;
        if (z >= lo) {
            unsigned long long h = mix64(stream + (unsigned long long) i * 0xd1b54a32d192ed03ULL);
            float u = ((float) (h >> 40) + 0.5f) * (1.f / 16777216.f); // (0, 1)
            float g = z - __logf(-__logf(u));
            if (g > key || (g == key && i < pick)) {
                key = g;
                pick = i;
            }
        }
    }
    block_argmax(key, pick);
    if (threadIdx.x == 0) {
        out[r] = pick == 0x7fffffff ? bestIdx : pick;
    }
}
