// Fused linear log-prob + entropy on the GPU. NOT YET BUILT BY NVCC OR RUN: no machine with nvcc was available when
// this was written; clang type-checks it (kernels/README.md says how to build and test it on a GPU machine).
//
// The same algorithm as the CPU backend (src/cpu/linear_logprob_impl.hpp), with cuBLAS for the tile products: tokens
// in chunks of kTc, the vocabulary in chunks of kVc, one [kTc, kVc] logits tile in device memory at a time (64 MiB).
// Forward: per tile, logits = X_c W_c^T / T (cuBLAS), then one block per row folds the tile into that row's running
// max m, sum s = sum exp(z - m) and q = sum exp(z - m) z. Backward: per tile, recompute the logits, turn them into
// dL/dZ = g (onehot - softmax) / T in place, then dX_c += dZ W_c and dW_c (+)= dZ^T X_c (cuBLAS).
// Row-major [r, c] matrices are column-major [c, r] to cuBLAS: the products below are written transposed.
#include <cfloat>

#include <algorithm>
#include <cstdint>

#include "cuda_common.cuh"
#include "cuda_kernels.hpp"

namespace r1k::cuda {

using cpu::LinearLogprobArgs;

namespace {

constexpr int64_t kTc = 2048;   // tokens per tile
constexpr int64_t kVc = 8192;   // vocabulary rows per tile
constexpr int kThreads = 256;

__device__ float block_reduce(float value, bool is_max, float* shared) {
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    for (int offset = 16; offset > 0; offset /= 2) {
        float other = __shfl_down_sync(0xffffffffu, value, offset);
        value = is_max ? fmaxf(value, other) : value + other;
    }
    if (lane == 0) shared[warp] = value;
    __syncthreads();
    if (warp == 0) {
        value = lane < static_cast<int>(blockDim.x / 32) ? shared[lane] : (is_max ? -FLT_MAX : 0.0f);
        for (int offset = 16; offset > 0; offset /= 2) {
            float other = __shfl_down_sync(0xffffffffu, value, offset);
            value = is_max ? fmaxf(value, other) : value + other;
        }
        if (lane == 0) shared[0] = value;
    }
    __syncthreads();
    float result = shared[0];
    __syncthreads();
    return result;
}

__global__ void check_targets(const int64_t* targets, int64_t n, int64_t v, int* bad) {
    int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i < n && (targets[i] < -1 || targets[i] >= v)) atomicExch(bad, 1);
}

__global__ void init_stats(float* m, float* s, float* q, float* target_logit, int64_t n) {
    int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i < n) {
        m[i] = -FLT_MAX;
        s[i] = 0.0f;
        q[i] = 0.0f;
        target_logit[i] = 0.0f;
    }
}

// One block per row of the tile: fold the row's cols logits into its running statistics.
__global__ void fold_tile(const float* z, int64_t cols, int64_t row0, int64_t j0, const int64_t* targets, float* m,
                          float* s, float* q, float* target_logit) {
    __shared__ float shared[32];
    const int64_t row = row0 + blockIdx.x;
    const float* zr = z + blockIdx.x * cols;
    float local_max = -FLT_MAX;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) local_max = fmaxf(local_max, zr[j]);
    const float tile_max = block_reduce(local_max, true, shared);
    const float new_max = fmaxf(m[row], tile_max);
    float e_sum = 0.0f, ez_sum = 0.0f;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
        float e = __expf(zr[j] - new_max);
        e_sum += e;
        ez_sum += e * zr[j];
    }
    e_sum = block_reduce(e_sum, false, shared);
    ez_sum = block_reduce(ez_sum, false, shared);
    if (threadIdx.x == 0) {
        const float shrink = expf(m[row] - new_max);
        s[row] = s[row] * shrink + e_sum;
        q[row] = q[row] * shrink + ez_sum;
        m[row] = new_max;
        const int64_t t = targets[row];
        if (t >= j0 && t < j0 + cols) target_logit[row] = zr[t - j0];
    }
}

