/* alloc_fail_util.h — the failing allocator that the allocation-failure tests share
 * (test_alloc_failure*.c, and the out-of-memory cases of test_lexicon.c), and the analyzer they
 * and test_train.c start from (alloc_test_analyzer).
 *
 * SQLite's habit: a counting allocator, installed with medtone_set_allocator before any object
 * exists, fails the Nth allocation (malloc or realloc) after alloc_arm(N); alloc_disarm() says
 * whether that allocation was reached. A test runs an operation for N = 1, 2, ... until it runs
 * through without reaching N, and checks every failure on the way. g_alloc.live counts the
 * blocks allocated and not yet freed, so a leak on any failure path shows.
 *
 * A header of static inline functions, as flag_test_util.h: every tests/unit/test_*.c is its own
 * executable. Include it after <cmocka.h> and "medtone.h". */
#ifndef MEDTONE_ALLOC_FAIL_UTIL_H
#define MEDTONE_ALLOC_FAIL_UTIL_H

#include <stdlib.h>
#include <string.h>

typedef struct alloc_counter {
    long calls;   /* allocations (malloc and realloc) since armed */
    long fail_at; /* fail this call, 1-based; 0 = never */
    long failed;  /* how many calls were failed since armed */
    long live;    /* blocks allocated and not yet freed */
    long total;   /* failures injected over the whole run, for the log */
} alloc_counter;

static alloc_counter g_alloc;

/* An upper bound on N for any one loop, so that a loop that never ends fails instead. */
#define ALLOC_MAX_N 200000L

static inline int alloc_should_fail(void)
{
    if (!g_alloc.fail_at) return 0;
    if (++g_alloc.calls != g_alloc.fail_at) return 0;
    g_alloc.failed++;
    g_alloc.total++;
    return 1;
}

static inline void *alloc_count_malloc(size_t size, void *user)
{
    (void)user;
    if (alloc_should_fail()) return NULL;
    void *p = malloc(size);
    if (p) g_alloc.live++;
    return p;
}

static inline void *alloc_count_realloc(void *ptr, size_t size, void *user)
{
    (void)user;
    if (alloc_should_fail()) return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr) g_alloc.live++;
    return p;
}

static inline void alloc_count_free(void *ptr, void *user)
{
    (void)user;
    if (ptr) g_alloc.live--;
    free(ptr);
}

/* Fails the nth allocation from now (n = 0: none). */
static inline void alloc_arm(long n)
{
    g_alloc.calls = 0;
    g_alloc.failed = 0;
    g_alloc.fail_at = n;
}

/* Disarms; 1 when the armed allocation was reached (and failed). */
static inline int alloc_disarm(void)
{
    int hit = g_alloc.failed > 0;
    g_alloc.fail_at = 0;
    return hit;
}

/* Installs the counting allocator with fresh counts; 0 or -1, as cmocka's setups return. */
static inline int alloc_install(void **state)
{
    (void)state;
    memset(&g_alloc, 0, sizeof g_alloc);
    return medtone_set_allocator(alloc_count_malloc, alloc_count_realloc, alloc_count_free, NULL) ==
                   MEDTONE_OK
               ? 0
               : -1;
}

/* Puts the C library's allocator back; 0, or -1 when blocks the library allocated are still
 * live (a leak). */
static inline int alloc_uninstall(void **state)
{
    (void)state;
    long live = g_alloc.live;
    if (medtone_set_allocator(NULL, NULL, NULL, NULL) != MEDTONE_OK) return -1;
    return live == 0 ? 0 : -1;
}

/* A new analyzer with or without the built-in lexicons (the allocator disarmed). */
static inline medtone_analyzer *alloc_test_analyzer(int embedded)
{
    long fail_at = g_alloc.fail_at;
    g_alloc.fail_at = 0;
    medtone_options *o = medtone_options_new();
    assert_non_null(o);
    assert_int_equal(medtone_options_set_int(o, MEDTONE_OPT_EMBEDDED_LEXICONS, embedded),
                     MEDTONE_OK);
    medtone_analyzer *a = NULL;
    assert_int_equal(medtone_analyzer_new(o, &a), MEDTONE_OK);
    medtone_options_free(o);
    g_alloc.fail_at = fail_at;
    return a;
}

#endif
