/* jsonl.c — a small strict JSON reader for `batch` input: enough to find two members of an
 * object without building a tree. */
#include <string.h>

#include "jsonl.h"

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = p[i];
        v <<= 4;
        if (ch >= '0' && ch <= '9') v |= (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f') v |= (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F') v |= (unsigned)(ch - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static void put_utf8(strbuf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) u[0] = (char)cp, n = 1;
    else if (cp < 0x800) u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    else
        u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    sb_append(b, u, n);
}

/* Parses a string at c->p (which is at the opening quote); decodes into out when not NULL. */
static int parse_string(cursor *c, strbuf *out)
{
    if (c->p >= c->end || *c->p != '"') return -1;
    c->p++;
    while (c->p < c->end) {
        const char *run = c->p;
        while (c->p < c->end && *c->p != '"' && *c->p != '\\' && (unsigned char)*c->p >= 0x20)
            c->p++;
        if (out && c->p > run) sb_append(out, run, (size_t)(c->p - run));
        if (c->p >= c->end) return -1;
        char ch = *c->p++;
        if (ch == '"') return 0;
        if (ch != '\\') return -1; /* a raw control character */
        if (c->p >= c->end) return -1;
        char e = *c->p++;
        const char *simple = "\"\\/bfnrt", *value = "\"\\/\b\f\n\r\t";
        const char *k = strchr(simple, e);
        if (e && k) {
            if (out) sb_append(out, value + (k - simple), 1);
            continue;
        }
        if (e != 'u' || c->end - c->p < 4) return -1;
        unsigned cp;
        if (hex4(c->p, &cp) != 0) return -1;
        c->p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && c->end - c->p >= 6 && c->p[0] == '\\' &&
            c->p[1] == 'u') {
            unsigned lo;
            if (hex4(c->p + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                c->p += 6;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD; /* a lone surrogate */
        if (out) put_utf8(out, cp);
    }
    return -1;
}

static int skip_value(cursor *c, int depth);

static int is_digit(const cursor *c)
{
    return c->p < c->end && *c->p >= '0' && *c->p <= '9';
}

/* A JSON number, strictly: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? ("1.2.3", "--", "01" and
 * "1abc" are not numbers; an id like that would make the echoed "id" invalid JSON). */
static int skip_number(cursor *c)
{
    if (c->p < c->end && *c->p == '-') c->p++;
    if (!is_digit(c)) return -1;
    if (*c->p == '0') c->p++;
    else
        while (is_digit(c)) c->p++;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!is_digit(c)) return -1;
        while (is_digit(c)) c->p++;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
        if (!is_digit(c)) return -1;
        while (is_digit(c)) c->p++;
    }
    return 0;
}

static int skip_container(cursor *c, char close, int depth)
{
    c->p++;
    skip_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return 0;
    }
    for (;;) {
        skip_ws(c);
        if (close == '}') {
            if (parse_string(c, NULL) != 0) return -1;
            skip_ws(c);
            if (c->p >= c->end || *c->p++ != ':') return -1;
        }
        if (skip_value(c, depth + 1) != 0) return -1;
        skip_ws(c);
        if (c->p >= c->end) return -1;
        char ch = *c->p++;
        if (ch == close) return 0;
        if (ch != ',') return -1;
    }
}

static int skip_value(cursor *c, int depth)
{
    if (depth > 64) return -1;
    skip_ws(c);
    if (c->p >= c->end) return -1;
    char ch = *c->p;
    if (ch == '"') return parse_string(c, NULL);
    if (ch == '{') return skip_container(c, '}', depth);
    if (ch == '[') return skip_container(c, ']', depth);
    if (ch == 't' || ch == 'f' || ch == 'n') { /* true, false, null, exactly */
        static const char *const lits[] = {"true", "false", "null"};
        for (int k = 0; k < 3; k++) {
            size_t n = strlen(lits[k]);
            if ((size_t)(c->end - c->p) >= n && !memcmp(c->p, lits[k], n)) {
                c->p += n;
                return 0;
            }
        }
        return -1;
    }
    return skip_number(c);
}

int jsonl_fields(const char *line, size_t len, strbuf *text, strbuf *id)
{
    cursor c = {line, line + len};
    int have_text = 0;
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{') return -1;
    c.p++;
    skip_ws(&c);
    if (c.p < c.end && *c.p == '}') {
        c.p++;
    } else {
        for (;;) {
            skip_ws(&c);
            strbuf key = {0};
            if (parse_string(&c, &key) != 0) {
                sb_free(&key);
                return -1;
            }
            skip_ws(&c);
            if (c.p >= c.end || *c.p++ != ':') {
                sb_free(&key);
                return -1;
            }
            skip_ws(&c);
            int is_text = key.s && !strcmp(key.s, "text");
            int is_id = key.s && !strcmp(key.s, "id");
            sb_free(&key);
            if (is_text && c.p < c.end && *c.p == '"') {
                text->len = 0;
                if (parse_string(&c, text) != 0) return -1;
                have_text = 1;
            } else {
                const char *start = c.p;
                if (skip_value(&c, 1) != 0) return -1;
                if (is_id) {
                    id->len = 0;
                    sb_append(id, start, (size_t)(c.p - start));
                }
            }
            skip_ws(&c);
            if (c.p >= c.end) return -1;
            char ch = *c.p++;
            if (ch == '}') break;
            if (ch != ',') return -1;
        }
    }
    skip_ws(&c);
    if (c.p != c.end) return -1;
    return have_text ? 0 : -2;
}
