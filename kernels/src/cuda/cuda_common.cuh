// Shared pieces of the CUDA backend: error translation into r1k_status and the cuBLAS handle.
// NOT YET BUILT BY NVCC OR RUN: no machine with nvcc was available when this was written; clang type-checks it (kernels/README.md).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <string>

#include "../status.hpp"

namespace r1k::cuda {

// Returns R1K_OK, or records the CUDA error with the call that failed.
r1k_status check(cudaError_t error, const char* what);
r1k_status check(cublasStatus_t status, const char* what);

// One cuBLAS handle per host thread, on the legacy default stream, created on first use.
cublasHandle_t blas();

// A device allocation freed when it goes out of scope.
template <typename T>
struct DeviceArray {
    T* ptr = nullptr;
    cudaError_t allocate(size_t count) { return cudaMalloc(reinterpret_cast<void**>(&ptr), count * sizeof(T)); }
    ~DeviceArray() { if (ptr != nullptr) cudaFree(ptr); }
};

#define R1K_CUDA_TRY(expr)                                         \
    do {                                                           \
        if (r1k_status st_ = ::r1k::cuda::check((expr), #expr);    \
            st_ != R1K_OK) return st_;                             \
    } while (0)

}  // namespace r1k::cuda
