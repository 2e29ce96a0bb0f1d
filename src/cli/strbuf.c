/* strbuf.c — see strbuf.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static int reserve(strbuf *b, size_t extra)
{
    if (b->oom) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t ncap = b->cap ? b->cap : 4096;
    while (ncap < b->len + extra + 1) ncap *= 2;
    char *ns = realloc(b->s, ncap);
    if (!ns) {
        b->oom = 1;
        return -1;
    }
    b->s = ns;
    b->cap = ncap;
    return 0;
}

void sb_append(strbuf *b, const char *s, size_t n)
{
    if (reserve(b, n) != 0) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sb_puts(strbuf *b, const char *s)
{
    sb_append(b, s, strlen(s));
}

void sb_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n) != 0) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Appends v in decimal. */
void sb_put_uint(strbuf *o, uint64_t v)
{
    char tmp[20];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sb_append(o, tmp + n, sizeof tmp - n);
}

/* Appends x exactly as printf's "%.<d>f" does (0 <= d <= 6), without printf: the value times
 * 10^d is rounded to an integer whose digits are written out. printf rounds the exact binary
 * value, so whenever that product lies within 1e-6 of a tie (where the one rounding of the
 * product might decide), or is too large for the product to be exact enough, printf does it. */
void sb_put_fixed(strbuf *o, double x, int d)
{
    static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    static const uint64_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    double a = fabs(x) * scale[d];
    if (!(a < 2147483648.0)) { /* also NaN */
        sb_printf(o, "%.*f", d, x);
        return;
    }
    double whole = floor(a), frac = a - whole;
    if (fabs(frac - 0.5) < 1e-6) {
        sb_printf(o, "%.*f", d, x);
        return;
    }
    uint64_t n = (uint64_t)whole + (frac > 0.5);
    if (signbit(x)) sb_append(o, "-", 1); /* as printf: "-0.0000" for -0.0 and -0.00001 */
    sb_put_uint(o, n / pow10[d]);
    if (d == 0) return;
    char digits[8];
    digits[0] = '.';
    uint64_t f = n % pow10[d];
    for (int i = d; i >= 1; i--) {
        digits[i] = (char)('0' + f % 10);
        f /= 10;
    }
    sb_append(o, digits, (size_t)d + 1);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the byte there starts none. */
static size_t utf8_seq_len(const unsigned char *s, size_t left)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000;
    else return 0;
    if (left < n) return 0;
    unsigned cp = c & (0x3Fu >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

void sb_json_string(strbuf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    sb_append(b, "\"", 1);
    while (i < n) {
        size_t run = i; /* copy plain ASCII in runs */
        while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i) {
            sb_append(b, s + i, run - i);
            i = run;
            continue;
        }
        unsigned c = p[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            sb_append(b, esc, 2);
            i++;
        } else if (c < 0x20) {
            if (c == '\n') sb_puts(b, "\\n");
            else if (c == '\r') sb_puts(b, "\\r");
            else if (c == '\t') sb_puts(b, "\\t");
            else sb_printf(b, "\\u%04x", c);
            i++;
        } else {
            size_t k = utf8_seq_len(p + i, n - i);
            if (k == 0) {
                sb_puts(b, "\xEF\xBF\xBD");
                i++;
            } else {
                sb_append(b, s + i, k);
                i += k;
            }
        }
    }
    sb_append(b, "\"", 1);
}

void sb_free(strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}
