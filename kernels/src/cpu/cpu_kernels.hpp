// The CPU backend's entry points, one set per instruction set: the same source (linear_logprob_impl.hpp) is compiled
// once for AVX-512, once for AVX2+FMA and once for plain x86-64, and r1_kernels.cpp picks one at load time.
#pragma once

#include <cstdint>

#include "r1_kernels.h"

namespace r1k::cpu {

// Arguments of the fused linear log-prob kernels, already checked by the ABI layer.
struct LinearLogprobArgs {
    const float* hidden;        // [n, h]
    const float* weight;        // [v, h]
    const int64_t* targets;     // [n], -1 = masked
    int64_t n, h, v;
    float inv_temperature;
    int threads;                // 0 = the OpenMP default
};

#define R1K_DECLARE_ISA(isa)                                                                                   \
    namespace isa {                                                                                            \
    r1k_status linear_logprob_forward(const LinearLogprobArgs& a, float* logprob, float* entropy, float* lse);  \
    r1k_status linear_logprob_backward(const LinearLogprobArgs& a, const float* lse, const float* grad_logprob, \
                                       float* grad_hidden, float* grad_weight, bool accumulate_weight);         \
    }

R1K_DECLARE_ISA(avx512)
R1K_DECLARE_ISA(avx2)
R1K_DECLARE_ISA(generic)
#undef R1K_DECLARE_ISA

// MoE token permutation (memory-bound: one build for every CPU).
r1k_status moe_route_order(const int64_t* experts, int64_t slots, int64_t num_experts, int64_t* order, int64_t* counts);
r1k_status moe_gather(int threads, const float* x, const int64_t* order, int64_t n, int64_t k, int64_t h, float* out);
r1k_status moe_scatter(int threads, const float* rows, const float* weights, const int64_t* order, int64_t n, int64_t k,
                       int64_t h, float* y);
r1k_status moe_scatter_backward(int threads, const float* rows, const float* weights, const int64_t* order,
                                const float* grad_y, int64_t n, int64_t k, int64_t h, float* grad_rows,
                                float* grad_weights);

}  // namespace r1k::cpu
