/* alloc.c — the allocator hook (medtone_set_allocator) and growth helpers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "medtone.h"
#include "alloc.h"

static void *default_malloc(size_t size, void *user)
{
    (void)user;
    return malloc(size);
}

static void *default_realloc(void *ptr, size_t size, void *user)
{
    (void)user;
    return realloc(ptr, size);
}

static void default_free(void *ptr, void *user)
{
    (void)user;
    free(ptr);
}

static medtone_malloc_fn g_malloc = default_malloc;
static medtone_realloc_fn g_realloc = default_realloc;
static medtone_free_fn g_free = default_free;
static void *g_user;

medtone_status medtone_set_allocator(medtone_malloc_fn malloc_fn, medtone_realloc_fn realloc_fn,
                                     medtone_free_fn free_fn, void *user)
{
    if (!malloc_fn && !realloc_fn && !free_fn) {
        g_malloc = default_malloc;
        g_realloc = default_realloc;
        g_free = default_free;
        g_user = NULL;
        return MEDTONE_OK;
    }
    if (!malloc_fn || !realloc_fn || !free_fn) return MEDTONE_ERR_INVALID_ARG;
    g_malloc = malloc_fn;
    g_realloc = realloc_fn;
    g_free = free_fn;
    g_user = user;
    return MEDTONE_OK;
}

void *mt_malloc(size_t size)
{
    /* A zero-byte request still returns a unique pointer, so callers need no special case. */
    return g_malloc(size ? size : 1, g_user);
}

void *mt_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) return NULL;
    void *p = mt_malloc(count * size);
    if (p && count * size > 0) memset(p, 0, count * size);
    return p;
}

void *mt_realloc(void *ptr, size_t size)
{
    if (!ptr) return mt_malloc(size);
    return g_realloc(ptr, size ? size : 1, g_user);
}

void mt_free(void *ptr)
{
    if (ptr) g_free(ptr, g_user);
}

int mt_reserve(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) return -1;
        ncap *= 2;
    }
    if (elem && ncap > SIZE_MAX / elem) return -1;
    void *p = mt_realloc(*buf, ncap * elem);
    if (!p) return -1;
    *buf = p;
    *cap = ncap;
    return 0;
}

char *mt_strndup(const char *s, size_t len)
{
    if (len == SIZE_MAX) return NULL;
    char *p = mt_malloc(len + 1);
    if (!p) return NULL;
    if (len) memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
