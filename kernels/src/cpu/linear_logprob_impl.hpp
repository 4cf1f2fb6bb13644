// Fused linear log-prob + entropy on the CPU: the body compiled once per instruction set (linear_logprob_*.cpp).
//
// The logits Z = X W^T / T of n tokens over a vocabulary of v are never held whole. Tokens go in super-blocks of
// kSuper rows; inside one, the threads split the vocabulary into blocks of kVb rows of W, and each thread walks its
// blocks over the super-block's tokens in tiles of kTb: one [kTb, kVb] logits tile at a time, in L2.
//
// Forward: each thread keeps, per token, an online logsumexp over the vocabulary it has seen (running max m, sum s of
// exp(z - m), sum q of exp(z - m) z for the entropy); at the end of the super-block the threads' partial sums are
// merged (rescaled to the common max). log p(target) = z_target - lse, entropy = lse - q / s.
//
// Backward: the same walk recomputes each tile, turns it into dL/dZ = g (onehot - softmax) / T in place, and
// multiplies it into dW (rows of this thread's vocabulary block: no two threads write the same rows) and into a
// per-thread dX partial for the super-block, summed over threads in thread order at the end (deterministic for a
// given thread count). Memory beyond inputs and outputs: per thread one packed W block, one logits tile and one
// [kSuper, h] dX partial in double and one in float.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <vector>

#include "../status.hpp"
#include "cpu_kernels.hpp"
#include "gemm.hpp"
#include "simd.hpp"