__global__ void finish(const float* m, const float* s, const float* q, const float* target_logit, const int64_t* targets,
                       int64_t n, float* logprob, float* entropy, float* lse) {
    int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i >= n) return;
    const float l = m[i] + logf(s[i]);
    const bool masked = targets[i] < 0;
    lse[i] = l;
    logprob[i] = masked ? 0.0f : target_logit[i] - l;
    if (entropy != nullptr) entropy[i] = masked ? 0.0f : l - q[i] / s[i];
}

// In place: z (already divided by T) becomes dL/dZ_ij = g_i / T (onehot - exp(z - lse)).
__global__ void softmax_grad(float* z, int64_t cols, int64_t row0, int64_t j0, const int64_t* targets, const float* lse,
                             const float* grad_logprob, float inv_t) {
    const int64_t row = row0 + blockIdx.x;
    float* zr = z + blockIdx.x * cols;
    const int64_t t = targets[row];
    const float g = t < 0 ? 0.0f : grad_logprob[row] * inv_t;
    const float l = lse[row];
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
        float d = -g * __expf(zr[j] - l);
        if (j0 + j == t) d += g;
        zr[j] = d;
    }
}

int blocks_for(int64_t n) { return static_cast<int>((n + kThreads - 1) / kThreads); }

r1k_status check_target_ids(const LinearLogprobArgs& a) {
    DeviceArray<int> bad;
    R1K_CUDA_TRY(bad.allocate(1));
    R1K_CUDA_TRY(cudaMemset(bad.ptr, 0, sizeof(int)));
    check_targets<<<blocks_for(a.n), kThreads>>>(a.targets, a.n, a.v, bad.ptr);
    int host = 0;
    R1K_CUDA_TRY(cudaMemcpy(&host, bad.ptr, sizeof(int), cudaMemcpyDeviceToHost));
    if (host != 0)
        return fail(R1K_BAD_ARGUMENT, "r1k_linear_logprob (cuda): a target id is outside [0, v) (-1 marks a masked token)");
    return R1K_OK;
}

// The logits tile for tokens [t0, t0 + tc) and vocabulary rows [j0, j0 + vc), row-major [tc, vc], divided by T.
r1k_status logits_tile(const LinearLogprobArgs& a, int64_t t0, int64_t tc, int64_t j0, int64_t vc, float* z) {
    const float alpha = a.inv_temperature, beta = 0.0f;
    // Column-major: Z^T [vc, tc] = W_c [vc, h] (W_c^T as stored, transposed) x X_c^T [h, tc].
    return check(cublasSgemm(blas(), CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(vc), static_cast<int>(tc),
                             static_cast<int>(a.h), &alpha, a.weight + j0 * a.h, static_cast<int>(a.h),
                             a.hidden + t0 * a.h, static_cast<int>(a.h), &beta, z, static_cast<int>(vc)),
                 "cublasSgemm (logits)");
}

}  // namespace

r1k_status linear_logprob_forward(const LinearLogprobArgs& a, float* logprob, float* entropy, float* lse) {
    if (a.n == 0) return R1K_OK;
    if (blas() == nullptr) return fail(R1K_DEVICE_ERROR, "cublasCreate failed");
    if (auto st = check_target_ids(a); st != R1K_OK) return st;
    DeviceArray<float> tile, m, s, q, target_logit;
    R1K_CUDA_TRY(tile.allocate(static_cast<size_t>(kTc * kVc)));
    R1K_CUDA_TRY(m.allocate(a.n));
    R1K_CUDA_TRY(s.allocate(a.n));
    R1K_CUDA_TRY(q.allocate(a.n));
    R1K_CUDA_TRY(target_logit.allocate(a.n));
    init_stats<<<blocks_for(a.n), kThreads>>>(m.ptr, s.ptr, q.ptr, target_logit.ptr, a.n);
    for (int64_t t0 = 0; t0 < a.n; t0 += kTc) {
        const int64_t tc = std::min(kTc, a.n - t0);
        for (int64_t j0 = 0; j0 < a.v; j0 += kVc) {
            const int64_t vc = std::min(kVc, a.v - j0);
            if (auto st = logits_tile(a, t0, tc, j0, vc, tile.ptr); st != R1K_OK) return st;
            fold_tile<<<static_cast<unsigned>(tc), kThreads>>>(tile.ptr, vc, t0, j0, a.targets, m.ptr, s.ptr, q.ptr, target_logit.ptr);
        }
    }
    finish<<<blocks_for(a.n), kThreads>>>(m.ptr, s.ptr, q.ptr, target_logit.ptr, a.targets, a.n, logprob, entropy, lse);
    R1K_CUDA_TRY(cudaGetLastError());
    R1K_CUDA_TRY(cudaDeviceSynchronize());
    return R1K_OK;
}

