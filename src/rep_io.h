/* rep_io.h — file helpers of the reputation modules (entities.c, aggregate_io.c) and of
 * lexicon_load.c: reading a whole file, gzip in and out through the library's allocator, and
 * compiler-style error messages. */
#ifndef MT_REP_IO_H
#define MT_REP_IO_H

#include <stddef.h>

#include "medtone.h"

#if defined(__GNUC__)
#define MT_REP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MT_REP_PRINTF(f, a)
#endif

/* Writes "name:line: message" (or "name: message" when line is 0) into err[0..cap). */
void mt_rep_error(char *err, size_t cap, const char *name, size_t line, const char *fmt, ...)
    MT_REP_PRINTF(5, 6);

/* Reads the whole file into a new buffer (mt_malloc'd, one spare byte at the end). A file over
 * `max` bytes gives MEDTONE_ERR_TOO_LARGE; MEDTONE_ERR_IO names the system's reason. */
medtone_status mt_rep_read_file(const char *path, size_t max, char **out, size_t *out_len,
                                char *err, size_t errcap);

/* Whether data starts with the gzip magic bytes. */
int mt_rep_is_gzip(const void *data, size_t len);

/* Inflates a gzip stream (concatenated members too) into a new buffer, at most `max` bytes:
 * MEDTONE_ERR_GZIP for corrupt or truncated data, MEDTONE_ERR_TOO_LARGE, MEDTONE_ERR_NOMEM. */
medtone_status mt_rep_gunzip(const char *name, const void *data, size_t len, size_t max, char **out,
                             size_t *out_len, char *err, size_t errcap);

/* Compresses data[0..len) as one gzip member and writes it to `path` through a temporary file
 * renamed into place, so a failed save never leaves a partial file or clobbers an old one. */
medtone_status mt_rep_gzip_to_file(const char *path, const void *data, size_t len, char *err,
                                   size_t errcap);

#endif
