// A stand-in for the CUDA toolkit's cuda_runtime.h, for checking the CUDA sources with clang's CUDA front end on a
// machine without the toolkit (tools/cuda-check.sh). It declares only what src/cuda uses, with the toolkit's
// signatures; nothing is defined, so nothing built against it can link or run. The real build uses the real header.
#pragma once

// Preincluded (-include) before the sources, as clang preincludes its own runtime wrapper with the real toolkit: the
// standard-library wrappers clang adds in CUDA mode (cuda_wrappers/) need these macros and malloc declared first.
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define __host__ __attribute__((host))
#define __device__ __attribute__((device))
#define __global__ __attribute__((global))
#define __shared__ __attribute__((shared))
#define __constant__ __attribute__((constant))
#define __forceinline__ __inline__ __attribute__((always_inline))

#include <__clang_cuda_builtin_vars.h>   // threadIdx, blockIdx, blockDim, gridDim, warpSize

struct uint3 {
    unsigned x, y, z;
};

struct dim3 {
    unsigned x, y, z;
    __host__ __device__ constexpr dim3(unsigned vx = 1, unsigned vy = 1, unsigned vz = 1) : x(vx), y(vy), z(vz) {}
    __host__ __device__ constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};

enum cudaError { cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorMemoryAllocation = 2 };
typedef enum cudaError cudaError_t;
enum cudaMemcpyKind { cudaMemcpyHostToHost = 0, cudaMemcpyHostToDevice = 1, cudaMemcpyDeviceToHost = 2, cudaMemcpyDeviceToDevice = 3, cudaMemcpyDefault = 4 };
typedef struct CUstream_st* cudaStream_t;

extern "C" {
__host__ cudaError_t cudaMalloc(void** devPtr, size_t size);
__host__ cudaError_t cudaFree(void* devPtr);
__host__ cudaError_t cudaMemset(void* devPtr, int value, size_t count);
__host__ cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, enum cudaMemcpyKind kind);
__host__ cudaError_t cudaDeviceSynchronize(void);
__host__ cudaError_t cudaGetLastError(void);
__host__ cudaError_t cudaGetDeviceCount(int* count);
__host__ const char* cudaGetErrorString(cudaError_t error);
// What clang lowers `kernel<<<grid, block, shared, stream>>>(...)` to: __cudaPushCallConfiguration from CUDA 9.2 on,
// cudaConfigureCall before (clang picks by the toolkit version it finds; with none it takes the older).
__host__ unsigned __cudaPushCallConfiguration(dim3 gridDim, dim3 blockDim, size_t sharedMem = 0, cudaStream_t stream = 0);
__host__ cudaError_t cudaConfigureCall(dim3 gridDim, dim3 blockDim, size_t sharedMem = 0, cudaStream_t stream = 0);
}

// Device functions, with the overloads the toolkit declares for the types src/cuda uses.
__device__ void __syncthreads(void);
__device__ float __expf(float x);
__device__ float __fmul_rn(float x, float y);
__device__ float __fadd_rn(float x, float y);
__device__ float expf(float x);
__device__ float logf(float x);
__device__ float fmaxf(float x, float y);
__device__ float atomicAdd(float* address, float val);
__device__ double atomicAdd(double* address, double val);
__device__ int atomicAdd(int* address, int val);
__device__ int atomicExch(int* address, int val);
__device__ unsigned int atomicExch(unsigned int* address, unsigned int val);
__device__ float atomicExch(float* address, float val);
__device__ float __shfl_down_sync(unsigned mask, float var, unsigned delta, int width = 32);
__device__ int __shfl_down_sync(unsigned mask, int var, unsigned delta, int width = 32);
__device__ double __shfl_down_sync(unsigned mask, double var, unsigned delta, int width = 32);
