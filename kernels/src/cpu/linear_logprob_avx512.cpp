// The fused linear log-prob kernels built for avx512 (flags in kernels/CMakeLists.txt): 16 floats per register,
// 12 x 32 micro-tiles.
#define R1K_ISA avx512
#define R1K_LANES 16
#define R1K_MR 12
#define R1K_NV 2
#include "linear_logprob_impl.hpp"
