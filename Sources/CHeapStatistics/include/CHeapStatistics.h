#ifndef C_HEAP_STATISTICS_H
#define C_HEAP_STATISTICS_H

#include <stddef.h>

/// Bytes malloc has handed out and not had back (mapped chunks included), and bytes it holds free for reuse.
/// Returns 0 where the C library cannot tell (not glibc 2.33 or later); 1 with both written otherwise.
int rerank_heap_statistics(size_t *in_use, size_t *free_bytes);

/// Gives the free memory malloc holds back to the system where it can (glibc `malloc_trim`); a no-op elsewhere.
void rerank_heap_trim(void);

#endif
