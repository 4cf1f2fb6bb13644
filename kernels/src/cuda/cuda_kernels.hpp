// The CUDA backend's entry points (built only with -DR1_KERNELS_CUDA=ON). Pointers are device pointers; every call
// runs on the legacy default stream and synchronises before it returns, so its outputs are ready for the caller.
#pragma once

#include <cstdint>

#include "../cpu/cpu_kernels.hpp"
#include "r1_kernels.h"

namespace r1k::cuda {

bool available();
r1k_status linear_logprob_forward(const cpu::LinearLogprobArgs& a, float* logprob, float* entropy, float* lse);
r1k_status linear_logprob_backward(const cpu::LinearLogprobArgs& a, const float* lse, const float* grad_logprob,
                                   float* grad_hidden, float* grad_weight, bool accumulate_weight);
r1k_status moe_gather(const float* x, const int64_t* order, int64_t n, int64_t k, int64_t h, float* out);
r1k_status moe_scatter(const float* rows, const float* weights, const int64_t* order, int64_t n, int64_t k, int64_t h,
                       float* y);
r1k_status moe_scatter_backward(const float* rows, const float* weights, const int64_t* order, const float* grad_y,
                                int64_t n, int64_t k, int64_t h, float* grad_rows, float* grad_weights);

}  // namespace r1k::cuda
