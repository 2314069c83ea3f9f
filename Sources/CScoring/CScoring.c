#include "CScoring.h"

#if defined(__x86_64__)
#include <immintrin.h>

bool rerank_scoring_kernels_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
}

/// The first `rows` of 8 lanes (all 8 from 8 on).
static inline __mmask8 lanes(int64_t rows) { return rows >= 8 ? 0xFF : (__mmask8)((1u << rows) - 1); }

__attribute__((target("avx512f,avx512bw")))
void rerank_rank_values(
    const rerank_threshold_index *index, const float *values, int64_t stride, int64_t count, int32_t *ranks) {
    const __m512i rows =
        _mm512_set_epi64(7 * stride, 6 * stride, 5 * stride, 4 * stride, 3 * stride, 2 * stride, stride, 0);
    const __m512i lowest = _mm512_set1_epi64(index->lowest), last = _mm512_set1_epi64(index->last_bucket);
    const __m128i shift = _mm_cvtsi64_si128(index->shift);
    const __m512i one = _mm512_set1_epi64(1);
    for (int64_t start = 0; start < count; start += 8) {
        const __mmask8 live = lanes(count - start);
        const __m256 raw = _mm512_mask_i64gather_ps(_mm256_setzero_ps(), live, rows, values + start * stride, 4);
        // -0 becomes 0 (`+ 0`), and NaN 0.
        const __m256 value = _mm256_add_ps(raw, _mm256_setzero_ps());
        const __m256i bits = _mm256_castps_si256(_mm256_andnot_ps(_mm256_cmp_ps(value, value, _CMP_UNORD_Q), value));
        const __m512i key = _mm512_cvtepi32_epi64(
            _mm256_xor_si256(bits, _mm256_and_si256(_mm256_srai_epi32(bits, 31), _mm256_set1_epi32(0x7FFFFFFF))));
        const __m512i above_lowest = _mm512_max_epi64(_mm512_sub_epi64(key, lowest), _mm512_setzero_si512());
        const __m512i bucket = _mm512_min_epi64(_mm512_srl_epi64(above_lowest, shift), last);
        __m512i base =
            _mm512_cvtepi32_epi64(_mm512_mask_i64gather_epi32(_mm256_setzero_si256(), live, bucket, index->below, 4));
        for (int64_t length = index->window; length > 1;) {
            const int64_t half = length >> 1;
            const __m512i probe = _mm512_mask_i64gather_epi64(
                _mm512_setzero_si512(), live, _mm512_add_epi64(base, _mm512_set1_epi64(half - 1)), index->keys, 8);
            base = _mm512_mask_add_epi64(base, _mm512_cmplt_epi64_mask(probe, key), base, _mm512_set1_epi64(half));
            length -= half;
        }
        const __m512i probe = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), live, base, index->keys, 8);
        base = _mm512_mask_add_epi64(base, _mm512_cmplt_epi64_mask(probe, key), base, one);
        _mm512_mask_cvtepi64_storeu_epi32(ranks + start, live, base);
    }
}

__attribute__((target("avx512f,avx512bw")))
void rerank_rows_above(const int32_t *ranks, int64_t count, int64_t cut_count, uint64_t *sets) {
    // The ranks as bytes; rows past `count` rank 0, above no threshold.
    uint8_t bytes[128] __attribute__((aligned(64)));
    _mm512_store_si512((__m512i *)bytes, _mm512_setzero_si512());
    _mm512_store_si512((__m512i *)(bytes + 64), _mm512_setzero_si512());
    for (int64_t start = 0; start < count; start += 16) {
        const __mmask16 live = count - start >= 16 ? 0xFFFF : (__mmask16)((1u << (count - start)) - 1);
        const __m512i wide = _mm512_maskz_loadu_epi32(live, ranks + start);
        _mm_store_si128((__m128i *)(bytes + start), _mm512_cvtepi32_epi8(wide));
    }
    const __m512i low = _mm512_load_si512((const __m512i *)bytes);
    const __m512i high = _mm512_load_si512((const __m512i *)(bytes + 64));
    __m512i slot = _mm512_setzero_si512();
    const __m512i one = _mm512_set1_epi8(1);
    for (int64_t cut = 0; cut < cut_count; cut++) {
        sets[2 * cut] = (uint64_t)_mm512_cmpgt_epu8_mask(low, slot);
        sets[2 * cut + 1] = (uint64_t)_mm512_cmpgt_epu8_mask(high, slot);
        slot = _mm512_add_epi8(slot, one);
    }
}

