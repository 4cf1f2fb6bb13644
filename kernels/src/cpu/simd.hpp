// Portable SIMD for the CPU backend, written with GCC/Clang vector extensions so one source serves every instruction
// set: the including file defines R1K_LANES (floats per register: 16 for AVX-512, 8 for AVX2, 4 for SSE2) and is
// compiled with the matching -m flags, and the compiler maps each operation to that register width.
#pragma once

#include <cstdint>
#include <cstring>

#if !defined(R1K_LANES) || !defined(R1K_ISA)
#error "define R1K_ISA (the namespace of this build) and R1K_LANES (16, 8 or 4) before including simd.hpp"
#endif

// Each instruction set gets its own namespace, so the three builds of these inline functions never meet at link time.
namespace r1k::cpu::R1K_ISA::simd {

constexpr int kLanes = R1K_LANES;

typedef float vf __attribute__((vector_size(R1K_LANES * 4)));
typedef int32_t vi __attribute__((vector_size(R1K_LANES * 4)));
// The same vector with 4-byte alignment: loads and stores at any float address.
typedef float vf_unaligned __attribute__((vector_size(R1K_LANES * 4), aligned(4), may_alias));

inline vf load(const float* p) { return *reinterpret_cast<const vf_unaligned*>(p); }
inline void store(float* p, vf x) { *reinterpret_cast<vf_unaligned*>(p) = x; }
inline vf splat(float x) { return vf{} + x; }

inline float reduce_max(vf x) {
    float m = x[0];
    for (int i = 1; i < kLanes; ++i) m = x[i] > m ? x[i] : m;
    return m;
}

inline float reduce_sum(vf x) {
    float s = 0.0f;
    for (int i = 0; i < kLanes; ++i) s += x[i];
    return s;
}

// exp(x) for x <= 88: exp(x) = 2^n * exp(r) with n = round(x / ln 2) and |r| <= ln(2) / 2, exp(r) by its Taylor
// series to degree 7 (truncation error below 6e-9 relative). Inputs below -87 give 2^-126 * exp(r), about 1e-38: the
// callers only feed x - max(x), where such terms are negligible against the 1 the maximum contributes.
inline vf exp(vf x) {
    const vf lo = splat(-87.0f), hi = splat(88.0f);
    x = x < lo ? lo : x;
    x = x > hi ? hi : x;
    // Round to nearest by adding and subtracting 1.5 * 2^23 (exact in the default rounding mode).
    const vf magic = splat(12582912.0f);
    vf n = (x * splat(1.44269504088896341f) + magic) - magic;
    vf r = x - n * splat(0.693359375f);        // ln 2 split in two for an exact first product
    r = r - n * splat(-2.12194440e-4f);
    vf p = splat(1.0f / 5040.0f);
    p = p * r + splat(1.0f / 720.0f);
    p = p * r + splat(1.0f / 120.0f);
    p = p * r + splat(1.0f / 24.0f);
    p = p * r + splat(1.0f / 6.0f);
    p = p * r + splat(0.5f);
    p = p * r + splat(1.0f);
    p = p * r + splat(1.0f);
    vi bits = (__builtin_convertvector(n, vi) + 127) << 23;
    vf scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

}  // namespace r1k::cpu::R1K_ISA::simd
