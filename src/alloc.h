/* alloc.h — every allocation in libmedtone goes through these, so that a user allocator (and the
 * test suite's failing allocator) sees all of them. */
#ifndef MT_ALLOC_H
#define MT_ALLOC_H

#include <stddef.h>

void *mt_malloc(size_t size);
void *mt_calloc(size_t count, size_t size);
void *mt_realloc(void *ptr, size_t size);
void mt_free(void *ptr);

/* Makes room for `need` elements of `elem` bytes in *buf (capacity *cap elements), growing
 * geometrically. Returns 0 on success, -1 on overflow or allocation failure with *buf and *cap
 * unchanged. */
int mt_reserve(void **buf, size_t *cap, size_t need, size_t elem);

/* A NUL-terminated copy of s[0..len), or NULL. */
char *mt_strndup(const char *s, size_t len);

#endif
