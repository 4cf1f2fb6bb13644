// The fused linear log-prob kernels built for generic (flags in kernels/CMakeLists.txt): 4 floats per register,
// 4 x 8 micro-tiles.
#define R1K_ISA generic
#define R1K_LANES 4
#define R1K_MR 4
#define R1K_NV 2
#include "linear_logprob_impl.hpp"
