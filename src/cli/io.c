/* io.c — JSON string output and line input for the sub-commands. */
#define _POSIX_C_SOURCE 200809L
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "strbuf.h"

void json_write_string(FILE *out, const char *s, size_t len)
{
    strbuf b = {0};
    sb_json_string(&b, s, len);
    if (b.oom)
        fputs("\"\"", out);
    else
        fwrite(b.s, 1, b.len, out);
    sb_free(&b);
}

cli_reader *cli_reader_open(const char *path)
{
    cli_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->gz = (!path || !strcmp(path, "-")) ? gzdopen(0, "rb") : gzopen(path, "rb");
    if (!r->gz) {
        free(r);
        return NULL;
    }
    gzbuffer(r->gz, 1 << 17);
    return r;
}

void cli_reader_close(cli_reader *r)
{
    if (!r) return;
    gzclose(r->gz);
    free(r->buf);
    free(r);
}

long cli_reader_line(cli_reader *r, const char **line)
{
    /* Lines are found with memchr in a block buffer filled by gzread, so NUL bytes stay inside
     * their line and plain and gzip input take the same path. */
    for (;;) {
        char *nl = r->end > r->start ? memchr(r->buf + r->start, '\n', r->end - r->start) : NULL;
        if (nl || (r->eof && r->end > r->start)) {
            size_t len = nl ? (size_t)(nl - (r->buf + r->start)) : r->end - r->start;
            char *s = r->buf + r->start;
            r->start += len + (nl ? 1 : 0);
            if (len && s[len - 1] == '\r') len--;
            s[len] = '\0'; /* the '\n' or the spare byte kept at the end of the buffer */
            *line = s;
            r->lineno++;
            return (long)len;
        }
        if (r->eof) return -1;
        if (r->start > 0) { /* keep the partial line at the front */
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        }
        if (r->cap - r->end < 65536 + 1) {
            size_t ncap = r->cap ? r->cap * 2 : 1 << 18;
            char *nb = realloc(r->buf, ncap);
            if (!nb) return -2;
            r->buf = nb;
            r->cap = ncap;
        }
        int got = gzread(r->gz, r->buf + r->end, (unsigned)(r->cap - r->end - 1));
        if (got < 0) return -3;
        if (got == 0) {
            int err = 0;
            gzerror(r->gz, &err);
            if (err != Z_OK && err != Z_STREAM_END) return -3;
            r->eof = 1;
        }
        r->end += (size_t)got;
    }
}

long cli_read_line(FILE *in, char **buf, size_t *cap)
{
    /* getline keeps NUL bytes and reads in blocks. */
    ssize_t n = getline(buf, cap, in);
    if (n < 0) return -1;
    if (n && (*buf)[n - 1] == '\n') n--;
    if (n && (*buf)[n - 1] == '\r') n--;
    (*buf)[n] = '\0';
    return (long)n;
}

int cli_tsv_column(const char *line, size_t len, int col, const char **start, size_t *clen)
{
    const char *p = line, *end = line + len;
    for (int c = 0; c < col; c++) {
        p = memchr(p, '\t', (size_t)(end - p));
        if (!p) return -1;
        p++;
    }
    const char *q = memchr(p, '\t', (size_t)(end - p));
    *start = p;
    *clen = (size_t)((q ? q : end) - p);
    return 0;
}

int cli_tsv_find_column(const char *header, size_t len, const char *name)
{
    size_t n = strlen(name);
    for (int c = 0; c < 256; c++) {
        const char *s;
        size_t sl;
        if (cli_tsv_column(header, len, c, &s, &sl) != 0) break;
        if (sl == n && !memcmp(s, name, n)) return c;
    }
    return -1;
}
