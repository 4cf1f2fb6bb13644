// The fused linear log-prob + entropy kernels against a naive double-precision reference that holds all the logits.
#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "harness.hpp"

using namespace r1k_test;

namespace {

struct Reference {
    std::vector<double> logprob, entropy, grad_hidden, grad_weight;
};

// logits z = x w^T / T in double; log p, entropy; dL/dz = g (onehot - p) / T; dX = dz W, dW = dz^T X.
Reference reference(const std::vector<float>& x, const std::vector<float>& w, const std::vector<int64_t>& targets,
                    const std::vector<float>& g, int64_t n, int64_t h, int64_t v, double inv_t) {
    Reference r{std::vector<double>(n), std::vector<double>(n), std::vector<double>(n * h, 0.0),
                std::vector<double>(v * h, 0.0)};
    std::vector<double> z(v);
    for (int64_t i = 0; i < n; ++i) {
        double big = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < v; ++j) {
            double s = 0.0;
            for (int64_t k = 0; k < h; ++k) s += static_cast<double>(x[i * h + k]) * w[j * h + k];
            z[j] = s * inv_t;
            big = std::max(big, z[j]);
        }
        double sum = 0.0;
        for (int64_t j = 0; j < v; ++j) sum += std::exp(z[j] - big);
        const double lse = big + std::log(sum);
        double expect_z = 0.0;
        for (int64_t j = 0; j < v; ++j) expect_z += std::exp(z[j] - lse) * z[j];
        if (targets[i] < 0) {
            r.logprob[i] = 0.0;
            r.entropy[i] = 0.0;
            continue;
        }
        r.logprob[i] = z[targets[i]] - lse;
        r.entropy[i] = lse - expect_z;
        for (int64_t j = 0; j < v; ++j) {
            const double dz = g[i] * ((j == targets[i] ? 1.0 : 0.0) - std::exp(z[j] - lse)) * inv_t;
            for (int64_t k = 0; k < h; ++k) {
                r.grad_hidden[i * h + k] += dz * w[j * h + k];
                r.grad_weight[j * h + k] += dz * x[i * h + k];
            }
        }
    }
    return r;
}

// (n, h, v, temperature, masked every m-th token (0 = none), threads)
using Case = std::tuple<int64_t, int64_t, int64_t, float, int, int>;

class LinearLogprob : public testing::TestWithParam<int32_t> {
protected:
    void check(const Case& c) {
        const auto [n, h, v, temperature, mask_every, threads] = c;
        SCOPED_TRACE("n=" + std::to_string(n) + " h=" + std::to_string(h) + " v=" + std::to_string(v) +
                     " T=" + std::to_string(temperature) + " threads=" + std::to_string(threads));
        const int32_t device = GetParam();
        const auto x = uniform(static_cast<size_t>(n * h), 1.0f, 1 + static_cast<uint32_t>(n));
        const auto w = uniform(static_cast<size_t>(v * h), 0.5f, 2 + static_cast<uint32_t>(v));
        const auto g = uniform(static_cast<size_t>(n), 1.0f, 3);
        std::vector<int64_t> targets(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i)
            targets[i] = mask_every > 0 && i % mask_every == mask_every - 1 ? -1 : (i * 7919 + 13) % v;
        const float inv_t = 1.0f / temperature;
        const Reference want = reference(x, w, targets, g, n, h, v, inv_t);

        DeviceBuffer<float> dx(device, x), dw(device, w), dg(device, g);
        DeviceBuffer<int64_t> dt(device, targets);
        DeviceBuffer<float> lp(device, n), ent(device, n), lse(device, n), gx(device, n * h), gw(device, v * h);
        ASSERT_EQ(r1k_linear_logprob_forward(device, threads, dx.get(), dw.get(), dt.get(), n, h, v, inv_t, lp.get(),
                                             ent.get(), lse.get()), R1K_OK) << r1k_last_error();
        ASSERT_EQ(r1k_linear_logprob_backward(device, threads, dx.get(), dw.get(), dt.get(), lse.get(), dg.get(), n, h,
                                              v, inv_t, gx.get(), gw.get(), 0), R1K_OK) << r1k_last_error();
        EXPECT_LE(relative_error(lp.read(), want.logprob), 1e-5);
        EXPECT_LE(relative_error(ent.read(), want.entropy), 1e-5);
        EXPECT_LE(relative_error(gx.read(), want.grad_hidden), 1e-5);
        EXPECT_LE(relative_error(gw.read(), want.grad_weight), 1e-5);
    }
};

TEST_P(LinearLogprob, MatchesTheReferenceOnRaggedShapes) {
    // Vocabularies that are not a multiple of the 128-row block or of a register; hidden sizes that are not a
    // multiple of a micro-tile; one and zero tokens.
    for (const Case& c : {Case{1, 8, 37, 1.0f, 0, 0}, Case{5, 33, 300, 1.0f, 0, 0}, Case{97, 64, 1000, 0.7f, 0, 0},
                          Case{13, 96, 129, 1.0f, 0, 1}, Case{40, 17, 5, 1.3f, 0, 2}})
        check(c);
}

TEST_P(LinearLogprob, MaskedTokensScoreZeroAndGetNoGradient) { check(Case{31, 24, 257, 1.0f, 3, 0}); }

TEST_P(LinearLogprob, SpansSeveralTokenSuperBlocks) {
    // More tokens than one super-block (1,152 rows in the AVX-512 build), so partial sums and dW accumulate across them.
    check(Case{1300, 16, 200, 1.0f, 5, 0});
}