/// Each row's value among a tree's leaf values (`LEAVES` of them, 32 or 64, in `LEAVES / 8` registers) for the
/// leaf indexes in `leaf` (8 rows): permutations pick among 16 by bits 0–3, blends by bits 4 and 5.
__attribute__((target("avx512f,avx512bw"), always_inline))
static inline __m512d pick(const __m512d *table, __m512i leaf, const int LEAVES) {
    const __m512d below16 = _mm512_permutex2var_pd(table[0], leaf, table[1]);
    const __m512d from16 = _mm512_permutex2var_pd(table[2], leaf, table[3]);
    const __m512d below32 = _mm512_mask_blend_pd(_mm512_test_epi64_mask(leaf, _mm512_set1_epi64(16)), below16, from16);
    if (LEAVES == 32) return below32;
    const __m512d from32to48 = _mm512_permutex2var_pd(table[4], leaf, table[5]);
    const __m512d from48 = _mm512_permutex2var_pd(table[6], leaf, table[7]);
    const __m512d from32 =
        _mm512_mask_blend_pd(_mm512_test_epi64_mask(leaf, _mm512_set1_epi64(16)), from32to48, from48);
    return _mm512_mask_blend_pd(_mm512_test_epi64_mask(leaf, _mm512_set1_epi64(32)), below32, from32);
}

/// For each group of trees, three steps with no branch on the rows:
/// 1. Every internal node, parents first, splits the set of rows that reach it into its children's places in a
///    scratch of sets (the group's internal nodes in order, then `LEAVES` per tree for the leaves), subtrees no
///    row reaches included. The group's trees are interleaved, so a node seldom waits for the set its parent has
///    just stored.
/// 2. Each row's leaf index in a tree, as 128 bytes in two registers. A tree's leaves' sets are disjoint, so bit
///    b of a row's index is set exactly when the row is in a leaf whose index has bit b: five or six unions of
///    sets, each then spread into its bit of the rows' bytes with one masked move per 64 rows.
/// 3. Each row's leaf value, picked from the tree's `LEAVES` (`pick`), is added to the row's score, 8 rows at a
///    time, tree after tree in model order.
__attribute__((target("avx512f,avx512bw"), always_inline))
static inline void walk(
    const rerank_walk_group *groups, int64_t group_count, const rerank_walk_tree *trees, const rerank_walk_node *nodes,
    const double *leaf_values, const uint64_t *above, int64_t row_count, double *scores, const int LEAVES) {
    const int BITS = LEAVES == 32 ? 5 : 6;
    __m128i reach[2 * 64 * RERANK_WALK_GROUP] __attribute__((aligned(64)));
    uint8_t leaf_of[128] __attribute__((aligned(64)));
    // The block's scores, padded to 128 so that every step adds 8 rows without a mask.
    double sums[128] __attribute__((aligned(64)));
    const __m128i block = _mm_set_epi64x(
        row_count >= 128 ? -1 : row_count <= 64 ? 0 : (int64_t)((UINT64_C(1) << (row_count - 64)) - 1),
        row_count >= 64 ? -1 : (int64_t)((UINT64_C(1) << row_count) - 1));
    const int64_t chunks = (row_count + 7) / 8;
    for (int64_t chunk = 0; chunk < chunks; chunk++) {
        _mm512_store_pd(sums + 8 * chunk, _mm512_maskz_loadu_pd(lanes(row_count - 8 * chunk), scores + 8 * chunk));
    }
    char *const scratch = (char *)reach;
    const char *const sets = (const char *)above;
    for (int64_t group = 0; group < group_count; group++) {
        const rerank_walk_group span = groups[group];
        __m128i *const group_leaves = reach + LEAVES * RERANK_WALK_GROUP;
        for (int32_t member = 0; member < span.tree_count; member++) {
            // The places of leaves a tree does not have hold no rows.
            __m128i *leaves = group_leaves + LEAVES * member;
            for (int place = 0; place < LEAVES; place += 4) {
                _mm512_store_si512((__m512i *)(leaves + place), _mm512_setzero_si512());
            }
            reach[trees[span.first_tree + member].root] = block;
        }
        const rerank_walk_node *node = nodes + span.first_node;
        for (int32_t index = 0; index < span.node_count; index++) {
            const __m128i rows = _mm_load_si128(reach + index);
            const __m128i right = _mm_loadu_si128((const __m128i *)(sets + node[index].above));
            _mm_store_si128((__m128i *)(scratch + node[index].left), _mm_andnot_si128(right, rows));
            _mm_store_si128((__m128i *)(scratch + node[index].right), _mm_and_si128(right, rows));
        }
        for (int32_t member = 0; member < span.tree_count; member++) {
            const __m128i *leaves = group_leaves + LEAVES * member;
            __m128i bits[6];
            for (int bit = 0; bit < BITS; bit++) bits[bit] = _mm_setzero_si128();
#pragma clang loop unroll(full)
            for (int leaf = 0; leaf < LEAVES; leaf++) {
#pragma clang loop unroll(full)
                for (int bit = 0; bit < BITS; bit++) {
                    if (leaf & (1 << bit)) bits[bit] = _mm_or_si128(bits[bit], leaves[leaf]);
                }
            }
            __m512i low = _mm512_setzero_si512(), high = _mm512_setzero_si512();
#pragma clang loop unroll(full)
            for (int bit = 0; bit < BITS; bit++) {
                const __m512i value = _mm512_set1_epi8((char)(1 << bit));
                low = _mm512_or_si512(low, _mm512_maskz_mov_epi8((__mmask64)_mm_cvtsi128_si64(bits[bit]), value));
                high = _mm512_or_si512(high, _mm512_maskz_mov_epi8((__mmask64)_mm_extract_epi64(bits[bit], 1), value));
            }
            _mm512_store_si512((__m512i *)leaf_of, low);
            _mm512_store_si512((__m512i *)(leaf_of + 64), high);
            const double *values = leaf_values + LEAVES * (int64_t)(span.first_tree + member);
            __m512d table[8];
            for (int part = 0; part < LEAVES / 8; part++) table[part] = _mm512_loadu_pd(values + 8 * part);
            for (int64_t chunk = 0; chunk < chunks; chunk++) {
                const __m512i leaf = _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)(leaf_of + 8 * chunk)));
                _mm512_store_pd(sums + 8 * chunk, _mm512_add_pd(_mm512_load_pd(sums + 8 * chunk), pick(table, leaf, LEAVES)));
            }
        }
    }
    for (int64_t chunk = 0; chunk < chunks; chunk++) {
        _mm512_mask_storeu_pd(scores + 8 * chunk, lanes(row_count - 8 * chunk), _mm512_load_pd(sums + 8 * chunk));
    }
}

