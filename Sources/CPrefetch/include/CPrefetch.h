#ifndef CPREFETCH_H
#define CPREFETCH_H

#include <stddef.h>
#include <stdint.h>

/// Asks the processor to start loading, for reading, every cache line that holds part of the `bytes` bytes
/// from `start`, without waiting for them. Swift has no prefetch of its own; the feature store issues these for
/// a whole search's lookups before it reads any of them, so that their cache misses overlap. An entry that
/// straddles two lines needs both.
static inline void rerank_prefetch(const void *start, size_t bytes) {
    uintptr_t line = (uintptr_t)start & ~(uintptr_t)63;
    uintptr_t end = (uintptr_t)start + (bytes > 0 ? bytes : 1);
    for (; line < end; line += 64) {
        __builtin_prefetch((const void *)line, 0, 3);
    }
}

#endif
