#include "CHeapStatistics.h"

#include <stdlib.h>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>

int rerank_heap_statistics(size_t *in_use, size_t *free_bytes) {
    struct mallinfo2 info = mallinfo2();
    *in_use = info.uordblks + info.hblkhd;
    *free_bytes = info.fordblks;
    return 1;
}

void rerank_heap_trim(void) { malloc_trim(0); }
#else
int rerank_heap_statistics(size_t *in_use, size_t *free_bytes) {
    (void)in_use;
    (void)free_bytes;
    return 0;
}

void rerank_heap_trim(void) {}
#endif
