/*
 * r1_kernels: the C ABI of DeepSeekR1.Actors' native kernels (kernels/README.md).
 *
 * Every function returns an r1k_status; on failure r1k_last_error() holds a message for the calling thread.
 * All tensors are dense, row-major (C-contiguous) float32 or int64 buffers; shapes are passed explicitly. A function
 * given R1K_DEVICE_CUDA expects device pointers and runs on the legacy default stream, synchronising before it
 * returns. Outputs are overwritten, never accumulated into. Nothing here keeps a pointer after it returns.
 */
#ifndef R1_KERNELS_H
#define R1_KERNELS_H

#include <stdint.h>

#if defined(_WIN32)
#define R1K_API __declspec(dllexport)
#else
#define R1K_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature or a meaning below changes; the C# side refuses a library with another version. */
#define R1K_ABI_VERSION 1

typedef enum r1k_status {
    R1K_OK = 0,
    R1K_BAD_ARGUMENT = 1,   /* a shape, an id or a pointer is invalid: the message says which */
    R1K_NOT_BUILT = 2,      /* the backend asked for is not in this build (CUDA without R1_KERNELS_CUDA=ON) */
    R1K_DEVICE_ERROR = 3,   /* the CUDA runtime failed: the message holds its error string */
    R1K_OUT_OF_MEMORY = 4   /* a work buffer could not be allocated */
} r1k_status;

typedef enum r1k_device {
    R1K_DEVICE_CPU = 0,
    R1K_DEVICE_CUDA = 1
} r1k_device;

/* R1K_ABI_VERSION of the library that was loaded. */
R1K_API int32_t r1k_abi_version(void);

/* One line naming the backends and the CPU code path picked at load ("cpu=avx512 omp-threads=2 cuda=off"). */
R1K_API const char* r1k_build_info(void);

/* 1 when the library was built with CUDA and a device is present, else 0. */
R1K_API int32_t r1k_cuda_available(void);

/* The message of the last failed call on this thread ("" when none). */
R1K_API const char* r1k_last_error(void);

/*
 * Fused linear log-prob + entropy, forward.
 * For each token i < n: z_i = (hidden[i] . weight^T) * inv_temperature (the logits over the vocabulary, never stored),
 *   lse[i]      = log sum_j exp(z_ij)
 *   logprob[i]  = z_i[targets[i]] - lse[i]
 *   entropy[i]  = lse[i] - sum_j softmax(z_i)_j z_ij          (entropy may be NULL)
 * hidden [n, h], weight [v, h] (the LM head, or the tied embedding), targets [n] in [0, v) or -1 for a masked token
 * (its logprob and entropy are 0 and it gets no gradient). lse [n] is kept for the backward pass.
 * threads: OpenMP threads for the CPU backend (0 = the OpenMP default).
 */
R1K_API int32_t r1k_linear_logprob_forward(int32_t device, int32_t threads,
    const float* hidden, const float* weight, const int64_t* targets,
    int64_t n, int64_t h, int64_t v, float inv_temperature,
    float* logprob, float* entropy, float* lse);

/*
 * Fused linear log-prob, backward: given grad_logprob [n] (dL/dlogprob) and the forward's lse [n],
 *   dL/dz_ij      = grad_logprob[i] * (1[j == targets[i]] - softmax(z_i)_j)
 *   grad_hidden   = inv_temperature * (dL/dz) @ weight        [n, h]   (may be NULL)
 *   grad_weight   = inv_temperature * (dL/dz)^T @ hidden      [v, h]   (may be NULL)
 * recomputing the logits tile by tile. The entropy is treated as detached (no gradient), as the learner uses it.
 * accumulate_weight != 0 adds into grad_weight instead of overwriting it (the weight's existing gradient buffer:
 * no second [v, h] tensor, as Megatron's gradient_accumulation_fusion); grad_hidden is always overwritten.
 */
R1K_API int32_t r1k_linear_logprob_backward(int32_t device, int32_t threads,
    const float* hidden, const float* weight, const int64_t* targets, const float* lse, const float* grad_logprob,
    int64_t n, int64_t h, int64_t v, float inv_temperature,
    float* grad_hidden, float* grad_weight, int32_t accumulate_weight);

/*
 * MoE route order: sorts the slots = n * k (token, choice) pairs by expert, stably (ties keep slot order), as the
 * layer's argsort of expert * slots + slot does. experts [slots] in [0, num_experts); order [slots] receives the slot
 * at each sorted position, counts [num_experts] the rows of each expert. CPU only (it is O(slots)).
 */
R1K_API int32_t r1k_moe_route_order(const int64_t* experts, int64_t slots, int64_t num_experts,
    int64_t* order, int64_t* counts);

/*
 * MoE gather: out[r] = x[order[r] / k] for r < slots; x [n, h], out [slots, h]: the token rows grouped by expert,
 * the layout expert shards receive.
 */
R1K_API int32_t r1k_moe_gather(int32_t device, int32_t threads,
    const float* x, const int64_t* order, int64_t n, int64_t k, int64_t h, float* out);

/*
 * MoE weighted scatter-add, the inverse of the gather:
 *   y[t] = sum over the k sorted positions r of token t (ascending r) of weights[order[r]] * rows[r]
 * rows [slots, h]; weights [slots] indexed by slot (NULL = all 1: the gather's backward); y [n, h].
 * Each token's k rows are summed in sorted order by one thread: deterministic, no atomics.
 */
R1K_API int32_t r1k_moe_scatter(int32_t device, int32_t threads,
    const float* rows, const float* weights, const int64_t* order, int64_t n, int64_t k, int64_t h, float* y);

/*
 * Backward of the scatter: grad_rows[r] = weights[order[r]] * grad_y[order[r] / k] and
 * grad_weights[order[r]] = rows[r] . grad_y[order[r] / k]. Either output may be NULL.
 */
R1K_API int32_t r1k_moe_scatter_backward(int32_t device, int32_t threads,
    const float* rows, const float* weights, const int64_t* order, const float* grad_y,
    int64_t n, int64_t k, int64_t h, float* grad_rows, float* grad_weights);

#ifdef __cplusplus
}
#endif

#endif /* R1_KERNELS_H */
