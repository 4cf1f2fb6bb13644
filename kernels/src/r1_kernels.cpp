// The C ABI (include/r1_kernels.h): argument checks, then dispatch to the CPU build for this processor's instruction
// set or to the CUDA backend.
#include "r1_kernels.h"

#include <omp.h>

#include <cstring>
#include <string>

#include "cpu/cpu_kernels.hpp"
#include "status.hpp"
#ifdef R1K_WITH_CUDA
#include "cuda/cuda_kernels.hpp"
#endif

namespace r1k {

namespace {

thread_local std::string last_error;

// The widest instruction set this processor runs (checked once: cpuid does not change under a process).
enum class Isa { Generic, Avx2, Avx512 };

Isa detect_isa() {
#if defined(__x86_64__) && defined(R1K_HAVE_X86_BUILDS)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return Isa::Avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#endif
    return Isa::Generic;
}

Isa isa() {
    static const Isa picked = detect_isa();
    return picked;
}

const char* isa_name(Isa i) {
    switch (i) {
        case Isa::Avx512: return "avx512";
        case Isa::Avx2: return "avx2";
        default: return "generic";
    }
}

bool cuda_built() {
#ifdef R1K_WITH_CUDA
    return true;
#else
    return false;
#endif
}

r1k_status check_device(int32_t device, const char* who) {
    if (device == R1K_DEVICE_CPU) return R1K_OK;
    if (device != R1K_DEVICE_CUDA) return fail(R1K_BAD_ARGUMENT, std::string(who) + ": unknown device " + std::to_string(device));
    if (!cuda_built())
        return fail(R1K_NOT_BUILT, std::string(who) + ": this r1_kernels was built without CUDA (cmake -DR1_KERNELS_CUDA=ON)");
    return R1K_OK;
}

r1k_status check_linear(const cpu::LinearLogprobArgs& a, int32_t device, const char* who) {
    if (a.n < 0 || a.h < 1 || a.v < 1)
        return fail(R1K_BAD_ARGUMENT, std::string(who) + ": shapes need n >= 0, h >= 1, v >= 1 (got n=" +
                                          std::to_string(a.n) + ", h=" + std::to_string(a.h) + ", v=" + std::to_string(a.v) + ")");
    if (!(a.inv_temperature > 0.0f)) return fail(R1K_BAD_ARGUMENT, std::string(who) + ": inv_temperature must be positive");
    if (a.n > 0 && (a.hidden == nullptr || a.weight == nullptr || a.targets == nullptr))
        return fail(R1K_BAD_ARGUMENT, std::string(who) + ": hidden, weight and targets must not be NULL");
    // Target ids are read on the host for the CPU backend only; the CUDA kernels check them on the device.
    if (device == R1K_DEVICE_CPU)
        for (int64_t i = 0; i < a.n; ++i)
            if (a.targets[i] < -1 || a.targets[i] >= a.v)
                return fail(R1K_BAD_ARGUMENT, std::string(who) + ": target " + std::to_string(i) + " is " +
                                                  std::to_string(a.targets[i]) + ", outside [0, " + std::to_string(a.v) +
                                                  ") (-1 marks a masked token)");
    return R1K_OK;
}

}  // namespace

r1k_status fail(r1k_status status, const std::string& message) {
    last_error = message;
    return status;
}

void clear_error() { last_error.clear(); }

}  // namespace r1k

using r1k::cpu::LinearLogprobArgs;

