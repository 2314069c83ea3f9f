#ifndef CPREFETCH_H
#define CPREFETCH_H

/// Asks the processor to start loading the cache line holding `address` for reading, without waiting for it.
/// Swift has no prefetch of its own; the feature store issues these for a whole search's lookups before it
/// reads any of them, so that their cache misses overlap.
static inline void rerank_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
