// The fused linear log-prob kernels built for avx2 (flags in kernels/CMakeLists.txt): 8 floats per register,
// 6 x 16 micro-tiles.
#define R1K_ISA avx2
#define R1K_LANES 8
#define R1K_MR 6
#define R1K_NV 2
#include "linear_logprob_impl.hpp"
