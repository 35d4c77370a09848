/*
 * heap.c - the CLI's malloc heaps in transparent huge pages.
 *
 * The first touch of a 4 KiB page costs a page fault: 10-12 us on the
 * virtual machines fintag was measured on, against one fault for a whole
 * 2 MiB transparent huge page.  A tagging run touches over a thousand
 * pages, so that is 5-10% of its time; more with -j 2, where the second
 * thread's malloc arena is a fresh mapping of 4 KiB pages.
 *
 * A 2 MiB range becomes a huge page on its first touch only if it was
 * marked (madvise) before anything touched it: one 4 KiB page in it, such
 * as a malloc chunk header, keeps the whole range in small pages.  glibc
 * marks nothing by itself unless its glibc.malloc.hugetlb tunable is set
 * in the environment, which a program cannot do for itself.  So these
 * functions do it for the two kinds of heap, before they are used:
 *
 * - the main heap (cli_heap_tune): the program break is moved to a 2 MiB
 *   boundary before the first malloc, the heap is grown 16 MiB at a time,
 *   and its first 2 MiB range, where glibc writes its first chunk header,
 *   is taken by one block that is never touched; the rest is marked.
 * - a thread's own arena (cli_heap_thread_begin, for the first three -j
 *   threads after the main one): glibc maps it at a 64 MiB boundary and
 *   writes its header at the start; the same block takes the rest of that
 *   first range and the arena's remaining 64 MiB are marked.
 *
 * cli_heap_map gives a fresh mapping marked the same way (the pipeline's
 * slabs and output regions).  The untouched blocks cost address space, not
 * memory.  Everything here is
 * a hint: on another libc, under a sanitizer's allocator, or without
 * transparent huge pages, nothing changes but a few system calls.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)
/* glibc's HEAP_MAX_SIZE on 64-bit systems: a thread arena's heap is a
 * mapping of this size, aligned to it */
#define ARENA_HEAP ((uintptr_t)64 << 20)
/* the -j threads besides the main one whose arenas are put in huge pages */
#define HINTED_THREADS 3
/* what the main heap grows by at a time */
#define TOP_PAD ((size_t)16 << 20)

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HEAP_HINTS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define HEAP_HINTS 0
#endif
#endif
#if !defined(HEAP_HINTS) && defined(__GLIBC__) && defined(MADV_HUGEPAGE) && UINTPTR_MAX > 0xffffffffu
#define HEAP_HINTS 1
#endif
#ifndef HEAP_HINTS
#define HEAP_HINTS 0
#endif

#if HEAP_HINTS
/* The main heap's [lo, hi) when cli_heap_tune marked it, else 0, and the
 * block that holds its first range; written once, before any thread
 * starts. */
static uintptr_t main_lo, main_hi;
static void *main_fill;

/* Allocates a block that takes the rest of the 2 MiB range the heap's
 * first chunks lie in, after a small probe block (the first malloc of a
 * thread also allocates glibc's per-thread cache, so the probe shows where
 * the next chunk goes).  Returns the block, or NULL, and sets *probe to
 * the probe's address (the probe itself is freed). */
static void *fill_first_range(uintptr_t *probe)
{
    void *pr = malloc(64);
    *probe = (uintptr_t)pr;
    if (!pr)
        return NULL;
    /* the next chunk's header is 64 bytes past the probe; the block ends
     * 64 bytes short of the boundary, where the heap's top chunk begins */
    uintptr_t from = (uintptr_t)pr + 64, end = (from + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *fill = end - from > 4096 ? malloc((size_t)(end - from - 128)) : NULL;
    free(pr);
    return fill;
}
#endif

/* Sets up the main heap (see above).  To be called first thing in main(),
 * before anything has called malloc.  The tuning of the thresholds is kept
 * whatever happens: freed memory up to 64 MiB stays for the next batch
 * (glibc would hand anything over 128 KiB back, and every batch faulted its
 * pages in anew, about 8% of a run's CPU time), and blocks of 4 MiB or more
 * (the first part of a very long document, before it is spooled) are
 * mapped on their own, so they do not stay resident. */
void cli_heap_tune(void)
{
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    mallopt(M_TOP_PAD, (int)TOP_PAD);
#endif
#if HEAP_HINTS
    struct mallinfo2 mi = mallinfo2();
    char *brk0 = sbrk(0);
    if (mi.arena || brk0 == (char *)-1)
        return; /* something allocated already: leave the heap alone */
    uintptr_t b = (uintptr_t)brk0, a = (b + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    if (a > b && sbrk((intptr_t)(a - b)) == (void *)-1)
        return;
    /* glibc's heap starts at the break: its first chunk lies at a */
    uintptr_t probe;
    void *first = fill_first_range(&probe);
    char *end = sbrk(0);
    if (!first || probe < a || probe - a > 65536 || end == (char *)-1 ||
        (uintptr_t)end <= a + HUGE_PAGE) {
        free(first); /* not the heap this expects (another allocator) */
        return;
    }
    madvise((void *)(a + HUGE_PAGE), (size_t)((uintptr_t)end - a - HUGE_PAGE), MADV_HUGEPAGE);
    main_lo = a;
    main_hi = (uintptr_t)end;
    /* the block stays allocated for the life of the process: freed, the
     * range it holds would be used, in small pages */
    main_fill = first;
#endif
}

/* Sets up the calling thread's own malloc arena (see above), for the
 * first HINTED_THREADS threads (index counts from 1) only: a thread's
 * arena then holds at least one 2 MiB page, where its allocations took
 * some 0.7 MB of small pages, and on a machine with many cores that would
 * add up (-j 16: 50 MB resident instead of 29).  The faults it saves are a
 * cost per thread, not per document.  Returns the block to give back to
 * cli_heap_thread_end, or NULL.  Not for the main thread, which uses the
 * main heap. */
void *cli_heap_thread_begin(int index)
{
#if HEAP_HINTS
    if (index < 1 || index > HINTED_THREADS)
        return NULL;
    /* the thread's first malloc creates its arena */
    uintptr_t p;
    void *fill = fill_first_range(&p);
    uintptr_t base = p & ~(ARENA_HEAP - 1);
    if (!fill || (p >= main_lo && p < main_hi) || p - base > 65536) {
        /* not a fresh arena of the expected shape (the main heap, or an
         * arena used before): leave it */
        free(fill);
        return NULL;
    }
    madvise((void *)(base + HUGE_PAGE), (size_t)(ARENA_HEAP - HUGE_PAGE), MADV_HUGEPAGE);
    return fill;
#else
    (void)index;
    return NULL;
#endif
}

/* Frees the block cli_heap_thread_begin returned (NULL is fine). */
void cli_heap_thread_end(void *block)
{
    free(block);
}

/* Rounds n up to whole huge pages. */
static size_t huge_round(size_t n)
{
    return (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
}

void *cli_heap_map(size_t bytes)
{
    size_t total = huge_round(bytes), span = total + HUGE_PAGE;
    char *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    char *a = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
    if (a > m)
        munmap(m, (size_t)(a - m));
    if (a + total < m + span)
        munmap(a + total, (size_t)(m + span - (a + total)));
#ifdef MADV_HUGEPAGE
    madvise(a, total, MADV_HUGEPAGE);
#endif
    return a;
}

void cli_heap_unmap(void *p, size_t bytes)
{
    if (p)
        munmap(p, huge_round(bytes));
}