TEST_P(LinearLogprob, HoldsTheToleranceAtQwensVocabulary) {
    // 151,936 vocabulary rows: dX sums about 1,200 block products, which float accumulation got wrong by 1e-5.
    check(Case{6, 96, 151936, 1.0f, 0, 0});
}

TEST_P(LinearLogprob, MoreThreadsThanVocabularyBlocks) { check(Case{9, 32, 100, 1.0f, 0, 7}); }

TEST_P(LinearLogprob, NoTokensGiveAZeroWeightGradient) {
    const int32_t device = GetParam();
    const int64_t h = 8, v = 10;
    DeviceBuffer<float> w(device, uniform(v * h, 1.0f, 9)), gw(device, std::vector<float>(v * h, 5.0f));
    ASSERT_EQ(r1k_linear_logprob_forward(device, 0, nullptr, w.get(), nullptr, 0, h, v, 1.0f, nullptr, nullptr, nullptr), R1K_OK);
    ASSERT_EQ(r1k_linear_logprob_backward(device, 0, nullptr, w.get(), nullptr, nullptr, nullptr, 0, h, v, 1.0f, nullptr,
                                          gw.get(), 0), R1K_OK);
    for (float value : gw.read()) EXPECT_EQ(value, 0.0f);
}

TEST_P(LinearLogprob, AccumulatingAddsTheWeightGradientToTheBuffer) {
    // accumulate_weight = 1: grad_weight += the gradient (the weight's existing .grad), across super-blocks too.
    const int32_t device = GetParam();
    const int64_t n = 1200, h = 16, v = 131;
    const auto x = uniform(n * h, 1.0f, 21), w = uniform(v * h, 0.5f, 22), g = uniform(n, 1.0f, 23);
    const auto start = uniform(v * h, 1.0f, 24);
    std::vector<int64_t> targets(n);
    for (int64_t i = 0; i < n; ++i) targets[i] = (i * 31) % v;
    const auto want = reference(x, w, targets, g, n, h, v, 1.0);
    std::vector<double> expected(v * h);
    for (int64_t i = 0; i < v * h; ++i) expected[i] = start[i] + want.grad_weight[i];
    DeviceBuffer<float> dx(device, x), dw(device, w), dg(device, g), lse(device, n), lp(device, n), gw(device, start);
    DeviceBuffer<int64_t> dt(device, targets);
    ASSERT_EQ(r1k_linear_logprob_forward(device, 0, dx.get(), dw.get(), dt.get(), n, h, v, 1.0f, lp.get(), nullptr,
                                         lse.get()), R1K_OK);
    ASSERT_EQ(r1k_linear_logprob_backward(device, 0, dx.get(), dw.get(), dt.get(), lse.get(), dg.get(), n, h, v, 1.0f,
                                          nullptr, gw.get(), 1), R1K_OK) << r1k_last_error();
    EXPECT_LE(relative_error(gw.read(), expected), 1e-5);
}

TEST_P(LinearLogprob, LargeLogitsStayFinite) {
    // Logits in the hundreds: the online logsumexp must never exponentiate an unshifted logit.
    const int32_t device = GetParam();
    const int64_t n = 3, h = 4, v = 50;
    auto x = uniform(n * h, 30.0f, 4);
    auto w = uniform(v * h, 10.0f, 5);
    std::vector<int64_t> targets{0, 17, 49};
    DeviceBuffer<float> dx(device, x), dw(device, w), lp(device, n), ent(device, n), lse(device, n);
    DeviceBuffer<int64_t> dt(device, targets);
    ASSERT_EQ(r1k_linear_logprob_forward(device, 0, dx.get(), dw.get(), dt.get(), n, h, v, 1.0f, lp.get(), ent.get(),
                                         lse.get()), R1K_OK);
    const auto want = reference(x, w, targets, std::vector<float>(n, 1.0f), n, h, v, 1.0);
    EXPECT_LE(relative_error(lp.read(), want.logprob), 1e-5);
    for (float e : ent.read()) EXPECT_TRUE(std::isfinite(e));
}

INSTANTIATE_TEST_SUITE_P(Devices, LinearLogprob, testing::ValuesIn(devices()), device_name);

TEST(LinearLogprobArguments, ATargetOutsideTheVocabularyIsRefused) {
    const int64_t n = 2, h = 4, v = 10;
    auto x = uniform(n * h, 1.0f, 1), w = uniform(v * h, 1.0f, 2);
    std::vector<int64_t> targets{3, 10};
    std::vector<float> lp(n), lse(n);
    EXPECT_EQ(r1k_linear_logprob_forward(R1K_DEVICE_CPU, 0, x.data(), w.data(), targets.data(), n, h, v, 1.0f,
                                         lp.data(), nullptr, lse.data()), R1K_BAD_ARGUMENT);
    EXPECT_NE(std::string(r1k_last_error()).find("target 1 is 10"), std::string::npos) << r1k_last_error();
}

TEST(LinearLogprobArguments, ANonPositiveTemperatureIsRefused) {
    std::vector<float> x(4), w(4), lp(1), lse(1);
    std::vector<int64_t> t{0};
    EXPECT_EQ(r1k_linear_logprob_forward(R1K_DEVICE_CPU, 0, x.data(), w.data(), t.data(), 1, 4, 1, 0.0f, lp.data(),
                                         nullptr, lse.data()), R1K_BAD_ARGUMENT);
}

}  // namespace
