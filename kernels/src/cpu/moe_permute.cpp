// MoE token permutation on the CPU: the route-sorted gather of token rows by expert and its inverse, the weighted
// scatter-add, with the scatter's backward. Memory-bound copies: one build serves every CPU. Compiled with
// -ffp-contract=off so that weight * row + sum rounds exactly as libtorch's multiply-then-index_add does.
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "../status.hpp"
#include "cpu_kernels.hpp"

namespace r1k::cpu {

namespace {

int team_size(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

// inverse[order[r]] = r; fails unless order is a permutation of [0, slots).
r1k_status invert(const int64_t* order, int64_t slots, std::vector<int64_t>& inverse, const char* who) {
    inverse.assign(static_cast<size_t>(slots), -1);
    for (int64_t r = 0; r < slots; ++r) {
        const int64_t slot = order[r];
        if (slot < 0 || slot >= slots || inverse[static_cast<size_t>(slot)] != -1)
            return fail(R1K_BAD_ARGUMENT, std::string(who) + ": order is not a permutation of the " +
                                              std::to_string(slots) + " slots (position " + std::to_string(r) +
                                              " holds " + std::to_string(slot) + ")");
        inverse[static_cast<size_t>(slot)] = r;
    }
    return R1K_OK;
}

// The sorted positions of token t's k slots, ascending (the order index_add visits them in).
void positions_of(const std::vector<int64_t>& inverse, int64_t t, int64_t k, int64_t* out) {
    for (int64_t j = 0; j < k; ++j) out[j] = inverse[static_cast<size_t>(t * k + j)];
    std::sort(out, out + k);
}

}  // namespace

r1k_status moe_route_order(const int64_t* experts, int64_t slots, int64_t num_experts, int64_t* order, int64_t* counts) {
    std::fill(counts, counts + num_experts, 0);
    for (int64_t s = 0; s < slots; ++s) {
        const int64_t e = experts[s];
        if (e < 0 || e >= num_experts)
            return fail(R1K_BAD_ARGUMENT, "moe_route_order: slot " + std::to_string(s) + " names expert " +
                                              std::to_string(e) + ", outside [0, " + std::to_string(num_experts) + ")");
        ++counts[e];
    }
    // A counting sort: stable, so slots of one expert keep their order, as the argsort of expert * slots + slot.
    std::vector<int64_t> next(static_cast<size_t>(num_experts), 0);
    for (int64_t e = 1; e < num_experts; ++e) next[static_cast<size_t>(e)] = next[static_cast<size_t>(e - 1)] + counts[e - 1];
    for (int64_t s = 0; s < slots; ++s) order[next[static_cast<size_t>(experts[s])]++] = s;
    return R1K_OK;
}

r1k_status moe_gather(int threads, const float* x, const int64_t* order, int64_t n, int64_t k, int64_t h, float* out) {
    const int64_t slots = n * k;
    for (int64_t r = 0; r < slots; ++r)
        if (order[r] < 0 || order[r] >= slots)
            return fail(R1K_BAD_ARGUMENT, "moe_gather: order[" + std::to_string(r) + "] = " + std::to_string(order[r]) +
                                              " is outside [0, " + std::to_string(slots) + ")");
#pragma omp parallel for schedule(static) num_threads(team_size(threads))
    for (int64_t r = 0; r < slots; ++r) {
        const float* src = x + (order[r] / k) * h;
        std::copy(src, src + h, out + r * h);
    }
    return R1K_OK;
}

r1k_status moe_scatter(int threads, const float* rows, const float* weights, const int64_t* order, int64_t n, int64_t k,
                       int64_t h, float* y) {
    std::vector<int64_t> inverse;
    if (r1k_status st = invert(order, n * k, inverse, "moe_scatter"); st != R1K_OK) return st;
#pragma omp parallel num_threads(team_size(threads))
    {
        std::vector<int64_t> pos(static_cast<size_t>(k));
#pragma omp for schedule(static)
        for (int64_t t = 0; t < n; ++t) {
            float* yt = y + t * h;
            std::fill(yt, yt + h, 0.0f);
            positions_of(inverse, t, k, pos.data());
            for (int64_t j = 0; j < k; ++j) {
                const int64_t r = pos[static_cast<size_t>(j)];
                const float w = weights != nullptr ? weights[order[r]] : 1.0f;
                const float* row = rows + r * h;
                if (weights != nullptr)
                    for (int64_t c = 0; c < h; ++c) yt[c] += row[c] * w;
                else
                    for (int64_t c = 0; c < h; ++c) yt[c] += row[c];
            }
        }
    }
    return R1K_OK;
}

r1k_status moe_scatter_backward(int threads, const float* rows, const float* weights, const int64_t* order,
                                const float* grad_y, int64_t n, int64_t k, int64_t h, float* grad_rows,
                                float* grad_weights) {
    const int64_t slots = n * k;
    std::vector<int64_t> inverse;
    if (r1k_status st = invert(order, slots, inverse, "moe_scatter_backward"); st != R1K_OK) return st;
#pragma omp parallel for schedule(static) num_threads(team_size(threads))
    for (int64_t r = 0; r < slots; ++r) {
        const int64_t slot = order[r];
        const float* gy = grad_y + (slot / k) * h;
        if (grad_rows != nullptr) {
            const float w = weights != nullptr ? weights[slot] : 1.0f;
            float* gr = grad_rows + r * h;
            for (int64_t c = 0; c < h; ++c) gr[c] = gy[c] * w;
        }
        if (grad_weights != nullptr) {
            const float* row = rows + r * h;
            double dot = 0.0;
            for (int64_t c = 0; c < h; ++c) dot += static_cast<double>(row[c]) * gy[c];
            grad_weights[slot] = static_cast<float>(dot);
        }
    }
    return R1K_OK;
}

}  // namespace r1k::cpu