extern "C" {

int32_t r1k_abi_version(void) { return R1K_ABI_VERSION; }

const char* r1k_build_info(void) {
    static const std::string info = std::string("cpu=") + r1k::isa_name(r1k::isa()) +
                                    " omp-threads=" + std::to_string(omp_get_max_threads()) +
                                    " cuda=" + (r1k::cuda_built() ? "on" : "off");
    return info.c_str();
}

int32_t r1k_cuda_available(void) {
#ifdef R1K_WITH_CUDA
    return r1k::cuda::available() ? 1 : 0;
#else
    return 0;
#endif
}

const char* r1k_last_error(void) { return r1k::last_error.c_str(); }

int32_t r1k_linear_logprob_forward(int32_t device, int32_t threads, const float* hidden, const float* weight,
                                   const int64_t* targets, int64_t n, int64_t h, int64_t v, float inv_temperature,
                                   float* logprob, float* entropy, float* lse) {
    using namespace r1k;
    clear_error();
    const LinearLogprobArgs a{hidden, weight, targets, n, h, v, inv_temperature, threads};
    if (auto st = check_device(device, "r1k_linear_logprob_forward"); st != R1K_OK) return st;
    if (auto st = check_linear(a, device, "r1k_linear_logprob_forward"); st != R1K_OK) return st;
    if (n > 0 && (logprob == nullptr || lse == nullptr))
        return fail(R1K_BAD_ARGUMENT, "r1k_linear_logprob_forward: logprob and lse must not be NULL");
#ifdef R1K_WITH_CUDA
    if (device == R1K_DEVICE_CUDA) return cuda::linear_logprob_forward(a, logprob, entropy, lse);
#endif
    switch (isa()) {
        case Isa::Avx512: return cpu::avx512::linear_logprob_forward(a, logprob, entropy, lse);
        case Isa::Avx2: return cpu::avx2::linear_logprob_forward(a, logprob, entropy, lse);
        default: return cpu::generic::linear_logprob_forward(a, logprob, entropy, lse);
    }
}

int32_t r1k_linear_logprob_backward(int32_t device, int32_t threads, const float* hidden, const float* weight,
                                    const int64_t* targets, const float* lse, const float* grad_logprob, int64_t n,
                                    int64_t h, int64_t v, float inv_temperature, float* grad_hidden,
                                    float* grad_weight, int32_t accumulate_weight) {
    using namespace r1k;
    clear_error();
    const LinearLogprobArgs a{hidden, weight, targets, n, h, v, inv_temperature, threads};
    if (auto st = check_device(device, "r1k_linear_logprob_backward"); st != R1K_OK) return st;
    if (auto st = check_linear(a, device, "r1k_linear_logprob_backward"); st != R1K_OK) return st;
    if (n > 0 && (lse == nullptr || grad_logprob == nullptr))
        return fail(R1K_BAD_ARGUMENT, "r1k_linear_logprob_backward: lse and grad_logprob must not be NULL");
#ifdef R1K_WITH_CUDA
    if (device == R1K_DEVICE_CUDA)
        return cuda::linear_logprob_backward(a, lse, grad_logprob, grad_hidden, grad_weight, accumulate_weight != 0);
#endif
    switch (isa()) {
        case Isa::Avx512: return cpu::avx512::linear_logprob_backward(a, lse, grad_logprob, grad_hidden, grad_weight,
                                                                     accumulate_weight != 0);
        case Isa::Avx2: return cpu::avx2::linear_logprob_backward(a, lse, grad_logprob, grad_hidden, grad_weight,
                                                                     accumulate_weight != 0);
        default: return cpu::generic::linear_logprob_backward(a, lse, grad_logprob, grad_hidden, grad_weight,
                                                                     accumulate_weight != 0);
    }
}

int32_t r1k_moe_route_order(const int64_t* experts, int64_t slots, int64_t num_experts, int64_t* order, int64_t* counts) {
    using namespace r1k;
    clear_error();
    if (slots < 0 || num_experts < 1)
        return fail(R1K_BAD_ARGUMENT, "r1k_moe_route_order: needs slots >= 0 and num_experts >= 1");
    if ((slots > 0 && (experts == nullptr || order == nullptr)) || counts == nullptr)
        return fail(R1K_BAD_ARGUMENT, "r1k_moe_route_order: experts, order and counts must not be NULL");
    return cpu::moe_route_order(experts, slots, num_experts, order, counts);
}

static r1k_status check_moe(int32_t device, int64_t n, int64_t k, int64_t h, const char* who) {
    using namespace r1k;
    if (auto st = check_device(device, who); st != R1K_OK) return st;
    if (n < 0 || k < 1 || h < 1)
        return fail(R1K_BAD_ARGUMENT, std::string(who) + ": shapes need n >= 0, k >= 1, h >= 1");
    return R1K_OK;
}

int32_t r1k_moe_gather(int32_t device, int32_t threads, const float* x, const int64_t* order, int64_t n, int64_t k,
                       int64_t h, float* out) {
    using namespace r1k;
    clear_error();
    if (auto st = check_moe(device, n, k, h, "r1k_moe_gather"); st != R1K_OK) return st;
    if (n == 0) return R1K_OK;
#ifdef R1K_WITH_CUDA
    if (device == R1K_DEVICE_CUDA) return cuda::moe_gather(x, order, n, k, h, out);
#endif
    return cpu::moe_gather(threads, x, order, n, k, h, out);
}

int32_t r1k_moe_scatter(int32_t device, int32_t threads, const float* rows, const float* weights, const int64_t* order,
                        int64_t n, int64_t k, int64_t h, float* y) {
    using namespace r1k;
    clear_error();
    if (auto st = check_moe(device, n, k, h, "r1k_moe_scatter"); st != R1K_OK) return st;
    if (n == 0) return R1K_OK;
#ifdef R1K_WITH_CUDA
    if (device == R1K_DEVICE_CUDA) return cuda::moe_scatter(rows, weights, order, n, k, h, y);
#endif
    return cpu::moe_scatter(threads, rows, weights, order, n, k, h, y);
}

int32_t r1k_moe_scatter_backward(int32_t device, int32_t threads, const float* rows, const float* weights,
                                 const int64_t* order, const float* grad_y, int64_t n, int64_t k, int64_t h,
                                 float* grad_rows, float* grad_weights) {
    using namespace r1k;
    clear_error();
    if (auto st = check_moe(device, n, k, h, "r1k_moe_scatter_backward"); st != R1K_OK) return st;
    if (n == 0) return R1K_OK;
#ifdef R1K_WITH_CUDA
    if (device == R1K_DEVICE_CUDA)
        return cuda::moe_scatter_backward(rows, weights, order, grad_y, n, k, h, grad_rows, grad_weights);
#endif
    return cpu::moe_scatter_backward(threads, rows, weights, order, grad_y, n, k, h, grad_rows, grad_weights);
}

}  // extern "C"
