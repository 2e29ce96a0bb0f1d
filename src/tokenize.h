/* tokenize.h — the tokenizer's internal view, shared with the scorer and the lexicon loader.
 * The public accessors (medtone_token_*) read the same structures. */
#ifndef MT_TOKENIZE_H
#define MT_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#include "medtone.h"

typedef struct mt_token {
    size_t off;        /* byte offset in the original text */
    size_t len;        /* byte length in the original text */
    size_t norm_off;   /* offset of the normalized form in medtone_tokens.norm */
    uint32_t norm_len; /* its length in bytes (the form is NUL-terminated in norm) */
    uint32_t repeat;   /* marks in a PUNCT run, else 1 */
    uint16_t kind;     /* medtone_token_kind */
    uint16_t flags;    /* MEDTONE_TOKEN_* flags */
} mt_token;

struct medtone_tokens {
    mt_token *tok;
    size_t count, cap;
    char *norm; /* all normalized forms, each NUL-terminated */
    size_t norm_len, norm_cap;
    void *scratch; /* decoder workspace, kept between calls */
    size_t scratch_cap;
};

/* Normalized form of token i (NUL-terminated). */
static inline const char *mt_token_norm(const medtone_tokens *t, size_t i)
{
    return t->norm + t->tok[i].norm_off;
}

#endif
