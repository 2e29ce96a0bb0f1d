/* rep_io.c — file helpers of the reputation modules: whole-file reads, gzip through the library's
 * allocator (so the failing-allocator tests reach zlib's allocations too), and saves that go
 * through a temporary file renamed into place. */
#define _POSIX_C_SOURCE 200809L /* strerror_r, getpid */

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ZLIB_CONST
#include <zlib.h>

#include "alloc.h"
#include "rep_io.h"

void mt_rep_error(char *err, size_t cap, const char *name, size_t line, const char *fmt, ...)
{
    if (!err || !cap) return;
    if (!name) name = "(data)";
    int n = line ? snprintf(err, cap, "%s:%zu: ", name, line) : snprintf(err, cap, "%s: ", name);
    if (n < 0) n = 0;
    if ((size_t)n >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, cap - (size_t)n, fmt, ap);
    va_end(ap);
}

static medtone_status io_error(const char *path, int errnum, char *err, size_t errcap)
{
    char msg[256];
    if (strerror_r(errnum, msg, sizeof msg) != 0) snprintf(msg, sizeof msg, "error %d", errnum);
    mt_rep_error(err, errcap, path, 0, "%s", msg);
    return MEDTONE_ERR_IO;
}

medtone_status mt_rep_read_file(const char *path, size_t max, char **out, size_t *out_len,
                                char *err, size_t errcap)
{
    FILE *f = fopen(path, "rb");
    if (!f) return io_error(path, errno, err, errcap);
    /* Read to the end rather than trusting stat: pipes and /dev/stdin work too. At most one byte
     * past the limit is read, to tell "exactly the limit" from "too large". */
    char *buf = NULL;
    size_t cap = 0, len = 0;
    medtone_status st = MEDTONE_OK;
    for (;;) {
        if (len > max) {
            mt_rep_error(err, errcap, path, 0, "file larger than %zu MB", max >> 20);
            st = MEDTONE_ERR_TOO_LARGE;
            break;
        }
        if (len + 1 >= cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            if (ncap > max + 2) ncap = max + 2;
            char *nbuf = mt_realloc(buf, ncap);
            if (!nbuf) {
                mt_rep_error(err, errcap, path, 0, "out of memory");
                st = MEDTONE_ERR_NOMEM;
                break;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) st = io_error(path, errno, err, errcap);
            break;
        }
    }
    fclose(f);
    if (st != MEDTONE_OK) {
        mt_free(buf);
        return st;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return MEDTONE_OK;
}

int mt_rep_is_gzip(const void *data, size_t len)
{
    const unsigned char *p = data;
    return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    if (size && items > SIZE_MAX / size) return Z_NULL;
    return mt_malloc((size_t)items * size);
}

static void z_free(voidpf opaque, voidpf ptr)
{
    (void)opaque;
    mt_free(ptr);
}

medtone_status mt_rep_gunzip(const char *name, const void *data, size_t len, size_t max, char **out,
                             size_t *out_len, char *err, size_t errcap)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    if (inflateInit2(&zs, 15 + 16) != Z_OK) {
        mt_rep_error(err, errcap, name, 0, "out of memory");
        return MEDTONE_ERR_NOMEM;
    }
    char *buf = NULL;
    size_t cap = 0, used = 0, in_left = len;
    const unsigned char *in = data;
    medtone_status st = MEDTONE_OK;
    for (;;) {
        if (zs.avail_in == 0 && in_left > 0) {
            zs.next_in = in;
            zs.avail_in = in_left > UINT32_MAX ? UINT32_MAX : (uInt)in_left;
            in += zs.avail_in;
            in_left -= zs.avail_in;
        }
        if (used + 1 >= cap) {
            if (cap > max) {
                mt_rep_error(err, errcap, name, 0, "inflated data larger than %zu MB", max >> 20);
                st = MEDTONE_ERR_TOO_LARGE;
                break;
            }
            size_t ncap = cap ? cap * 2 : (len < 16384 ? 65536 : len * 4);
            if (ncap > max + 2) ncap = max + 2;
            char *nbuf = mt_realloc(buf, ncap);
            if (!nbuf) {
                mt_rep_error(err, errcap, name, 0, "out of memory");
                st = MEDTONE_ERR_NOMEM;
                break;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t room = cap - used - 1 > UINT32_MAX ? UINT32_MAX : cap - used - 1;
        zs.next_out = (Bytef *)buf + used;
        zs.avail_out = (uInt)room;
        int ret = inflate(&zs, Z_NO_FLUSH);
        used += room - zs.avail_out;
        if (used > max) {
            mt_rep_error(err, errcap, name, 0, "inflated data larger than %zu MB", max >> 20);
            st = MEDTONE_ERR_TOO_LARGE;
            break;
        }
        if (ret == Z_STREAM_END) {
            if (zs.avail_in == 0 && in_left > 0) continue;
            if (zs.avail_in == 0) break;
            if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b &&
                inflateReset(&zs) == Z_OK)
                continue;
            mt_rep_error(err, errcap, name, 0, "corrupt gzip data (trailing garbage)");
            st = MEDTONE_ERR_GZIP;
            break;
        }
        if (ret == Z_MEM_ERROR) {
            mt_rep_error(err, errcap, name, 0, "out of memory");
            st = MEDTONE_ERR_NOMEM;
            break;
        }
        if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR) {
            mt_rep_error(err, errcap, name, 0, "corrupt gzip data (%s)",
                         zs.msg ? zs.msg : "invalid stream");
            st = MEDTONE_ERR_GZIP;
            break;
        }
        if (zs.avail_out > 0 && zs.avail_in == 0 && in_left == 0) {
            mt_rep_error(err, errcap, name, 0, "truncated gzip data");
            st = MEDTONE_ERR_GZIP;
            break;
        }
    }
    inflateEnd(&zs);
    if (st != MEDTONE_OK) {
        mt_free(buf);
        return st;
    }
    if (!buf) { /* an empty gzip member decompressed to nothing */
        buf = mt_malloc(1);
        if (!buf) {
            mt_rep_error(err, errcap, name, 0, "out of memory");
            return MEDTONE_ERR_NOMEM;
        }
    }
    buf[used] = '\0';
    *out = buf;
    *out_len = used;
    return MEDTONE_OK;
}

