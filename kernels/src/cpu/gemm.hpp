// A small blocked single-precision GEMM for the fused kernels' tiles: C[M, N] (+)= A[M, K] B[K, N].
//
// The fused kernels multiply three different pairings of the same tiles (logits = X W^T, dX = dZ W, dW = dZ^T X),
// so A is addressed by two strides (A(r, k) = A[r * ars + k * aks]: row-major, or transposed for free) and B by
// column panels of kNr columns (B(k, c) = B[(c / kNr) * panel_stride + k * ldb + c % kNr]: a row-major matrix is
// panel_stride = kNr, ldb = its row length; a packed panel-major matrix is panel_stride = K * kNr, ldb = kNr).
// The micro-kernel keeps an kMr x kNr block of C in registers and, for each k, broadcasts one A value per row and
// multiplies it with kNv vectors of B: kMr * kNv fused multiply-adds per kNv + kMr loads.
#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "simd.hpp"

#ifndef R1K_MR
#error "define R1K_MR (micro-tile rows) and R1K_NV (micro-tile vectors) before including gemm.hpp"
#endif

namespace r1k::cpu::R1K_ISA::gemm {

using simd::vf;
constexpr int kMr = R1K_MR;
constexpr int kNv = R1K_NV;
constexpr int kNr = kNv * simd::kLanes;

template <int R>
static inline void micro(int64_t K, const float* A, int64_t ars, int64_t aks, const float* B, int64_t ldb, float* C,
                         int64_t ldc, bool accumulate) {
    vf c[R][kNv];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
        for (int v = 0; v < kNv; ++v) c[r][v] = accumulate ? simd::load(C + r * ldc + v * simd::kLanes) : vf{};
    for (int64_t k = 0; k < K; ++k) {
        const float* b = B + k * ldb;
        vf bv[kNv];
#pragma GCC unroll 8
        for (int v = 0; v < kNv; ++v) bv[v] = simd::load(b + v * simd::kLanes);
        const float* a = A + k * aks;
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            vf ar = simd::splat(a[r * ars]);
#pragma GCC unroll 8
            for (int v = 0; v < kNv; ++v) c[r][v] += ar * bv[v];
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
        for (int v = 0; v < kNv; ++v) simd::store(C + r * ldc + v * simd::kLanes, c[r][v]);
}

using MicroFn = void (*)(int64_t, const float*, int64_t, int64_t, const float*, int64_t, float*, int64_t, bool);

template <std::size_t... I>
constexpr auto make_micro_table(std::index_sequence<I...>) {
    return std::array<MicroFn, sizeof...(I)>{&micro<static_cast<int>(I) + 1>...};
}

// micro<R> for R = 1..kMr: the rows left over at the bottom of C run the same kernel with fewer registers.
inline const auto& micro_table() {
    static const auto table = make_micro_table(std::make_index_sequence<kMr>{});
    return table;
}

// C (+)= A B over the whole [M, N] (accumulate = add into C, else overwrite). Columns past the last full panel
// (only for row-major B whose N is not a multiple of kNr) run a scalar loop.
inline void run(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars, int64_t aks, const float* B,
                int64_t ldb, int64_t panel_stride, float* C, int64_t ldc, bool accumulate) {
    const auto& table = micro_table();
    const int64_t full = N / kNr * kNr;
    for (int64_t c0 = 0; c0 < full; c0 += kNr) {
        const float* panel = B + (c0 / kNr) * panel_stride;
        int64_t r0 = 0;
        for (; r0 + kMr <= M; r0 += kMr)
            micro<kMr>(K, A + r0 * ars, ars, aks, panel, ldb, C + r0 * ldc + c0, ldc, accumulate);
        if (r0 < M) table[M - r0 - 1](K, A + r0 * ars, ars, aks, panel, ldb, C + r0 * ldc + c0, ldc, accumulate);
    }
    for (int64_t c = full; c < N; ++c) {
        const float* b = B + (c / kNr) * panel_stride + c % kNr;
        for (int64_t r = 0; r < M; ++r) {
            float s = accumulate ? C[r * ldc + c] : 0.0f;
            for (int64_t k = 0; k < K; ++k) s += A[r * ars + k * aks] * b[k * ldb];
            C[r * ldc + c] = s;
        }
    }
}

}  // namespace r1k::cpu::R1K_ISA::gemm
