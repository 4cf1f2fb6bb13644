// MoE token permutation against plain loops: the stable route order, the gather into expert-grouped rows, the
// weighted scatter-add back (bit-exact with multiply-then-add in sorted order, as libtorch's index_add), and its backward.
#include <algorithm>
#include <numeric>

#include "harness.hpp"

using namespace r1k_test;

namespace {

struct Routing {
    int64_t n, k, h, experts;
    std::vector<int64_t> expert_of_slot, order, counts;
};

// Each token picks k distinct experts (as top-k does); the order is the stable sort of slots by expert.
Routing route(int64_t n, int64_t k, int64_t h, int64_t experts, uint32_t seed) {
    Routing r{n, k, h, experts, std::vector<int64_t>(n * k), std::vector<int64_t>(n * k), std::vector<int64_t>(experts)};
    std::mt19937 rng(seed);
    std::vector<int64_t> ids(experts);
    for (int64_t t = 0; t < n; ++t) {
        std::iota(ids.begin(), ids.end(), 0);
        std::shuffle(ids.begin(), ids.end(), rng);
        for (int64_t j = 0; j < k; ++j) r.expert_of_slot[t * k + j] = ids[j];
    }
    EXPECT_EQ(r1k_moe_route_order(r.expert_of_slot.data(), n * k, experts, r.order.data(), r.counts.data()), R1K_OK)
        << r1k_last_error();
    return r;
}

TEST(MoeRouteOrder, IsTheStableSortOfSlotsByExpert) {
    const Routing r = route(37, 3, 4, 8, 1);
    std::vector<int64_t> want(37 * 3);
    std::iota(want.begin(), want.end(), 0);
    std::stable_sort(want.begin(), want.end(), [&](int64_t a, int64_t b) { return r.expert_of_slot[a] < r.expert_of_slot[b]; });
    EXPECT_EQ(r.order, want);
    for (int64_t e = 0; e < 8; ++e)
        EXPECT_EQ(r.counts[e], std::count(r.expert_of_slot.begin(), r.expert_of_slot.end(), e));
}

TEST(MoeRouteOrder, AnExpertOutOfRangeIsRefused) {
    std::vector<int64_t> experts{0, 4}, order(2), counts(4);
    EXPECT_EQ(r1k_moe_route_order(experts.data(), 2, 4, order.data(), counts.data()), R1K_BAD_ARGUMENT);
    EXPECT_NE(std::string(r1k_last_error()).find("expert 4"), std::string::npos) << r1k_last_error();
}

class MoePermute : public testing::TestWithParam<int32_t> {};

TEST_P(MoePermute, GatherGroupsTokenRowsByExpert) {
    const int32_t device = GetParam();
    const Routing r = route(29, 2, 19, 6, 2);
    const auto x = uniform(29 * 19, 1.0f, 3);
    DeviceBuffer<float> dx(device, x), out(device, 29 * 2 * 19);
    DeviceBuffer<int64_t> order(device, r.order);
    ASSERT_EQ(r1k_moe_gather(device, 0, dx.get(), order.get(), 29, 2, 19, out.get()), R1K_OK) << r1k_last_error();
    const auto got = out.read();
    for (int64_t p = 0; p < 29 * 2; ++p)
        for (int64_t c = 0; c < 19; ++c) ASSERT_EQ(got[p * 19 + c], x[(r.order[p] / 2) * 19 + c]);
}

TEST_P(MoePermute, ScatterIsTheWeightedSumInSortedOrder) {
    const int32_t device = GetParam();
    const int64_t n = 41, k = 3, h = 23;
    const Routing r = route(n, k, h, 7, 4);
    const auto rows = uniform(n * k * h, 1.0f, 5), weights = uniform(n * k, 1.0f, 6);
    std::vector<float> want(n * h, 0.0f);
    for (int64_t p = 0; p < n * k; ++p) {   // ascending sorted position: index_add's order
        const int64_t slot = r.order[p], t = slot / k;
        for (int64_t c = 0; c < h; ++c) {
            const float product = rows[p * h + c] * weights[slot];
            want[t * h + c] = want[t * h + c] + product;
        }
    }
    DeviceBuffer<float> drows(device, rows), dweights(device, weights), y(device, n * h);
    DeviceBuffer<int64_t> order(device, r.order);
    ASSERT_EQ(r1k_moe_scatter(device, 0, drows.get(), dweights.get(), order.get(), n, k, h, y.get()), R1K_OK)
        << r1k_last_error();
    EXPECT_EQ(y.read(), want);
}

TEST_P(MoePermute, ScatterBackwardGivesRowAndWeightGradients) {
    const int32_t device = GetParam();
    const int64_t n = 17, k = 2, h = 9;
    const Routing r = route(n, k, h, 5, 7);
    const auto rows = uniform(n * k * h, 1.0f, 8), weights = uniform(n * k, 1.0f, 9), gy = uniform(n * h, 1.0f, 10);
    std::vector<double> want_rows(n * k * h), want_weights(n * k);
    for (int64_t p = 0; p < n * k; ++p) {
        const int64_t slot = r.order[p], t = slot / k;
        double dot = 0.0;
        for (int64_t c = 0; c < h; ++c) {
            want_rows[p * h + c] = static_cast<double>(weights[slot]) * gy[t * h + c];
            dot += static_cast<double>(rows[p * h + c]) * gy[t * h + c];
        }
        want_weights[slot] = dot;
    }
    DeviceBuffer<float> drows(device, rows), dweights(device, weights), dgy(device, gy), grows(device, n * k * h),
        gweights(device, n * k);
    DeviceBuffer<int64_t> order(device, r.order);
    ASSERT_EQ(r1k_moe_scatter_backward(device, 0, drows.get(), dweights.get(), order.get(), dgy.get(), n, k, h,
                                       grows.get(), gweights.get()), R1K_OK) << r1k_last_error();
    EXPECT_LE(relative_error(grows.read(), want_rows), 1e-6);
    EXPECT_LE(relative_error(gweights.read(), want_weights), 1e-6);
}

TEST_P(MoePermute, ScatterWithoutWeightsIsTheGathersBackward) {
    const int32_t device = GetParam();
    const int64_t n = 11, k = 4, h = 5;
    const Routing r = route(n, k, h, 6, 11);
    const auto grad_out = uniform(n * k * h, 1.0f, 12);
    std::vector<double> want(n * h, 0.0);
    for (int64_t p = 0; p < n * k; ++p)
        for (int64_t c = 0; c < h; ++c) want[(r.order[p] / k) * h + c] += grad_out[p * h + c];
    DeviceBuffer<float> g(device, grad_out), gx(device, n * h);
    DeviceBuffer<int64_t> order(device, r.order);
    ASSERT_EQ(r1k_moe_scatter(device, 0, g.get(), nullptr, order.get(), n, k, h, gx.get()), R1K_OK) << r1k_last_error();
    EXPECT_LE(relative_error(gx.read(), want), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Devices, MoePermute, testing::ValuesIn(devices()), device_name);

TEST(MoePermuteArguments, AnOrderThatIsNotAPermutationIsRefused) {
    std::vector<float> rows(4 * 2), y(2 * 2);
    std::vector<int64_t> order{0, 1, 1, 3};
    EXPECT_EQ(r1k_moe_scatter(R1K_DEVICE_CPU, 0, rows.data(), nullptr, order.data(), 2, 2, 2, y.data()), R1K_BAD_ARGUMENT);
    EXPECT_NE(std::string(r1k_last_error()).find("not a permutation"), std::string::npos) << r1k_last_error();
}

}  // namespace
