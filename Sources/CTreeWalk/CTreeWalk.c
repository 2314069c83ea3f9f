#include "CTreeWalk.h"

#if defined(__x86_64__)
#include <immintrin.h>

bool rerank_tree_walk_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
}

/// The first `rows` of 8 lanes (all 8 from 8 on).
static inline __mmask8 lanes(int64_t rows) { return rows >= 8 ? 0xFF : (__mmask8)((1u << rows) - 1); }

/// For each group of trees, three steps with no branch on the rows:
/// 1. Every internal node, parents first, splits the set of rows that reach it into its children's places in a
///    scratch of 64 sets per tree, subtrees no row reaches included. The group's trees are interleaved, so a
///    node seldom waits for the set its parent has just stored.
/// 2. Each row's leaf index in a tree, as 128 bytes in two registers. A tree's leaves' sets are disjoint, so bit
///    b of a row's index is set exactly when the row is in a leaf whose index has bit b: five unions of sets,
///    each then spread into its bit of the rows' bytes with one masked move per 64 rows.
/// 3. Each row's leaf value, picked from the tree's 32 by a permutation across four registers, is added to
///    the row's score, 8 rows at a time, tree after tree in model order.
__attribute__((target("avx512f,avx512bw")))
void rerank_tree_walk(
    const rerank_walk_group *groups, int64_t group_count, const rerank_walk_tree *trees, const rerank_walk_node *nodes,
    const double *leaf_values, const uint64_t *above, int64_t row_count, double *scores) {
    __m128i reach[64 * RERANK_WALK_GROUP] __attribute__((aligned(64)));
    uint8_t leaf_of[128] __attribute__((aligned(64)));
    // The block's scores, padded to 128 so that every step adds 8 rows without a mask.
    double sums[128] __attribute__((aligned(64)));
    const __m128i block = _mm_set_epi64x(
        row_count >= 128 ? -1 : row_count <= 64 ? 0 : (int64_t)((UINT64_C(1) << (row_count - 64)) - 1),
        row_count >= 64 ? -1 : (int64_t)((UINT64_C(1) << row_count) - 1));
    const __m512i sixteen = _mm512_set1_epi64(16);
    const int64_t chunks = (row_count + 7) / 8;
    for (int64_t chunk = 0; chunk < chunks; chunk++) {
        _mm512_store_pd(sums + 8 * chunk, _mm512_maskz_loadu_pd(lanes(row_count - 8 * chunk), scores + 8 * chunk));
    }
    char *const scratch = (char *)reach;
    const char *const sets = (const char *)above;
    for (int64_t group = 0; group < group_count; group++) {
        const rerank_walk_group span = groups[group];
        for (int32_t member = 0; member < span.tree_count; member++) {
            // The places of leaves a tree does not have hold no rows.
            __m128i *leaves = reach + 64 * member + 32;
            for (int place = 0; place < 32; place += 4) _mm512_store_si512((__m512i *)(leaves + place), _mm512_setzero_si512());
            reach[trees[span.first_tree + member].root] = block;
        }
        const rerank_walk_node *node = nodes + span.first_node;
        for (int32_t index = 0; index < span.node_count; index++) {
            const __m128i rows = _mm_load_si128((const __m128i *)(scratch + node[index].place));
            const __m128i right = _mm_loadu_si128((const __m128i *)(sets + node[index].above));
            _mm_store_si128((__m128i *)(scratch + node[index].left), _mm_andnot_si128(right, rows));
            _mm_store_si128((__m128i *)(scratch + node[index].right), _mm_and_si128(right, rows));
        }
        for (int32_t member = 0; member < span.tree_count; member++) {
            const __m128i *leaves = reach + 64 * member + 32;
            __m128i bits[5] = {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
#pragma clang loop unroll(full)
            for (int leaf = 0; leaf < 32; leaf++) {
#pragma clang loop unroll(full)
                for (int bit = 0; bit < 5; bit++) {
                    if (leaf & (1 << bit)) bits[bit] = _mm_or_si128(bits[bit], leaves[leaf]);
                }
            }
            __m512i low = _mm512_setzero_si512(), high = _mm512_setzero_si512();
#pragma clang loop unroll(full)
            for (int bit = 0; bit < 5; bit++) {
                const __m512i value = _mm512_set1_epi8((char)(1 << bit));
                low = _mm512_or_si512(low, _mm512_maskz_mov_epi8((__mmask64)_mm_cvtsi128_si64(bits[bit]), value));
                high = _mm512_or_si512(high, _mm512_maskz_mov_epi8((__mmask64)_mm_extract_epi64(bits[bit], 1), value));
            }
            _mm512_store_si512((__m512i *)leaf_of, low);
            _mm512_store_si512((__m512i *)(leaf_of + 64), high);
            const double *values = leaf_values + 32 * (int64_t)(span.first_tree + member);
            const __m512d first = _mm512_loadu_pd(values), second = _mm512_loadu_pd(values + 8);
            const __m512d third = _mm512_loadu_pd(values + 16), fourth = _mm512_loadu_pd(values + 24);
            for (int64_t chunk = 0; chunk < chunks; chunk++) {
                const __m512i leaf = _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)(leaf_of + 8 * chunk)));
                const __m512d below16 = _mm512_permutex2var_pd(first, leaf, second);
                const __m512d from16 = _mm512_permutex2var_pd(third, leaf, fourth);
                const __m512d value = _mm512_mask_blend_pd(_mm512_test_epi64_mask(leaf, sixteen), below16, from16);
                _mm512_store_pd(sums + 8 * chunk, _mm512_add_pd(_mm512_load_pd(sums + 8 * chunk), value));
            }
        }
    }
    for (int64_t chunk = 0; chunk < chunks; chunk++) {
        _mm512_mask_storeu_pd(scores + 8 * chunk, lanes(row_count - 8 * chunk), _mm512_load_pd(sums + 8 * chunk));
    }
}

#else

bool rerank_tree_walk_available(void) { return false; }

/// Never called: `rerank_tree_walk_available` is false here.
void rerank_tree_walk(
    const rerank_walk_group *groups, int64_t group_count, const rerank_walk_tree *trees, const rerank_walk_node *nodes,
    const double *leaf_values, const uint64_t *above, int64_t row_count, double *scores) {
    (void)groups; (void)group_count; (void)trees; (void)nodes; (void)leaf_values; (void)above; (void)row_count;
    (void)scores;
    __builtin_trap();
}

#endif