namespace r1k::cpu::R1K_ISA {

namespace {

using simd::vf;
constexpr int64_t kNr = gemm::kNr;
constexpr int64_t kVb = 128;                         // vocabulary rows per block (a multiple of kNr)
constexpr int64_t kTb = 8 * gemm::kMr;               // tokens per logits tile
constexpr int64_t kSuper = 12 * kTb;                 // tokens per super-block
static_assert(kVb % kNr == 0, "the vocabulary block must be whole panels");

int team_size(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

// Packs rows [0, rows) of a [*, h] row-major block of W into panel-major W^T: panel p holds columns
// [p * kNr, (p + 1) * kNr) of W^T as [h, kNr], rows past `rows` zero, so the logits GEMM reads B contiguously.
void pack_transposed(const float* w, int64_t rows, int64_t h, float* packed) {
    for (int64_t p = 0; p < kVb / kNr; ++p) {
        float* panel = packed + p * h * kNr;
        for (int64_t c = 0; c < kNr; ++c) {
            int64_t j = p * kNr + c;
            if (j < rows) {
                const float* src = w + j * h;
                for (int64_t k = 0; k < h; ++k) panel[k * kNr + c] = src[k];
            } else {
                for (int64_t k = 0; k < h; ++k) panel[k * kNr + c] = 0.0f;
            }
        }
    }
}

// Logits tile [tb, kVb] = X[t0 .. t0 + tb) W_block^T * inv_temperature (columns past the block's rows are garbage-free
// zeros times the scale, never read by the callers).
void logits_tile(const float* x, int64_t tb, int64_t h, const float* packed, float inv_t, float* z) {
    gemm::run(tb, kVb, h, x, h, 1, packed, kNr, h * kNr, z, kVb, false);
    const vf scale = simd::splat(inv_t);
    for (int64_t i = 0; i < tb * kVb; i += simd::kLanes) simd::store(z + i, simd::load(z + i) * scale);
}

constexpr int kFlushBlocks = 8;                      // vocabulary blocks summed in float before dX's double sum

struct Buffers {
    std::vector<float> packed, tile, dx_group;
    explicit Buffers(int64_t h, bool with_dx = false)
        : packed(static_cast<size_t>(kVb * h)), tile(static_cast<size_t>(kTb * kVb)),
          dx_group(with_dx ? static_cast<size_t>(kSuper * h) : 0, 0.0f) {}
};

// partial += group over the super-block's rows; group = 0.
void flush(float* group, double* partial, int64_t count) {
    for (int64_t e = 0; e < count; ++e) {
        partial[e] += group[e];
        group[e] = 0.0f;
    }
}

}  // namespace

r1k_status linear_logprob_forward(const LinearLogprobArgs& a, float* logprob, float* entropy, float* lse) {
    const int64_t n = a.n, h = a.h, v = a.v;
    if (n == 0) return R1K_OK;
    const int threads = team_size(a.threads);
    const int64_t blocks = (v + kVb - 1) / kVb;
    std::vector<double> stats;          // per thread, per super-block row: m, s, q
    std::vector<float> target_logit;    // z at the target, written by the thread that owns its vocabulary block
    try {
        stats.resize(static_cast<size_t>(threads) * kSuper * 3);
        target_logit.assign(static_cast<size_t>(n), 0.0f);
    } catch (const std::bad_alloc&) {
        return fail(R1K_OUT_OF_MEMORY, "linear_logprob_forward: could not allocate the per-thread statistics");
    }
    bool out_of_memory = false;
    for (int64_t s0 = 0; s0 < n; s0 += kSuper) {
        const int64_t sn = std::min(kSuper, n - s0);
#pragma omp parallel num_threads(threads)
        {
            const int tid = omp_get_thread_num();
            double* m = stats.data() + static_cast<size_t>(tid) * kSuper * 3;
            double* s = m + kSuper;
            double* q = s + kSuper;
            for (int64_t i = 0; i < sn; ++i) {
                m[i] = -std::numeric_limits<double>::infinity();
                s[i] = 0.0;
                q[i] = 0.0;
            }
            Buffers* buf = nullptr;
            try {
                buf = new Buffers(h);
            } catch (const std::bad_alloc&) {
#pragma omp atomic write
                out_of_memory = true;
            }
#pragma omp for schedule(static)
            for (int64_t b = 0; b < blocks; ++b) {
                if (buf == nullptr) continue;
                const int64_t j0 = b * kVb, cols = std::min(kVb, v - j0);
                const int64_t full = cols / simd::kLanes * simd::kLanes;
                pack_transposed(a.weight + j0 * h, cols, h, buf->packed.data());
                for (int64_t t0 = 0; t0 < sn; t0 += kTb) {
                    const int64_t tb = std::min(kTb, sn - t0);
                    float* z = buf->tile.data();
                    logits_tile(a.hidden + (s0 + t0) * h, tb, h, buf->packed.data(), a.inv_temperature, z);
                    for (int64_t i = 0; i < tb; ++i) {
                        const float* zi = z + i * kVb;
                        const int64_t row = t0 + i;
                        // The tile's max, then the sums relative to the running max (rescaled when it grows).
                        vf vmax = simd::splat(-std::numeric_limits<float>::infinity());
                        for (int64_t j = 0; j < full; j += simd::kLanes) {
                            vf zj = simd::load(zi + j);
                            vmax = zj > vmax ? zj : vmax;
                        }
                        float tile_max = simd::reduce_max(vmax);
                        for (int64_t j = full; j < cols; ++j) tile_max = std::max(tile_max, zi[j]);
                        if (tile_max > m[row]) {
                            const double shrink = std::exp(m[row] - tile_max);
                            s[row] *= shrink;
                            q[row] *= shrink;
                            m[row] = tile_max;
                        }
                        const float mf = static_cast<float>(m[row]);
                        const vf vm = simd::splat(mf);
                        vf ve{}, vez{};
                        for (int64_t j = 0; j < full; j += simd::kLanes) {
                            vf zj = simd::load(zi + j);
                            vf e = simd::exp(zj - vm);
                            ve += e;
                            vez += e * zj;
                        }
                        double se = simd::reduce_sum(ve), sez = simd::reduce_sum(vez);
                        for (int64_t j = full; j < cols; ++j) {
                            double e = std::exp(static_cast<double>(zi[j]) - mf);
                            se += e;
                            sez += e * zi[j];
                        }
                        // Sums were taken relative to mf (m rounded to float); fold the rounding back in.
                        const double fix = std::exp(static_cast<double>(mf) - m[row]);
                        s[row] += se * fix;
                        q[row] += sez * fix;
                        const int64_t target = a.targets[s0 + row];
                        if (target >= j0 && target < j0 + cols) target_logit[s0 + row] = zi[target - j0];
                    }
                }
            }
            // (implicit barrier) Merge the threads' partial sums of each row.
            const int team = omp_get_num_threads();
#pragma omp for schedule(static)
            for (int64_t i = 0; i < sn; ++i) {
                double big = -std::numeric_limits<double>::infinity();
                for (int t = 0; t < team; ++t) big = std::max(big, stats[static_cast<size_t>(t) * kSuper * 3 + i]);
                double sum = 0.0, qsum = 0.0;
                for (int t = 0; t < team; ++t) {
                    const double* mt = stats.data() + static_cast<size_t>(t) * kSuper * 3;
                    if (mt[kSuper + i] == 0.0) continue;
                    const double w = std::exp(mt[i] - big);
                    sum += mt[kSuper + i] * w;
                    qsum += mt[2 * kSuper + i] * w;
                }
                const double l = big + std::log(sum);
                const int64_t row = s0 + i;
                const bool masked = a.targets[row] < 0;
                lse[row] = static_cast<float>(l);
                logprob[row] = masked ? 0.0f : static_cast<float>(target_logit[row] - l);
                if (entropy != nullptr) entropy[row] = masked ? 0.0f : static_cast<float>(l - qsum / sum);
            }
            delete buf;
        }
        if (out_of_memory) return fail(R1K_OUT_OF_MEMORY, "linear_logprob_forward: could not allocate a thread's tile buffers");
    }
    return R1K_OK;
}

r1k_status linear_logprob_backward(const LinearLogprobArgs& a, const float* lse, const float* grad_logprob,
                                   float* grad_hidden, float* grad_weight, bool accumulate_weight) {
    const int64_t n = a.n, h = a.h, v = a.v;
    if (grad_weight != nullptr && n == 0 && !accumulate_weight) std::fill(grad_weight, grad_weight + v * h, 0.0f);
    if (n == 0 || (grad_hidden == nullptr && grad_weight == nullptr)) return R1K_OK;
    const int threads = team_size(a.threads);
    const int64_t blocks = (v + kVb - 1) / kVb;
    // Per thread: the super-block's dX contribution of its vocabulary blocks, in double: dX sums v / kVb block
    // products, and in float that sum loses about 1e-5 of its magnitude at v = 151,936. Each group of kFlushBlocks
    // products is summed in float first (a thread buffer), so the double sum costs one pass per group, not per block.
    std::vector<double> partial;
    try {
        if (grad_hidden != nullptr) partial.resize(static_cast<size_t>(threads) * kSuper * h);
    } catch (const std::bad_alloc&) {
        return fail(R1K_OUT_OF_MEMORY, "linear_logprob_backward: could not allocate the per-thread dX partials");
    }
    bool out_of_memory = false;
    for (int64_t s0 = 0; s0 < n; s0 += kSuper) {
        const int64_t sn = std::min(kSuper, n - s0);
#pragma omp parallel num_threads(threads)
        {
            const int tid = omp_get_thread_num();
            double* dx = grad_hidden != nullptr ? partial.data() + static_cast<size_t>(tid) * kSuper * h : nullptr;
            if (dx != nullptr) std::fill(dx, dx + sn * h, 0.0);
            Buffers* buf = nullptr;
            try {
                buf = new Buffers(h, dx != nullptr);
            } catch (const std::bad_alloc&) {
#pragma omp atomic write
                out_of_memory = true;
            }
            int pending = 0;   // blocks in the float group not yet added to the double partial
#pragma omp for schedule(static) nowait
            for (int64_t b = 0; b < blocks; ++b) {
                if (buf == nullptr) continue;
                const int64_t j0 = b * kVb, cols = std::min(kVb, v - j0);
                const float* wb = a.weight + j0 * h;
                pack_transposed(wb, cols, h, buf->packed.data());
                for (int64_t t0 = 0; t0 < sn; t0 += kTb) {
                    const int64_t tb = std::min(kTb, sn - t0);
                    float* z = buf->tile.data();
                    const float* xt = a.hidden + (s0 + t0) * h;
                    logits_tile(xt, tb, h, buf->packed.data(), a.inv_temperature, z);
                    // dL/dZ_ij = g_i (onehot - p_ij), times 1/T for the logits before the temperature.
                    for (int64_t i = 0; i < tb; ++i) {
                        float* zi = z + i * kVb;
                        const int64_t row = s0 + t0 + i;
                        const int64_t target = a.targets[row];
                        const float g = target < 0 ? 0.0f : grad_logprob[row] * a.inv_temperature;
                        const vf vl = simd::splat(lse[row]), vg = simd::splat(-g);
                        for (int64_t j = 0; j < kVb; j += simd::kLanes)
                            simd::store(zi + j, vg * simd::exp(simd::load(zi + j) - vl));
                        for (int64_t j = cols; j < kVb; ++j) zi[j] = 0.0f;
                        if (target >= j0 && target < j0 + cols) zi[target - j0] += g;
                    }
                    if (dx != nullptr)   // dX[tile] += dZ W_block, into the float group
                        gemm::run(tb, h, cols, z, kVb, 1, wb, h, kNr, buf->dx_group.data() + t0 * h, h, true);
                    if (grad_weight != nullptr)   // dW_block (+)= dZ^T X[tile]
                        gemm::run(cols, h, tb, z, 1, kVb, xt, h, kNr, grad_weight + j0 * h, h,
                                  accumulate_weight || s0 > 0 || t0 > 0);
                }
                if (dx != nullptr && ++pending == kFlushBlocks) {
                    flush(buf->dx_group.data(), dx, sn * h);
                    pending = 0;
                }
            }
            if (dx != nullptr && buf != nullptr && pending > 0) flush(buf->dx_group.data(), dx, sn * h);
#pragma omp barrier
            // (implicit barrier) dX of the super-block = the threads' partials, summed in thread order.
            if (grad_hidden != nullptr) {
                const int team = omp_get_num_threads();
#pragma omp for schedule(static)
                for (int64_t i = 0; i < sn; ++i) {
                    float* out = grad_hidden + (s0 + i) * h;
                    for (int64_t k = 0; k < h; ++k) {
                        double sum = 0.0;
                        for (int t = 0; t < team; ++t) sum += partial[static_cast<size_t>(t) * kSuper * h + i * h + k];
                        out[k] = static_cast<float>(sum);
                    }
                }
            }
            delete buf;
        }
        if (out_of_memory) return fail(R1K_OUT_OF_MEMORY, "linear_logprob_backward: could not allocate a thread's tile buffers");
    }
    return R1K_OK;
}

}  // namespace r1k::cpu::R1K_ISA