r1k_status linear_logprob_backward(const LinearLogprobArgs& a, const float* lse, const float* grad_logprob,
                                   float* grad_hidden, float* grad_weight, bool accumulate_weight) {
    if (grad_weight != nullptr && a.n == 0 && !accumulate_weight) {
        R1K_CUDA_TRY(cudaMemset(grad_weight, 0, static_cast<size_t>(a.v * a.h) * sizeof(float)));
        R1K_CUDA_TRY(cudaDeviceSynchronize());
    }
    if (a.n == 0 || (grad_hidden == nullptr && grad_weight == nullptr)) return R1K_OK;
    if (blas() == nullptr) return fail(R1K_DEVICE_ERROR, "cublasCreate failed");
    if (auto st = check_target_ids(a); st != R1K_OK) return st;
    DeviceArray<float> tile;
    R1K_CUDA_TRY(tile.allocate(static_cast<size_t>(kTc * kVc)));
    if (grad_hidden != nullptr) R1K_CUDA_TRY(cudaMemset(grad_hidden, 0, static_cast<size_t>(a.n * a.h) * sizeof(float)));
    if (grad_weight != nullptr && !accumulate_weight)
        R1K_CUDA_TRY(cudaMemset(grad_weight, 0, static_cast<size_t>(a.v * a.h) * sizeof(float)));
    const float one = 1.0f;
    const int h = static_cast<int>(a.h);
    for (int64_t t0 = 0; t0 < a.n; t0 += kTc) {
        const int64_t tc = std::min(kTc, a.n - t0);
        for (int64_t j0 = 0; j0 < a.v; j0 += kVc) {
            const int64_t vc = std::min(kVc, a.v - j0);
            if (auto st = logits_tile(a, t0, tc, j0, vc, tile.ptr); st != R1K_OK) return st;
            softmax_grad<<<static_cast<unsigned>(tc), kThreads>>>(tile.ptr, vc, t0, j0, a.targets, lse, grad_logprob,
                                                                 a.inv_temperature);
            if (grad_hidden != nullptr)   // column-major: dX_c^T [h, tc] += W_c^T [h, vc] x dZ^T [vc, tc]
                R1K_CUDA_TRY(cublasSgemm(blas(), CUBLAS_OP_N, CUBLAS_OP_N, h, static_cast<int>(tc), static_cast<int>(vc), &one,
                                         a.weight + j0 * a.h, h, tile.ptr, static_cast<int>(vc), &one,
                                         grad_hidden + t0 * a.h, h));
            if (grad_weight != nullptr)   // column-major: dW_c^T [h, vc] += X_c^T [h, tc] x dZ [tc, vc]
                R1K_CUDA_TRY(cublasSgemm(blas(), CUBLAS_OP_N, CUBLAS_OP_T, h, static_cast<int>(vc), static_cast<int>(tc), &one,
                                         a.hidden + t0 * a.h, h, tile.ptr, static_cast<int>(vc), &one,
                                         grad_weight + j0 * a.h, h));
        }
    }
    R1K_CUDA_TRY(cudaGetLastError());
    R1K_CUDA_TRY(cudaDeviceSynchronize());
    return R1K_OK;
}

}  // namespace r1k::cuda
