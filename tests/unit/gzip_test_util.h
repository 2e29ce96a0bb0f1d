/* gzip_test_util.h — gzip_of, the one gzip writer of the unit tests that feed .gz bytes to the
 * loaders (lexicons, entity registries) and to the allocation-failure loops.
 *
 * The output is allocated with the C library, not through medtone_set_allocator's hook, so an
 * allocation-failure test counts only the library's own allocations; free it with free().
 * A header of static inline functions, as alloc_fail_util.h: every tests/unit/test_*.c is its own
 * executable. Include it after <cmocka.h>. */
#ifndef MEDTONE_GZIP_TEST_UTIL_H
#define MEDTONE_GZIP_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A gzip member (level 6) holding data[0..len); its length in *out_len. */
static inline unsigned char *gzip_of(const char *data, size_t len, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&zs, (uLong)len) + 64;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

#endif
