// The library's self-description and its refusal of a backend it was not built with.
#include "harness.hpp"

namespace {

TEST(Abi, ReportsItsVersionAndBuild) {
    EXPECT_EQ(r1k_abi_version(), R1K_ABI_VERSION);
    const std::string info = r1k_build_info();
    EXPECT_NE(info.find("cpu="), std::string::npos) << info;
}

TEST(Abi, CudaWithoutTheCudaBuildIsNotBuilt) {
#ifdef R1K_WITH_CUDA
    GTEST_SKIP() << "this build has the CUDA backend";
#else
    std::vector<float> x(4), w(4), lp(1), lse(1);
    std::vector<int64_t> t{0};
    EXPECT_EQ(r1k_cuda_available(), 0);
    EXPECT_EQ(r1k_linear_logprob_forward(R1K_DEVICE_CUDA, 0, x.data(), w.data(), t.data(), 1, 4, 1, 1.0f, lp.data(),
                                         nullptr, lse.data()), R1K_NOT_BUILT);
    EXPECT_NE(std::string(r1k_last_error()).find("R1_KERNELS_CUDA=ON"), std::string::npos) << r1k_last_error();
#endif
}

}  // namespace