/// The walk compiled for each table size, so that its loops over leaves and bits unroll.
__attribute__((target("avx512f,avx512bw")))
void rerank_tree_walk(
    const rerank_walk_group *groups, int64_t group_count, const rerank_walk_tree *trees, const rerank_walk_node *nodes,
    const double *leaf_values, int64_t leaves, const uint64_t *above, int64_t row_count, double *scores) {
    if (leaves == 32) {
        walk(groups, group_count, trees, nodes, leaf_values, above, row_count, scores, 32);
    } else {
        walk(groups, group_count, trees, nodes, leaf_values, above, row_count, scores, 64);
    }
}

#else

bool rerank_scoring_kernels_available(void) { return false; }

/// Never called: `rerank_scoring_kernels_available` is false here.
void rerank_rank_values(
    const rerank_threshold_index *index, const float *values, int64_t stride, int64_t count, int32_t *ranks) {
    (void)index; (void)values; (void)stride; (void)count; (void)ranks;
    __builtin_trap();
}

/// Never called: `rerank_scoring_kernels_available` is false here.
void rerank_rows_above(const int32_t *ranks, int64_t count, int64_t cut_count, uint64_t *sets) {
    (void)ranks; (void)count; (void)cut_count; (void)sets;
    __builtin_trap();
}

/// Never called: `rerank_scoring_kernels_available` is false here.
void rerank_tree_walk(
    const rerank_walk_group *groups, int64_t group_count, const rerank_walk_tree *trees, const rerank_walk_node *nodes,
    const double *leaf_values, int64_t leaves, const uint64_t *above, int64_t row_count, double *scores) {
    (void)groups; (void)group_count; (void)trees; (void)nodes; (void)leaf_values; (void)leaves; (void)above;
    (void)row_count; (void)scores;
    __builtin_trap();
}

#endif
