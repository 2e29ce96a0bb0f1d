/* ngrams.c — the terms of a learned cue layer in a text; see ngrams.h. */
#include <string.h>

#include "alloc.h"
#include "ngrams.h"
#include "tokenize.h"

typedef struct unit {
    const char *s;
    size_t len;
    size_t off, end; /* bytes of the text */
} unit;

/* The host of a link's normalized form: "https://www.cdc.gov/flu" gives "cdc.gov", "t.co/x"
 * gives "t.co". */
static void url_host(const char *norm, size_t n, const char **host, size_t *len)
{
    size_t s = 0;
    for (size_t k = 0; k + 2 < n; k++) {
        if (norm[k] == ':' && norm[k + 1] == '/' && norm[k + 2] == '/') {
            s = k + 3;
            break;
        }
        if (norm[k] == '/' || norm[k] == '.') break; /* no scheme */
    }
    size_t e = s;
    while (e < n && norm[e] != '/' && norm[e] != ':' && norm[e] != '?' && norm[e] != '#')
        e++;
    if (e - s > 4 && memcmp(norm + s, "www.", 4) == 0) s += 4;
    *host = norm + s;
    *len = e - s;
}

/* The unit of token i, or 0 when the token is none (it then ends a bigram). */
static int unit_of(const medtone_tokens *t, size_t i, unit *u)
{
    const mt_token *tok = &t->tok[i];
    u->s = mt_token_norm(t, i);
    u->len = tok->norm_len;
    u->off = tok->off;
    u->end = tok->off + tok->len;
    switch (tok->kind) {
    case MEDTONE_TOKEN_URL:
        url_host(u->s, u->len, &u->s, &u->len);
        break;
    case MEDTONE_TOKEN_EMAIL:
    case MEDTONE_TOKEN_SYMBOL:
    case MEDTONE_TOKEN_PUNCT:
        return 0;
    default:
        break;
    }
    return u->len > 0;
}

typedef struct walker {
    char **buf;
    size_t *cap;
    size_t prefix_len;
    mt_ngram_fn fn;
    void *user;
} walker;

/* Calls the callback with prefix + a [+ " " + b]. */
static int emit(walker *w, const unit *a, const unit *b, size_t off, size_t end)
{
    size_t len = w->prefix_len + a->len + (b ? 1 + b->len : 0);
    if (mt_reserve((void **)w->buf, w->cap, len + 1, 1) != 0) return -1;
    char *k = *w->buf + w->prefix_len;
    memcpy(k, a->s, a->len);
    k += a->len;
    if (b) {
        *k++ = ' ';
        memcpy(k, b->s, b->len);
        k += b->len;
    }
    *k = '\0';
    return w->fn(w->user, *w->buf, len, off, end - off);
}

int mt_ngrams_each(const medtone_tokens *t, const char *prefix, size_t prefix_len, char **buf,
                   size_t *cap, mt_ngram_fn fn, void *user)
{
    walker w = {buf, cap, prefix_len, fn, user};
    if (mt_reserve((void **)buf, cap, prefix_len + 1, 1) != 0) return -1;
    memcpy(*buf, prefix, prefix_len);
    unit prev = {0}, neg = {0};
    int have_prev = 0;
    size_t neg_left = 0;
    for (size_t i = 0; i < t->count; i++) {
        unit u;
        if (!unit_of(t, i, &u)) { /* punctuation ends the clause, anything else the bigram */
            have_prev = 0;
            if (t->tok[i].kind == MEDTONE_TOKEN_PUNCT) neg_left = 0;
            continue;
        }
        int rc;
        if (t->tok[i].flags & MEDTONE_TOKEN_NEGATION) {
            rc = emit(&w, &u, NULL, u.off, u.end);
            neg = u;
            neg_left = MT_NGRAM_NEGATION_SCOPE;
        } else if (neg_left > 0) {
            rc = emit(&w, &neg, &u, neg.off, u.end); /* "not (very) effective" */
            neg_left--;
        } else {
            rc = emit(&w, &u, NULL, u.off, u.end);
        }
        if (rc == 0 && have_prev) rc = emit(&w, &prev, &u, prev.off, u.end);
        if (rc != 0) return rc;
        prev = u;
        have_prev = 1;
    }
    return 0;
}
