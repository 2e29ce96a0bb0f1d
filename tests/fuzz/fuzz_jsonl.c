/* fuzz_jsonl.c — the JSON-lines reader of `medtone batch` (src/cli/jsonl.c, compiled into this
 * target) on arbitrary lines.
 *
 * Differential: a strict RFC 8259 validator written here independently decides whether the line
 * is a JSON object, and jsonl_fields must agree: it accepts every valid object (that is not
 * nested deeper than its documented 64 levels) and rejects everything else. When it accepts, the
 * decoded "text" is no longer than the line and the "id" it copies verbatim is itself valid JSON
 * (batch writes it straight into its JSON output). Bytes of 0x80 and up inside strings are
 * passed through as they are, like the reader does: the tokenizer deals with invalid UTF-8. */
#include <string.h>

#include "jsonl.h"
#include "strbuf.h"

#include "fuzz_common.h"

/* ----- an independent strict validator ----------------------------------------------------- */

typedef struct vcur {
    const unsigned char *p, *end;
    int depth, max_depth;
} vcur;

static void v_ws(vcur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int v_hex(unsigned char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static int v_string(vcur *c)
{
    if (c->p >= c->end || *c->p != '"') return 0;
    c->p++;
    while (c->p < c->end) {
        unsigned char ch = *c->p++;
        if (ch == '"') return 1;
        if (ch < 0x20) return 0;
        if (ch != '\\') continue;
        if (c->p >= c->end) return 0;
        ch = *c->p++;
        if (strchr("\"\\/bfnrt", ch) && ch) continue;
        if (ch != 'u' || c->end - c->p < 4) return 0;
        for (int i = 0; i < 4; i++)
            if (!v_hex(c->p[i])) return 0;
        c->p += 4;
    }
    return 0;
}

static int v_digits(vcur *c)
{
    const unsigned char *s = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
        c->p++;
    return c->p > s;
}

static int v_number(vcur *c)
{
    if (c->p < c->end && *c->p == '-') c->p++;
    if (c->p < c->end && *c->p == '0')
        c->p++;
    else if (!(c->p < c->end && *c->p >= '1' && *c->p <= '9' && v_digits(c)))
        return 0;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!v_digits(c)) return 0;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
        if (!v_digits(c)) return 0;
    }
    return 1;
}

static int v_value(vcur *c);

static int v_container(vcur *c, unsigned char close)
{
    c->p++;
    if (++c->depth > c->max_depth) c->max_depth = c->depth;
    v_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        c->depth--;
        return 1;
    }
    for (;;) {
        v_ws(c);
        if (close == '}') {
            if (!v_string(c)) return 0;
            v_ws(c);
            if (c->p >= c->end || *c->p++ != ':') return 0;
        }
        if (!v_value(c)) return 0;
        v_ws(c);
        if (c->p >= c->end) return 0;
        unsigned char ch = *c->p++;
        if (ch == close) {
            c->depth--;
            return 1;
        }
        if (ch != ',') return 0;
    }
}

static int v_literal(vcur *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return 0;
    c->p += n;
    return 1;
}

static int v_value(vcur *c)
{
    if (c->depth > 200) return 0; /* far deeper than the reader's limit; keeps the stack small */
    v_ws(c);
    if (c->p >= c->end) return 0;
    switch (*c->p) {
    case '"':
        return v_string(c);
    case '{':
        return v_container(c, '}');
    case '[':
        return v_container(c, ']');
    case 't':
        return v_literal(c, "true");
    case 'f':
        return v_literal(c, "false");
    case 'n':
        return v_literal(c, "null");
    default:
        return v_number(c);
    }
}

/* 1 when s[0..n) is exactly one JSON value (surrounding white space allowed); *depth gets the
 * deepest nesting of containers. */
static int valid_json(const char *s, size_t n, int *depth)
{
    vcur c = {(const unsigned char *)s, (const unsigned char *)s + n, 0, 0};
    int ok = v_value(&c);
    v_ws(&c);
    if (depth) *depth = c.max_depth;
    return ok && c.p == c.end;
}

/* ----- the target -------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    strbuf text = {0}, id = {0};
    int rc = jsonl_fields(line, size, &text, &id);
    FUZZ_CHECK(rc == 0 || rc == -1 || rc == -2);
    FUZZ_CHECK(!text.oom && !id.oom);

    int depth = 0;
    size_t i = 0;
    while (i < size && strchr(" \t\n\r", line[i]) && line[i])
        i++;
    int is_object = valid_json(line, size, &depth) && i < size && line[i] == '{';
    if (rc != -1) FUZZ_CHECK(is_object);
    if (is_object && depth < 60) FUZZ_CHECK(rc != -1);

    if (rc == 0) {
        FUZZ_CHECK(text.len <= size);
        if (text.len) FUZZ_CHECK(text.s[text.len] == '\0');
    }
    if (rc != -1 && id.len) {
        FUZZ_CHECK(id.len <= size);
        FUZZ_CHECK(valid_json(id.s, id.len, NULL));
    }

    /* Reused buffers (as batch reuses them line after line) give the same text. */
    strbuf text2 = {0}, id2 = {0};
    sb_append(&text2, "stale", 5);
    text2.len = 0;
    int rc2 = jsonl_fields(line, size, &text2, &id2);
    FUZZ_CHECK(rc2 == rc);
    if (rc == 0)
        FUZZ_CHECK(text2.len == text.len && (!text.len || !memcmp(text.s, text2.s, text.len)));
    sb_free(&text);
    sb_free(&id);
    sb_free(&text2);
    sb_free(&id2);
    return 0;
}
