#ifndef C_SCORING_H
#define C_SCORING_H

#include <stdbool.h>
#include <stdint.h>

/// The SIMD kernels of the model scorer (LTRModel): the ranks of a block's values among a feature's thresholds
/// (`ThresholdIndex`; with AVX-512, or with SSE4.1 and POPCNT) and, on AVX-512, the rows above each threshold
/// (`ScoringProgram`); on AVX-512 or AVX2, the walk of every tree (of up to 64 leaves) for a block of up to 128 rows
/// held as bit sets (`VectorWalk`), with no branch that depends on the rows. Swift cannot ask for instructions
/// beyond the build's baseline in one function; C can, so the kernels live here and are called only where
/// `rerank_best_scoring_kernel` allows them.

/// Trees walked together: their internal nodes are interleaved (`nodes` from `first_node`), so that the nodes
/// of one depth in different trees, which do not wait on each other, follow one another.
#define RERANK_WALK_GROUP 4

/// An internal node, as byte offsets the kernel adds to its bases without scaling: `above` is the offset of the
/// set of rows above its threshold among the block's sets (16 bytes per set); `left` and `right` are the offsets,
/// in the group's scratch of 16-byte sets, of the sets of rows that reach its children. With L leaves per tree in
/// the walk's tables (32 or 64), the scratch holds first the group's internal nodes, in the order of `nodes` (the
/// set of the group's n-th node is the n-th, which the kernel reads without an offset), then L places per tree
/// for its leaves, from place L * RERANK_WALK_GROUP; an offset is 16 times a place.
typedef struct {
    int32_t above;
    uint16_t left;
    uint16_t right;
} rerank_walk_node;

/// Up to `RERANK_WALK_GROUP` consecutive trees: their internal nodes, parents before children (none for trees
/// that are one leaf each), and the trees, from `first_tree`.
typedef struct {
    int32_t first_node;
    int32_t node_count;
    int32_t first_tree;
    int32_t tree_count;
} rerank_walk_group;

/// A tree: the place (not the offset) of its root (internal node 0, or leaf 0 for a tree that is one leaf) and
/// its number of leaves, whose values are L per tree in the kernel's leaf table (the ones past `leaf_count` are
/// 0).
typedef struct {
    int32_t root;
    int32_t leaf_count;
} rerank_walk_tree;

/// The kernels a processor runs: none (not x86-64, or no AVX2), the AVX2 walk, or every kernel (AVX-512 F and BW).
typedef enum {
    RERANK_KERNEL_NONE = 0,
    RERANK_KERNEL_AVX2 = 1,
    RERANK_KERNEL_AVX512 = 2,
} rerank_scoring_kernel;

/// The best kernels this processor runs.
rerank_scoring_kernel rerank_best_scoring_kernel(void);

/// A feature's thresholds as `ThresholdIndex` holds them: `keys`, increasing and followed by `window` keys above
/// any value's; the same thresholds as floats in `thresholds`, followed by 8 infinities; `below`, per bucket, the
/// number of thresholds below its first key; a key's bucket is `(key - lowest) >> shift`, clamped to 0 ...
/// `last_bucket`.
typedef struct {
    const int64_t *keys;
    const float *thresholds;
    const int32_t *below;
    int64_t lowest;
    int64_t shift;
    int64_t last_bucket;
    int64_t window;
} rerank_threshold_index;

/// Writes into `ranks` the number of thresholds below each of `count` values (the value of row r at
/// `values[r * stride]`; NaN is read as 0 and -0 as 0), 8 values at a time, the steps of `ThresholdIndex.rank`
/// in each lane. AVX-512 only.
void rerank_rank_values(
    const rerank_threshold_index *index, const float *values, int64_t stride, int64_t count, int32_t *ranks);

/// `rerank_rank_values`' ranks with SSE4.1 and POPCNT, for an index whose `window` is at most 8: four values' keys
/// and buckets at once, then each value's rank, its bucket's entry plus the number of the (at most 8) thresholds
/// from there that are below it, counted by comparing them all at once, with no search. Only where the processor
/// has SSE4.1 and POPCNT (every one with AVX2 has both; `rerank_best_scoring_kernel` checks).
void rerank_rank_values_sse(
    const rerank_threshold_index *index, const float *values, int64_t stride, int64_t count, int32_t *ranks);

/// Writes, for each of a feature's `cut_count` thresholds (at most 255), the set of the block's `count` rows (at
/// most 128) whose rank (`ranks`, as `rerank_rank_values` gives them) is above the threshold's: two words per
/// threshold (rows 0–63, rows 64–127), as the walks read them. AVX-512 only.
void rerank_rows_above(const int32_t *ranks, int64_t count, int64_t cut_count, uint64_t *sets);

/// A model's trees as the walks read them: `group_count` groups, their trees and internal nodes, and `leaves`
/// values per tree in `leaf_values`, 32 or 64 (L above; the ones past a tree's `leaf_count` are 0).
typedef struct {
    const rerank_walk_group *groups;
    int64_t group_count;
    const rerank_walk_tree *trees;
    const rerank_walk_node *nodes;
    const double *leaf_values;
    int64_t leaves;
} rerank_walk_program;

/// Adds every tree's value for each of the block's `row_count` rows (at most 128) to `scores`, tree after tree
/// in model order, exactly as a row-at-a-time walk would; with AVX-512 F and BW.
///
/// `above` holds two words per slot (rows 0–63, rows 64–127): the rows whose value is above the slot's
/// threshold.
void rerank_tree_walk_avx512(const rerank_walk_program *program, const uint64_t *above, int64_t row_count, double *scores);

/// `rerank_tree_walk_avx512`'s work, with the same scores, on AVX2 (and BMI1, which every processor with AVX2 has;
/// `rerank_best_scoring_kernel` checks).
void rerank_tree_walk_avx2(const rerank_walk_program *program, const uint64_t *above, int64_t row_count, double *scores);

#endif
