// Shared pieces of the native test harness: random inputs, the devices to run on, and buffers that live on the device
// under test (host memory for the CPU backend, cudaMalloc'd copies for CUDA).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "r1_kernels.h"
#ifdef R1K_WITH_CUDA
#include <cuda_runtime.h>
#endif

namespace r1k_test {

// The devices this build can test: the CPU always, CUDA when built with it and a GPU is present.
inline std::vector<int32_t> devices() {
    std::vector<int32_t> d{R1K_DEVICE_CPU};
    if (r1k_cuda_available()) d.push_back(R1K_DEVICE_CUDA);
    return d;
}

inline std::string device_name(const testing::TestParamInfo<int32_t>& info) {
    return info.param == R1K_DEVICE_CUDA ? "cuda" : "cpu";
}

inline std::vector<float> uniform(size_t count, float scale, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-scale, scale);
    std::vector<float> out(count);
    for (auto& x : out) x = u(rng);
    return out;
}

// A buffer on the device under test, filled from and read back into host vectors.
template <typename T>
class DeviceBuffer {
public:
    DeviceBuffer(int32_t device, const std::vector<T>& host) : device_(device), host_(host) {
#ifdef R1K_WITH_CUDA
        if (device_ == R1K_DEVICE_CUDA && !host_.empty()) {
            EXPECT_EQ(cudaMalloc(&dev_, host_.size() * sizeof(T)), cudaSuccess);
            EXPECT_EQ(cudaMemcpy(dev_, host_.data(), host_.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
        }
#endif
    }
    DeviceBuffer(int32_t device, size_t count) : DeviceBuffer(device, std::vector<T>(count)) {}
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    ~DeviceBuffer() {
#ifdef R1K_WITH_CUDA
        if (dev_ != nullptr) cudaFree(dev_);
#endif
    }

    T* get() { return dev_ != nullptr ? static_cast<T*>(dev_) : (host_.empty() ? nullptr : host_.data()); }

    std::vector<T> read() {
#ifdef R1K_WITH_CUDA
        if (dev_ != nullptr)
            EXPECT_EQ(cudaMemcpy(host_.data(), dev_, host_.size() * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
#endif
        return host_;
    }

private:
    int32_t device_;
    std::vector<T> host_;
    void* dev_ = nullptr;
};

// max |a - b| / max |b|: the error relative to the scale of the reference (elements near zero would make an
// element-wise ratio meaningless).
inline double relative_error(const std::vector<float>& got, const std::vector<double>& want) {
    double diff = 0.0, scale = 0.0;
    for (size_t i = 0; i < want.size(); ++i) {
        diff = std::max(diff, std::abs(static_cast<double>(got[i]) - want[i]));
        scale = std::max(scale, std::abs(want[i]));
    }
    return scale == 0.0 ? diff : diff / scale;
}

}  // namespace r1k_test
