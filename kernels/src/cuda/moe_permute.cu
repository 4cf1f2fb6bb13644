// MoE token permutation on the GPU: gather, weighted scatter-add (each token's rows summed in ascending sorted
// position, as the CPU backend and libtorch's index_add do) and the scatter's backward. The route order itself is
// computed on the CPU (r1k_moe_route_order). NOT YET BUILT BY NVCC OR RUN on a GPU; type-checked by clang (kernels/README.md).
#include <algorithm>
#include <cstdint>

#include "cuda_common.cuh"
#include "cuda_kernels.hpp"

namespace r1k::cuda {

using cpu::LinearLogprobArgs;

namespace {

constexpr int kThreads = 256;

__global__ void gather_rows(const float* x, const int64_t* order, int64_t k, int64_t h, float* out) {
    const int64_t r = blockIdx.x;
    const float* src = x + (order[r] / k) * h;
    for (int64_t c = threadIdx.x; c < h; c += blockDim.x) out[r * h + c] = src[c];
}

// inverse[order[r]] = r, counting how often each slot occurs so that a non-permutation is reported.
__global__ void invert(const int64_t* order, int64_t slots, int64_t* inverse, int* seen, int* bad) {
    int64_t r = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (r >= slots) return;
    const int64_t slot = order[r];
    if (slot < 0 || slot >= slots || atomicAdd(&seen[slot], 1) != 0) {
        atomicExch(bad, 1);
        return;
    }
    inverse[slot] = r;
}

// One block per token: its k rows in ascending sorted position, weighted, summed (multiply then add, no FMA).
__global__ void scatter_rows(const float* rows, const float* weights, const int64_t* order, const int64_t* inverse,
                             int64_t k, int64_t h, float* y) {
    const int64_t t = blockIdx.x;
    for (int64_t c = threadIdx.x; c < h; c += blockDim.x) {
        float sum = 0.0f;
        int64_t previous = -1;
        for (int64_t j = 0; j < k; ++j) {   // selection of the next larger position: k is small (top-k)
            int64_t next = INT64_MAX;
            for (int64_t i = 0; i < k; ++i) {
                const int64_t p = inverse[t * k + i];
                if (p > previous && p < next) next = p;
            }
            previous = next;
            const float w = weights != nullptr ? weights[order[next]] : 1.0f;
            sum = __fadd_rn(sum, __fmul_rn(rows[next * h + c], w));
        }
        y[t * h + c] = sum;
    }
}

__global__ void scatter_backward_rows(const float* rows, const float* weights, const int64_t* order, const float* grad_y,
                                      int64_t k, int64_t h, float* grad_rows, float* grad_weights) {
    __shared__ double partial[kThreads];
    const int64_t r = blockIdx.x, slot = order[r];
    const float* gy = grad_y + (slot / k) * h;
    const float w = weights != nullptr ? weights[slot] : 1.0f;
    double dot = 0.0;
    for (int64_t c = threadIdx.x; c < h; c += blockDim.x) {
        if (grad_rows != nullptr) grad_rows[r * h + c] = gy[c] * w;
        dot += static_cast<double>(rows[r * h + c]) * gy[c];
    }
    partial[threadIdx.x] = dot;
    __syncthreads();
    for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
        __syncthreads();
    }
    if (threadIdx.x == 0 && grad_weights != nullptr) grad_weights[slot] = static_cast<float>(partial[0]);
}

r1k_status inverse_of(const int64_t* order, int64_t slots, DeviceArray<int64_t>& inverse) {
    DeviceArray<int> seen, bad;
    R1K_CUDA_TRY(inverse.allocate(static_cast<size_t>(slots)));
    R1K_CUDA_TRY(seen.allocate(static_cast<size_t>(slots)));
    R1K_CUDA_TRY(bad.allocate(1));
    R1K_CUDA_TRY(cudaMemset(seen.ptr, 0, static_cast<size_t>(slots) * sizeof(int)));
    R1K_CUDA_TRY(cudaMemset(bad.ptr, 0, sizeof(int)));
    invert<<<static_cast<unsigned>((slots + kThreads - 1) / kThreads), kThreads>>>(order, slots, inverse.ptr, seen.ptr, bad.ptr);
    int host = 0;
    R1K_CUDA_TRY(cudaMemcpy(&host, bad.ptr, sizeof(int), cudaMemcpyDeviceToHost));
    if (host != 0) return fail(R1K_BAD_ARGUMENT, "r1k_moe_scatter (cuda): order is not a permutation of the slots");
    return R1K_OK;
}

}  // namespace

r1k_status moe_gather(const float* x, const int64_t* order, int64_t n, int64_t k, int64_t h, float* out) {
    gather_rows<<<static_cast<unsigned>(n * k), kThreads>>>(x, order, k, h, out);
    R1K_CUDA_TRY(cudaGetLastError());
    R1K_CUDA_TRY(cudaDeviceSynchronize());
    return R1K_OK;
}

r1k_status moe_scatter(const float* rows, const float* weights, const int64_t* order, int64_t n, int64_t k, int64_t h,
                       float* y) {
    DeviceArray<int64_t> inverse;
    if (auto st = inverse_of(order, n * k, inverse); st != R1K_OK) return st;
    scatter_rows<<<static_cast<unsigned>(n), kThreads>>>(rows, weights, order, inverse.ptr, k, h, y);
    R1K_CUDA_TRY(cudaGetLastError());
    R1K_CUDA_TRY(cudaDeviceSynchronize());
    return R1K_OK;
}

r1k_status moe_scatter_backward(const float* rows, const float* weights, const int64_t* order, const float* grad_y,
                                int64_t n, int64_t k, int64_t h, float* grad_rows, float* grad_weights) {
    DeviceArray<int64_t> inverse;
    if (auto st = inverse_of(order, n * k, inverse); st != R1K_OK) return st;
    scatter_backward_rows<<<static_cast<unsigned>(n * k), kThreads>>>(rows, weights, order, grad_y, k, h, grad_rows, grad_weights);
    R1K_CUDA_TRY(cudaGetLastError());
    R1K_CUDA_TRY(cudaDeviceSynchronize());
    return R1K_OK;
}

}  // namespace r1k::cuda
