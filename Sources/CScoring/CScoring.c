#include "CScoring.h"

#include <stddef.h>

#if defined(__x86_64__)
#include <immintrin.h>

rerank_scoring_kernel rerank_best_scoring_kernel(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) return RERANK_KERNEL_AVX512;
    // Every processor with AVX2 has the others; the AVX2 kernels use them all.
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
                      __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("popcnt");
    return avx2 ? RERANK_KERNEL_AVX2 : RERANK_KERNEL_NONE;
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

/// The rank of `value` (NaN and -0 already made 0), whose bucket is `bucket`, with at most `WIDTH` (4 or 8)
/// thresholds in a bucket's window (`rerank_rank_values_sse`): the bucket's entry, plus the thresholds of the
/// window below the value, counted by one or two comparisons of 4 and a POPCNT.
__attribute__((target("sse4.1,popcnt"), always_inline))
static inline int32_t rank_in_window(const rerank_threshold_index *index, __m128 value, int64_t bucket, const int WIDTH) {
    const int32_t base = index->below[bucket];
    const float *const window = index->thresholds + base;
    int mask = _mm_movemask_ps(_mm_cmplt_ps(_mm_loadu_ps(window), value));
    if (WIDTH == 8) mask |= _mm_movemask_ps(_mm_cmplt_ps(_mm_loadu_ps(window + 4), value)) << 4;
    return base + __builtin_popcount((unsigned)mask);
}

/// `rerank_rank_values_sse` for one `WIDTH`: the keys and buckets of 4 rows at a time (the last group's missing
/// rows read as 0 and not ranked), then each row's rank in its window.
__attribute__((target("sse4.1,popcnt"), always_inline))
static inline void rank_values_sse(
    const rerank_threshold_index *index, const float *values, int64_t stride, int64_t count, int32_t *ranks,
    const int WIDTH) {
    const __m128i lowest = _mm_set1_epi32((int32_t)index->lowest), last = _mm_set1_epi32((int32_t)index->last_bucket);
    const __m128i shift = _mm_cvtsi32_si128((int)index->shift);
    for (int64_t row = 0; row < count; row += 4) {
        const int64_t rows = count - row;
        const __m128 raw = _mm_setr_ps(
            values[row * stride], rows > 1 ? values[(row + 1) * stride] : 0.0f,
            rows > 2 ? values[(row + 2) * stride] : 0.0f, rows > 3 ? values[(row + 3) * stride] : 0.0f);
        // NaN becomes 0, and -0 (`+ 0`) 0.
        const __m128 value = _mm_andnot_ps(_mm_cmpunord_ps(raw, raw), _mm_add_ps(raw, _mm_setzero_ps()));
        const __m128i bits = _mm_castps_si128(value);
        const __m128i key = _mm_xor_si128(bits, _mm_and_si128(_mm_srai_epi32(bits, 31), _mm_set1_epi32(0x7FFFFFFF)));
        // Keys are 32-bit, so a key's distance above the lowest (0 below it) is below 2^32, unsigned.
        const __m128i above_lowest = _mm_sub_epi32(_mm_max_epi32(key, lowest), lowest);
        int32_t buckets[4];
        _mm_storeu_si128((__m128i *)buckets, _mm_min_epu32(_mm_srl_epi32(above_lowest, shift), last));
        ranks[row] = rank_in_window(index, _mm_shuffle_ps(value, value, 0x00), buckets[0], WIDTH);
        if (rows > 1) ranks[row + 1] = rank_in_window(index, _mm_shuffle_ps(value, value, 0x55), buckets[1], WIDTH);
        if (rows > 2) ranks[row + 2] = rank_in_window(index, _mm_shuffle_ps(value, value, 0xAA), buckets[2], WIDTH);
        if (rows > 3) ranks[row + 3] = rank_in_window(index, _mm_shuffle_ps(value, value, 0xFF), buckets[3], WIDTH);
    }
}

