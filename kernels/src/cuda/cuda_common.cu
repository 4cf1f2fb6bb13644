// NOT YET BUILT BY NVCC OR RUN on a GPU; type-checked by clang (tools/cuda-check.sh, kernels/README.md).
#include "cuda_common.cuh"
#include "cuda_kernels.hpp"

namespace r1k::cuda {

r1k_status check(cudaError_t error, const char* what) {
    if (error == cudaSuccess) return R1K_OK;
    return fail(error == cudaErrorMemoryAllocation ? R1K_OUT_OF_MEMORY : R1K_DEVICE_ERROR,
                std::string(what) + ": " + cudaGetErrorString(error));
}

r1k_status check(cublasStatus_t status, const char* what) {
    if (status == CUBLAS_STATUS_SUCCESS) return R1K_OK;
    return fail(R1K_DEVICE_ERROR, std::string(what) + ": cuBLAS status " + std::to_string(static_cast<int>(status)));
}

cublasHandle_t blas() {
    thread_local cublasHandle_t handle = [] {
        cublasHandle_t h = nullptr;
        if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) return static_cast<cublasHandle_t>(nullptr);
        return h;
    }();
    return handle;
}

bool available() {
    int count = 0;
    return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

}  // namespace r1k::cuda
