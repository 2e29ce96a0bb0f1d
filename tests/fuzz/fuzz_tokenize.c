/* fuzz_tokenize.c — the tokenizer on arbitrary bytes.
 *
 * Checks what include/medtone.h promises for any input: spans lie inside the text, in order and
 * without overlap; an invalid byte is a one-byte SYMBOL token flagged INVALID_UTF8; normalized
 * forms are NUL-terminated, valid UTF-8 of the stated length; a PUNCT token counts its marks; and
 * reusing one token list gives the same tokens as a fresh one. */
#include <string.h>

#include <medtone.h>

#include "fuzz_common.h"

static void check_tokens(const medtone_tokens *t, const char *text, size_t len)
{
    size_t n = medtone_tokens_count(t), end = 0;
    for (size_t i = 0; i < n; i++) {
        size_t off = medtone_token_offset(t, i), tl = medtone_token_length(t, i);
        FUZZ_CHECK(tl > 0);
        FUZZ_CHECK(off >= end);
        FUZZ_CHECK(off <= len && tl <= len - off);
        end = off + tl;
        medtone_token_kind kind = medtone_token_kind_of(t, i);
        FUZZ_CHECK((unsigned)kind <= MEDTONE_TOKEN_DATE);
        FUZZ_CHECK(strcmp(medtone_token_kind_name(kind), "unknown") != 0);
        unsigned flags = medtone_token_flags(t, i);
        FUZZ_CHECK((flags & ~0x1Fu) == 0);
        if (flags & MEDTONE_TOKEN_INVALID_UTF8) {
            FUZZ_CHECK(tl == 1);
            FUZZ_CHECK(kind == MEDTONE_TOKEN_SYMBOL);
        }
        size_t nl = (size_t)-1;
        const char *norm = medtone_token_normalized(t, i, &nl);
        FUZZ_CHECK(norm != NULL);
        FUZZ_CHECK(norm[nl] == '\0');
        FUZZ_CHECK(memchr(norm, '\0', nl) == NULL);
        FUZZ_CHECK(fuzz_valid_utf8(norm, nl));
        size_t rep = medtone_token_repeat(t, i);
        FUZZ_CHECK(rep >= 1);
        if (kind != MEDTONE_TOKEN_PUNCT)
            FUZZ_CHECK(rep == 1);
        else
            FUZZ_CHECK(rep <= tl);
        /* NULs separate tokens like white space: no token holds one. */
        FUZZ_CHECK(memchr(text + off, '\0', tl) == NULL);
    }
    /* Out of range gives 0 / "". */
    FUZZ_CHECK(medtone_token_length(t, n) == 0);
    FUZZ_CHECK(*medtone_token_normalized(t, n, NULL) == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static medtone_tokens *reused; /* kept across inputs: the reuse path */
    if (!reused) reused = medtone_tokens_new();
    medtone_tokens *fresh = medtone_tokens_new();
    FUZZ_CHECK(reused && fresh);
    const char *text = (const char *)data;
    FUZZ_CHECK(medtone_tokenize(size ? text : NULL, size, fresh) == MEDTONE_OK);
    check_tokens(fresh, text, size);
    FUZZ_CHECK(medtone_tokenize(size ? text : NULL, size, reused) == MEDTONE_OK);
    size_t n = medtone_tokens_count(fresh);
    FUZZ_CHECK(medtone_tokens_count(reused) == n);
    for (size_t i = 0; i < n; i++) {
        size_t a, b;
        const char *na = medtone_token_normalized(fresh, i, &a);
        const char *nb = medtone_token_normalized(reused, i, &b);
        FUZZ_CHECK(medtone_token_offset(fresh, i) == medtone_token_offset(reused, i));
        FUZZ_CHECK(medtone_token_length(fresh, i) == medtone_token_length(reused, i));
        FUZZ_CHECK(medtone_token_kind_of(fresh, i) == medtone_token_kind_of(reused, i));
        FUZZ_CHECK(medtone_token_flags(fresh, i) == medtone_token_flags(reused, i));
        FUZZ_CHECK(a == b && memcmp(na, nb, a) == 0);
    }
    medtone_tokens_free(fresh);
    return 0;
}
