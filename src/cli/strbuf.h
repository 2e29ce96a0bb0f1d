/* strbuf.h — a growing byte buffer for building output off the main thread. */
#ifndef MEDTONE_CLI_STRBUF_H
#define MEDTONE_CLI_STRBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct strbuf {
    char *s;
    size_t len, cap;
    int oom; /* set once an append failed; later appends are ignored */
} strbuf;

void sb_append(strbuf *b, const char *s, size_t n);
void sb_puts(strbuf *b, const char *s);
void sb_printf(strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* v in decimal, without printf. */
void sb_put_uint(strbuf *b, uint64_t v);
/* x exactly as printf's "%.<d>f" writes it (0 <= d <= 6), without printf in all but rare cases. */
void sb_put_fixed(strbuf *b, double x, int d);
/* s[0..n) as a JSON string literal; invalid UTF-8 bytes become U+FFFD. */
void sb_json_string(strbuf *b, const char *s, size_t n);
void sb_free(strbuf *b);

#endif