medtone_status mt_rep_gzip_to_file(const char *path, const void *data, size_t len, char *err,
                                   size_t errcap)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        mt_rep_error(err, errcap, path, 0, "out of memory");
        return MEDTONE_ERR_NOMEM;
    }
    size_t tmp_len = strlen(path) + 32;
    char *tmp = mt_malloc(tmp_len);
    unsigned char *chunk = mt_malloc(1 << 16);
    medtone_status st = MEDTONE_OK;
    FILE *f = NULL;
    if (!tmp || !chunk) {
        mt_rep_error(err, errcap, path, 0, "out of memory");
        st = MEDTONE_ERR_NOMEM;
        goto done;
    }
    snprintf(tmp, tmp_len, "%s.tmp%ld", path, (long)getpid());
    f = fopen(tmp, "wb");
    if (!f) {
        st = io_error(path, errno, err, errcap);
        goto done;
    }
    const unsigned char *in = data;
    size_t in_left = len;
    int ret;
    do {
        if (zs.avail_in == 0 && in_left > 0) {
            zs.next_in = in;
            zs.avail_in = in_left > UINT32_MAX ? UINT32_MAX : (uInt)in_left;
            in += zs.avail_in;
            in_left -= zs.avail_in;
        }
        zs.next_out = chunk;
        zs.avail_out = 1 << 16;
        ret = deflate(&zs, in_left == 0 ? Z_FINISH : Z_NO_FLUSH);
        if (ret == Z_STREAM_ERROR) {
            mt_rep_error(err, errcap, path, 0, "compression failed");
            st = MEDTONE_ERR_INTERNAL;
            break;
        }
        size_t have = (1u << 16) - zs.avail_out;
        if (have && fwrite(chunk, 1, have, f) != have) {
            st = io_error(path, errno ? errno : EIO, err, errcap);
            break;
        }
    } while (ret != Z_STREAM_END);
    if (fclose(f) != 0 && st == MEDTONE_OK) st = io_error(path, errno ? errno : EIO, err, errcap);
    f = NULL;
    if (st == MEDTONE_OK && rename(tmp, path) != 0) st = io_error(path, errno, err, errcap);
    if (st != MEDTONE_OK) remove(tmp);
done:
    if (f) fclose(f);
    deflateEnd(&zs);
    mt_free(chunk);
    mt_free(tmp);
    return st;
}