__attribute__((target("sse4.1,popcnt")))
void rerank_rank_values_sse(
    const rerank_threshold_index *index, const float *values, int64_t stride, int64_t count, int32_t *ranks) {
    if (index->window <= 4) rank_values_sse(index, values, stride, count, ranks, 4);
    else rank_values_sse(index, values, stride, count, ranks, 8);
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

// The steps both walks share, with SSE2 alone (every x86-64 has it), inlined into each kernel.

// `split_group` reads a node as one little-endian word: `above` in its low half, then `left`, then `right`.
_Static_assert(sizeof(rerank_walk_node) == 8, "a node is one 64-bit word");
_Static_assert(offsetof(rerank_walk_node, above) == 0 && offsetof(rerank_walk_node, left) == 4 &&
                   offsetof(rerank_walk_node, right) == 6,
               "a node's fields where split_group takes them out");

/// Splits the block's rows among the places of a group's nodes and leaves (`reach`), and returns the group.
///
/// The scratch holds the group's internal nodes' sets, then `LEAVES` places per tree for the leaves' sets. Each
/// tree's root holds the whole block, and the places past its leaves no rows (its own leaves' are all written by
/// their parents, so they are not cleared: on processors that store one register per cycle, the stores bound the
/// walk). Then every internal node, parents first, splits the set of rows that reach it into its children's
/// places, subtrees no row reaches included. The group's trees are interleaved, so a node seldom waits for the set
/// its parent has just stored.
static inline __attribute__((always_inline)) rerank_walk_group split_group(
    __m128i *reach, const rerank_walk_program program, int64_t group, __m128i block, const uint64_t *above,
    const int LEAVES) {
    const rerank_walk_group span = program.groups[group];
    for (int32_t member = 0; member < span.tree_count; member++) {
        const rerank_walk_tree tree = program.trees[span.first_tree + member];
        __m128i *const leaves = reach + LEAVES * (RERANK_WALK_GROUP + member);
        // Stores, not the call to `memset` the compiler makes of a loop storing a known zero (the empty `asm`
        // hides that it is one): a tree near the table's size leaves a place or two, and the call cost more.
        __m128i none = _mm_setzero_si128();
        __asm__("" : "+x"(none));
        for (int place = tree.leaf_count; place < LEAVES; place++) _mm_store_si128(leaves + place, none);
        reach[tree.root] = block;
    }
    const rerank_walk_node *node = program.nodes + span.first_node;
    const char *const sets = (const char *)above;
    char *const scratch = (char *)reach;
#pragma clang loop unroll_count(4)
    for (int32_t index = 0; index < span.node_count; index++) {
        // The node read as one word, its fields taken out by shifts: three narrow loads a node, with the two of
        // the sets, bound the loop on processors that load two values a cycle. The empty `asm` keeps the compiler
        // from splitting the word back into narrow loads.
        uint64_t word;
        __builtin_memcpy(&word, node + index, sizeof word);
        __asm__("" : "+r"(word));
        const int32_t above_offset = (int32_t)(uint32_t)word;
        const uint32_t left = (uint32_t)(word >> 32) & 0xFFFF, right_offset = (uint32_t)(word >> 48);
        const __m128i rows = _mm_load_si128(reach + index);
        const __m128i right = _mm_loadu_si128((const __m128i *)(sets + above_offset));
        _mm_store_si128((__m128i *)(scratch + left), _mm_andnot_si128(right, rows));
        _mm_store_si128((__m128i *)(scratch + right_offset), _mm_and_si128(right, rows));
    }
    return span;
}

/// The bits of every row's leaf index in a tree, as sets: a tree's leaves' sets are disjoint, so bit b of a
/// row's index is set exactly when the row is in a leaf whose index has bit b. The unions share their parts: bit 0
/// unites the odd leaves; then each pair of places is united into one (place p holds leaves 2p and 2p + 1), and
/// bit 1 unites the odd places of those, and so on, 51 unions for 32 leaves instead of 75.
static inline __attribute__((always_inline)) void leaf_index_bits(const __m128i *leaves, __m128i *bits, const int LEAVES) {
    const int BITS = LEAVES == 32 ? 5 : 6;
    __m128i sums[64];
#pragma clang loop unroll(full)
    for (int leaf = 0; leaf < LEAVES; leaf++) sums[leaf] = leaves[leaf];
    int width = LEAVES;
#pragma clang loop unroll(full)
    for (int bit = 0; bit < BITS; bit++) {
        __m128i set = sums[1];
#pragma clang loop unroll(full)
        for (int place = 3; place < width; place += 2) set = _mm_or_si128(set, sums[place]);
        bits[bit] = set;
        width /= 2;
        if (bit + 1 < BITS) {
#pragma clang loop unroll(full)
            for (int place = 0; place < width; place++) sums[place] = _mm_or_si128(sums[2 * place], sums[2 * place + 1]);
        }
    }
}

/// The block's first `row_count` rows (at most 128) as a set.
static inline __m128i block_of(int64_t row_count) {
    return _mm_set_epi64x(
        row_count >= 128 ? -1 : row_count <= 64 ? 0 : (int64_t)((UINT64_C(1) << (row_count - 64)) - 1),
        row_count >= 64 ? -1 : (int64_t)((UINT64_C(1) << row_count) - 1));
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

/// For each group of trees, three steps with no branch on the rows: the nodes split the rows (`split_group`),
/// each row's leaf index in a tree is built as 128 bytes in two registers (its bits' sets, `leaf_index_bits`,
/// each spread into its bit of the rows' bytes with one masked move per 64 rows), and each row's leaf value,
/// picked from the tree's `LEAVES` (`pick`), is added to the row's score, 8 rows at a time, tree after tree in
/// model order.
__attribute__((target("avx512f,avx512bw"), always_inline))
static inline void walk512(
    const rerank_walk_program program, const uint64_t *above, int64_t row_count, double *scores, const int LEAVES) {
    const int BITS = LEAVES == 32 ? 5 : 6;
    __m128i reach[2 * 64 * RERANK_WALK_GROUP] __attribute__((aligned(64)));
    uint8_t leaf_of[128] __attribute__((aligned(64)));
    // The block's scores, padded to 128 so that every step adds 8 rows without a mask.
    double sums[128] __attribute__((aligned(64)));
    const __m128i block = block_of(row_count);
    const int64_t chunks = (row_count + 7) / 8;
    for (int64_t chunk = 0; chunk < chunks; chunk++) {
        _mm512_store_pd(sums + 8 * chunk, _mm512_maskz_loadu_pd(lanes(row_count - 8 * chunk), scores + 8 * chunk));
    }
    for (int64_t group = 0; group < program.group_count; group++) {
        const rerank_walk_group span = split_group(reach, program, group, block, above, LEAVES);
        for (int32_t member = 0; member < span.tree_count; member++) {
            __m128i bits[6];
            leaf_index_bits(reach + LEAVES * (RERANK_WALK_GROUP + member), bits, LEAVES);
            __m512i low = _mm512_setzero_si512(), high = _mm512_setzero_si512();
#pragma clang loop unroll(full)
            for (int bit = 0; bit < BITS; bit++) {
                const __m512i value = _mm512_set1_epi8((char)(1 << bit));
                low = _mm512_or_si512(low, _mm512_maskz_mov_epi8((__mmask64)_mm_cvtsi128_si64(bits[bit]), value));
                high = _mm512_or_si512(high, _mm512_maskz_mov_epi8((__mmask64)_mm_extract_epi64(bits[bit], 1), value));
            }
            _mm512_store_si512((__m512i *)leaf_of, low);
            _mm512_store_si512((__m512i *)(leaf_of + 64), high);
            const double *values = program.leaf_values + LEAVES * (int64_t)(span.first_tree + member);
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

/// The walks compiled for each table size, so that their loops over leaves and bits unroll.
__attribute__((target("avx512f,avx512bw")))
void rerank_tree_walk_avx512(const rerank_walk_program *program, const uint64_t *above, int64_t row_count, double *scores) {
    if (program->leaves == 32) walk512(*program, above, row_count, scores, 32);
    else walk512(*program, above, row_count, scores, 64);
}

/// Every row's leaf index in a tree, one byte per row for all 128 rows, from the sets of its bits
/// (`leaf_index_bits`): each bit's set is copied into both halves of a register, spread over bytes 32 rows at a
/// time (a byte shuffle sends set byte k to row bytes 8k ... 8k + 7, and each keeps its own bit), and the bits are
/// gathered highest first by doubling and adding.
__attribute__((target("avx2"), always_inline))
static inline void spread_leaf_indexes(const __m128i *bits, uint8_t *leaf_of, const int BITS) {
    const __m256i own_bit = _mm256_set1_epi64x((int64_t)UINT64_C(0x8040201008040201));
    // Rows 32c ... 32c + 31 are set bytes 4c ... 4c + 3; a shuffle reads within its 128-bit half, and the set is in
    // both: the low half takes bytes 4c and 4c + 1, the high half 4c + 2 and 4c + 3.
    __m256i from_bytes[4], index[4];
    for (int chunk = 0; chunk < 4; chunk++) {
        const char low = (char)(4 * chunk), high = (char)(4 * chunk + 2);
        from_bytes[chunk] = _mm256_setr_epi8(
            low, low, low, low, low, low, low, low, low + 1, low + 1, low + 1, low + 1, low + 1, low + 1, low + 1,
            low + 1, high, high, high, high, high, high, high, high, high + 1, high + 1, high + 1, high + 1, high + 1,
            high + 1, high + 1, high + 1);
        index[chunk] = _mm256_setzero_si256();
    }
#pragma clang loop unroll(full)
    for (int bit = BITS - 1; bit >= 0; bit--) {
        const __m256i set = _mm256_broadcastsi128_si256(bits[bit]);
#pragma clang loop unroll(full)
        for (int chunk = 0; chunk < 4; chunk++) {
            const __m256i bytes = _mm256_shuffle_epi8(set, from_bytes[chunk]);
            const __m256i in = _mm256_cmpeq_epi8(_mm256_and_si256(bytes, own_bit), own_bit);
            // `in` is -1 where the row has the bit: index * 2 + 1.
            index[chunk] = _mm256_sub_epi8(_mm256_add_epi8(index[chunk], index[chunk]), in);
        }
    }
    for (int chunk = 0; chunk < 4; chunk++) _mm256_store_si256((__m256i *)(leaf_of + 32 * chunk), index[chunk]);
}

/// Trees whose leaf values the AVX2 walk adds in one pass over the rows: two groups'.
#define AVX2_BATCH (2 * RERANK_WALK_GROUP)

/// The walk with AVX2: the same node and leaf-index steps as `walk512`; each row's leaf index is spread into
/// bytes by `spread_leaf_indexes`, and its leaf values are looked up and added one row at a time (AVX2 has no
/// permutation over 32 doubles), for two groups of trees at once, in model order, so that each row's score is
/// loaded and stored once per 8 trees.
__attribute__((target("avx2,bmi"), always_inline))
static inline void walk2(
    const rerank_walk_program program, const uint64_t *above, int64_t row_count, double *scores, const int LEAVES) {
    const int BITS = LEAVES == 32 ? 5 : 6;
    __m128i reach[2 * 64 * RERANK_WALK_GROUP] __attribute__((aligned(64)));
    uint8_t leaf_of[AVX2_BATCH][128] __attribute__((aligned(64)));
    const __m128i block = block_of(row_count);
    for (int64_t first = 0; first < program.group_count; first += 2) {
        int32_t batch = 0;
        for (int64_t group = first; group < first + 2 && group < program.group_count; group++) {
            const rerank_walk_group span = split_group(reach, program, group, block, above, LEAVES);
            for (int32_t member = 0; member < span.tree_count; member++) {
                __m128i bits[6];
                leaf_index_bits(reach + LEAVES * (RERANK_WALK_GROUP + member), bits, LEAVES);
                spread_leaf_indexes(bits, leaf_of[batch++], BITS);
            }
        }
        const double *values = program.leaf_values + LEAVES * (int64_t)program.groups[first].first_tree;
        if (batch == AVX2_BATCH) {
            // Eight rows' leaf indexes in a tree are one word, read once, each row's byte taken out by one BEXTR: a
            // load per index was the bound (two a cycle, with the leaf value's), then a shift and a move per byte.
            int64_t row = 0;
            for (; row + 8 <= row_count; row += 8) {
                uint64_t indexes[AVX2_BATCH];
#pragma clang loop unroll(full)
                for (int tree = 0; tree < AVX2_BATCH; tree++) __builtin_memcpy(&indexes[tree], leaf_of[tree] + row, 8);
#pragma clang loop unroll(full)
                for (int offset = 0; offset < 8; offset++) {
                    double sum = scores[row + offset];
#pragma clang loop unroll(full)
                    for (int tree = 0; tree < AVX2_BATCH; tree++) {
                        sum += values[LEAVES * tree + _bextr_u64(indexes[tree], 8 * offset, 8)];
                    }
                    scores[row + offset] = sum;
                }
            }
            for (; row < row_count; row++) {
                double sum = scores[row];
#pragma clang loop unroll(full)
                for (int tree = 0; tree < AVX2_BATCH; tree++) sum += values[LEAVES * tree + leaf_of[tree][row]];
                scores[row] = sum;
            }
        } else {
            for (int64_t row = 0; row < row_count; row++) {
                double sum = scores[row];
                for (int32_t tree = 0; tree < batch; tree++) sum += values[LEAVES * tree + leaf_of[tree][row]];
                scores[row] = sum;
            }
        }
    }
}

__attribute__((target("avx2,bmi")))
void rerank_tree_walk_avx2(const rerank_walk_program *program, const uint64_t *above, int64_t row_count, double *scores) {
    if (program->leaves == 32) walk2(*program, above, row_count, scores, 32);
    else walk2(*program, above, row_count, scores, 64);
}

#else

rerank_scoring_kernel rerank_best_scoring_kernel(void) { return RERANK_KERNEL_NONE; }

/// Never called: `rerank_best_scoring_kernel` is `RERANK_KERNEL_NONE` here.
void rerank_rank_values(
    const rerank_threshold_index *index, const float *values, int64_t stride, int64_t count, int32_t *ranks) {
    (void)index; (void)values; (void)stride; (void)count; (void)ranks;
    __builtin_trap();
}

/// Never called: `rerank_best_scoring_kernel` is `RERANK_KERNEL_NONE` here.
void rerank_rank_values_sse(
    const rerank_threshold_index *index, const float *values, int64_t stride, int64_t count, int32_t *ranks) {
    (void)index; (void)values; (void)stride; (void)count; (void)ranks;
    __builtin_trap();
}

/// Never called: `rerank_best_scoring_kernel` is `RERANK_KERNEL_NONE` here.
void rerank_rows_above(const int32_t *ranks, int64_t count, int64_t cut_count, uint64_t *sets) {
    (void)ranks; (void)count; (void)cut_count; (void)sets;
    __builtin_trap();
}

/// Never called: `rerank_best_scoring_kernel` is `RERANK_KERNEL_NONE` here.
void rerank_tree_walk_avx512(const rerank_walk_program *program, const uint64_t *above, int64_t row_count, double *scores) {
    (void)program; (void)above; (void)row_count; (void)scores;
    __builtin_trap();
}

/// Never called: `rerank_best_scoring_kernel` is `RERANK_KERNEL_NONE` here.
void rerank_tree_walk_avx2(const rerank_walk_program *program, const uint64_t *above, int64_t row_count, double *scores) {
    (void)program; (void)above; (void)row_count; (void)scores;
    __builtin_trap();
}

#endif
