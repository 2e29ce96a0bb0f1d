/*
 * medtone.h — the public API of libmedtone, written to be read top to bottom.
 *
 * medtone tokenizes social-media text, scores its sentiment with lexicons tuned for health care,
 * explains every score by the words that moved it, and (in later parts of this header) flags
 * posts that need a person and rolls posts up into reputation scores.
 *
 * Contract, for every function below:
 *   - Every symbol starts with `medtone_`, every macro with `MEDTONE_`.
 *   - Objects are opaque handles made by `*_new` and released by `*_free`; `*_free(NULL)` does
 *     nothing. No struct crosses the ABI by value, so the library can grow without breaking
 *     programs or bindings built against an older copy of this header.
 *   - Text comes in as (pointer, byte length), UTF-8. It need not be NUL-terminated and may
 *     contain NUL bytes. Invalid UTF-8 is never an error: see medtone_tokenize for the rule.
 *   - Fallible calls return a medtone_status; out-parameters come last. A failed call leaves its
 *     objects as they were before the call. The library never prints, exits or aborts.
 *   - Thread safety is stated next to each object. In short: an analyzer is read-only once built
 *     and may be shared by any number of threads; tokens and result objects belong to one thread
 *     at a time and are reused from call to call without reallocating.
 */
#ifndef MEDTONE_H
#define MEDTONE_H

#include <stddef.h>

#include "medtone/export.h"
#include "medtone/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------------------------- */

/* The version of the library actually loaded, as MEDTONE_VERSION_NUMBER
 * (major * 10000 + minor * 100 + patch). Compare with the macro to detect a header/library
 * mismatch; bindings call this instead of reading the macros. */
MEDTONE_API unsigned medtone_version(void);

/* The same as a string, e.g. "0.1.0". Static storage; never free it. */
MEDTONE_API const char *medtone_version_string(void);

/* ---------------------------------------------------------------------------------------------
 * Status codes
 * ------------------------------------------------------------------------------------------- */

/* What a fallible call returns. Values are stable; new codes are only ever appended. */
typedef enum medtone_status {
    MEDTONE_OK = 0,
    MEDTONE_ERR_NOMEM = 1,       /* an allocation failed; nothing was changed */
    MEDTONE_ERR_INVALID_ARG = 2, /* a NULL handle, an unknown option, a value out of range */
    MEDTONE_ERR_IO = 3,          /* a file could not be opened or read */
    MEDTONE_ERR_PARSE = 4,       /* malformed input (a lexicon line, a data row); see the detail */
    MEDTONE_ERR_GZIP = 5,        /* a .gz stream is corrupt or truncated */
    MEDTONE_ERR_TOO_LARGE = 6,   /* an input exceeds a documented limit */
    MEDTONE_ERR_NOT_FOUND = 7,   /* a named thing (layer, flag, entity) does not exist */
    MEDTONE_ERR_INTERNAL = 8     /* a bug in medtone; please report it */
} medtone_status;

/* A short English message for a status, e.g. "out of memory". Static storage; never NULL
 * (unknown codes give "unknown status"). */
MEDTONE_API const char *medtone_status_str(medtone_status status);

/* ---------------------------------------------------------------------------------------------
 * Memory
 * ------------------------------------------------------------------------------------------- */

typedef void *(*medtone_malloc_fn)(size_t size, void *user);
typedef void *(*medtone_realloc_fn)(void *ptr, size_t size, void *user);
typedef void (*medtone_free_fn)(void *ptr, void *user);

/* Routes every allocation the library makes through the given functions (all three, or all
 * NULL to restore the C library's malloc/realloc/free). Call it before creating any object, from
 * one thread: objects made under one allocator must be freed under the same one. This is also
 * how the test suite fails the Nth allocation to prove that every failure path is clean. */
MEDTONE_API medtone_status medtone_set_allocator(medtone_malloc_fn malloc_fn,
                                                 medtone_realloc_fn realloc_fn,
                                                 medtone_free_fn free_fn, void *user);

/* ---------------------------------------------------------------------------------------------
 * Tokenizer
 *
 * Splits social text into tokens. Each token keeps its byte span in the ORIGINAL text and a
 * normalized form used for lexicon lookup: NFKC, case folded, curly apostrophes made straight,
 * HTML entities decoded, letters repeated three or more times squashed to two ("soooo" -> "soo",
 * "goooood" -> "good"), sloppy contractions completed ("dont" -> "don't").
 *
 * Invalid UTF-8 rule: a byte that does not begin a valid, shortest-form UTF-8 sequence of a
 * Unicode scalar value (so overlong forms and encoded surrogates too) stands for U+FFFD and
 * spans exactly that one byte. It becomes a MEDTONE_TOKEN_SYMBOL token with the
 * MEDTONE_TOKEN_INVALID_UTF8 flag. Offsets therefore never shift. NUL bytes and other control
 * characters separate tokens like white space.
 *
 * Numbers with a unit separated by one space are one token: "10 mg" is a DOSE normalized "10mg",
 * "12.5 %" a PERCENT, "9 am" a TIME. Emoticons normalize to lower case with one mouth (":-)))" ->
 * ":-)", "XD" -> "xd"); hashtags stop at a hyphen ("#COVID-19" -> "covid", "-", "19").
 * ------------------------------------------------------------------------------------------- */

/* What a token is. Values are stable; new kinds are only ever appended. */
typedef enum medtone_token_kind {
    MEDTONE_TOKEN_WORD = 0,     /* letters, digits inside words, apostrophes, in-word hyphens */
    MEDTONE_TOKEN_NUMBER = 1,   /* 3, 3.5, 1,000, 555-123-4567 */
    MEDTONE_TOKEN_URL = 2,      /* https://x.org/a, www.x.org, cdc.gov/flu */
    MEDTONE_TOKEN_EMAIL = 3,    /* name@example.org */
    MEDTONE_TOKEN_MENTION = 4,  /* @handle */
    MEDTONE_TOKEN_HASHTAG = 5,  /* #NotHappy; normalized without '#': "nothappy" */
    MEDTONE_TOKEN_CASHTAG = 6,  /* $PFE */
    MEDTONE_TOKEN_EMOTICON = 7, /* :) :-( :'( :D XD <3 ^_^ */
    MEDTONE_TOKEN_EMOJI = 8,    /* one whole grapheme: ZWJ sequences, skin tones, flags, keycaps */
    MEDTONE_TOKEN_PUNCT = 9,    /* . , ! ? and runs of them ("!!!", "?!?"), see repeat */
    MEDTONE_TOKEN_SYMBOL = 10,  /* any other symbol, and invalid bytes */
    MEDTONE_TOKEN_MONEY = 11,   /* $20, €5.50, 20$ */
    MEDTONE_TOKEN_PERCENT = 12, /* 5%, 12.5 % */
    MEDTONE_TOKEN_TIME = 13,    /* 10:30, 9am, 7:45pm */
    MEDTONE_TOKEN_DOSE = 14,    /* a number with a unit or frequency: 10mg, 2x/day, 500 mcg */
    MEDTONE_TOKEN_DATE = 15     /* 12/05/1980, 2024-03-01 */
} medtone_token_kind;

/* Token flags, OR-ed together. Values are stable; new flags are only ever added. */
#define MEDTONE_TOKEN_ALLCAPS 0x01u      /* a word of two or more letters, all upper case */
#define MEDTONE_TOKEN_ELONGATED 0x02u    /* a letter repeated three or more times: "soooo" */
#define MEDTONE_TOKEN_NEGATION 0x04u     /* a negation word: not, no, never, don't, dont, ain't */
#define MEDTONE_TOKEN_CONTRACTION 0x08u  /* a contraction: don't, I'm, it's, can’t */
#define MEDTONE_TOKEN_INVALID_UTF8 0x10u /* the token stands for an invalid byte */

/* A reusable list of tokens. One thread at a time. */
typedef struct medtone_tokens medtone_tokens;

/* A new, empty token list, or NULL when out of memory. */
MEDTONE_API medtone_tokens *medtone_tokens_new(void);
MEDTONE_API void medtone_tokens_free(medtone_tokens *tokens);

/* Tokenizes text[0..len) into `tokens`, replacing what it held. Memory is kept between calls,
 * so tokenizing many texts with one list allocates only when a text is larger than any before.
 * `text` may be NULL when len is 0. Returns MEDTONE_ERR_NOMEM (tokens left empty),
 * MEDTONE_ERR_INVALID_ARG for a NULL list or NULL text with len > 0, or MEDTONE_ERR_TOO_LARGE
 * when one token's normalized form would exceed 4 GiB. */
MEDTONE_API medtone_status medtone_tokenize(const char *text, size_t len, medtone_tokens *tokens);

/* Number of tokens from the last medtone_tokenize call (0 for a new list). */
MEDTONE_API size_t medtone_tokens_count(const medtone_tokens *tokens);

/* Accessors for token i (0 <= i < count). An out-of-range i gives 0 / an empty string. */
MEDTONE_API medtone_token_kind medtone_token_kind_of(const medtone_tokens *tokens, size_t i);
MEDTONE_API size_t medtone_token_offset(const medtone_tokens *tokens, size_t i);
MEDTONE_API size_t medtone_token_length(const medtone_tokens *tokens, size_t i);
MEDTONE_API unsigned medtone_token_flags(const medtone_tokens *tokens, size_t i);
/* How many marks a PUNCT token holds ("!!!" -> 3, "?!?" -> 3, "." -> 1); 1 for other kinds. */
MEDTONE_API size_t medtone_token_repeat(const medtone_tokens *tokens, size_t i);
/* The normalized form, NUL-terminated, its byte length in *len_out when len_out is not NULL.
 * Owned by `tokens`; valid until the next medtone_tokenize on it or medtone_tokens_free. */
MEDTONE_API const char *medtone_token_normalized(const medtone_tokens *tokens, size_t i,
                                                 size_t *len_out);

/* The name of a kind in lower case ("word", "emoji", ...); "unknown" for other values. */
MEDTONE_API const char *medtone_token_kind_name(medtone_token_kind kind);

/* ---------------------------------------------------------------------------------------------
 * Analyzer options
 *
 * Options are set through one setter keyed by an enum, so a new option never changes a struct or
 * a signature. An options object is only read by medtone_analyzer_new; free it any time after.
 * ------------------------------------------------------------------------------------------- */

typedef struct medtone_options medtone_options;

/* Values are stable; new options are only ever appended. */
typedef enum medtone_option {
    /* int, 1 (default) or 0: start from the lexicon layers built into the library. With 0 the
     * analyzer starts empty and every layer comes from medtone_analyzer_load_lexicon*. */
    MEDTONE_OPT_EMBEDDED_LEXICONS = 1,
    /* int, 0..16, default 3: how many words after a negation it reaches ("not very good"); one
     * more in a sentence of over 25 words, whose phrases run longer. */
    MEDTONE_OPT_NEGATION_SCOPE = 2,
    /* int, 1 (default) or 0: raise the flags (see "Flags" below). 0 scores sentiment only. */
    MEDTONE_OPT_FLAGS = 3
} medtone_option;

/* New options holding the defaults, or NULL when out of memory. */
MEDTONE_API medtone_options *medtone_options_new(void);
MEDTONE_API void medtone_options_free(medtone_options *options);
/* MEDTONE_ERR_INVALID_ARG for an unknown option or a value out of its documented range; the
 * options are then left as they were. */
MEDTONE_API medtone_status medtone_options_set_int(medtone_options *options, medtone_option option,
                                                   long value);

/* ---------------------------------------------------------------------------------------------
 * Analyzer
 *
 * An analyzer holds the merged lexicon layers and the rule settings. Build it, load any extra
 * layers, then share it: medtone_analyze only reads it, so any number of threads may analyze with
 * one analyzer at once. Loading a layer changes it, so do that before sharing it (or under your
 * own lock).
 *
 * Lexicon files are UTF-8 text, plain or gzip-compressed (detected by content, not by name):
 *     #@ layer my-hospital        optional header: the layer's name (default: the file name)
 *     #@ version 2026.11          optional header: any version text
 *     # a comment                 comments and blank lines are ignored
 *     term<TAB>valence[<TAB>tags]
 * valence is a number in -4..+4. term may be several words ("bedside manner"); it is normalized
 * exactly as the tokenizer normalizes text. tags is a comma-separated list of names, some with
 * a value (booster=0.3); unknown tags are kept for forward compatibility and ignored. When a
 * term appears twice, the later line or the later layer wins. Valences are plain decimals (read
 * the same in every locale). Limits: a file, or a gzip stream once inflated, of at most 256 MiB
 * (MEDTONE_ERR_TOO_LARGE beyond), and at most 32 words in a term. A line starting with '#' is a
 * comment, so write a hashtag term without its '#' (it normalizes the same).
 * ------------------------------------------------------------------------------------------- */

typedef struct medtone_analyzer medtone_analyzer;

/* Builds an analyzer from options (NULL = defaults) into *out. On failure *out is NULL. */
MEDTONE_API medtone_status medtone_analyzer_new(const medtone_options *options,
                                                medtone_analyzer **out);
MEDTONE_API void medtone_analyzer_free(medtone_analyzer *analyzer);

/* Adds a layer on top of the existing ones, from a file (plain or .gz). A failure (missing file,
 * corrupt gzip, malformed line) leaves the analyzer exactly as it was, and
 * medtone_analyzer_last_error tells the file and the line: "my.tsv:12: valence out of range". */
MEDTONE_API medtone_status medtone_analyzer_load_lexicon(medtone_analyzer *analyzer,
                                                         const char *path);
/* The same from memory; `name` names the layer when the data has no "#@ layer" header and is
 * used in error messages. The data is copied. */
MEDTONE_API medtone_status medtone_analyzer_load_lexicon_data(medtone_analyzer *analyzer,
                                                              const char *name, const char *data,
                                                              size_t len);

/* The same for the flags' cue lexicon: a layer of cues in the same format, where the valence
 * column is the cue's weight and the tags say which flag it serves (misinfo, crisis, health-info,
 * identifier, reaction, drug, org, and the aspects wait, billing, staff, communication,
 * cleanliness, access, food, parking, medication, outcome, records). Unlike sentiment layers, a
 * cue listed again in a later layer keeps its earlier tags too. Extends, for example, the lists of
 * reliable and unreliable web domains (`example-cures.com	2.5	misinfo`). */
MEDTONE_API medtone_status medtone_analyzer_load_cues(medtone_analyzer *analyzer, const char *path);
MEDTONE_API medtone_status medtone_analyzer_load_cues_data(medtone_analyzer *analyzer,
                                                           const char *name, const char *data,
                                                           size_t len);

/* A description of the last failed load on this analyzer, or "" when none failed. Owned by the
 * analyzer, valid until the next load call on it. */
MEDTONE_API const char *medtone_analyzer_last_error(const medtone_analyzer *analyzer);

/* The layers in merge order (0 = bottom; NULL for an index out of range) and the number of
 * distinct terms after merging. Each built-in lexicon file is one layer. */
MEDTONE_API size_t medtone_analyzer_layer_count(const medtone_analyzer *analyzer);
MEDTONE_API const char *medtone_analyzer_layer_name(const medtone_analyzer *analyzer, size_t i);
MEDTONE_API size_t medtone_analyzer_term_count(const medtone_analyzer *analyzer);

/* ---------------------------------------------------------------------------------------------
 * Results and explanations
 *
 * A result holds the score of one text and the explanation of it. Reuse one result per thread:
 * medtone_analyze replaces its content and only allocates when a text is larger than any before.
 * ------------------------------------------------------------------------------------------- */

typedef struct medtone_result medtone_result;

MEDTONE_API medtone_result *medtone_result_new(void);
MEDTONE_API void medtone_result_free(medtone_result *result);

/* The longest text medtone_analyze takes: 128 MiB. Analysis keeps about 28 bytes per byte of
 * text (more for text of short words: some 120 bytes per token), so a text at the limit may need
 * some 4 GB; a longer one is refused with MEDTONE_ERR_TOO_LARGE before anything is allocated.
 * No post comes near it: split a longer document and analyze the parts. */
#define MEDTONE_ANALYZE_MAX_BYTES ((size_t)128 << 20)

/* Analyzes text[0..len) into `result`. On failure the result is left empty (compound 0):
 * MEDTONE_ERR_INVALID_ARG for a NULL analyzer or result, or NULL text with len > 0;
 * MEDTONE_ERR_TOO_LARGE for len > MEDTONE_ANALYZE_MAX_BYTES; MEDTONE_ERR_NOMEM. */
MEDTONE_API medtone_status medtone_analyze(const medtone_analyzer *analyzer, const char *text,
                                           size_t len, medtone_result *result);

/* Overall sentiment in [-1, 1]: below -0.05 reads as negative, above 0.05 as positive. */
MEDTONE_API double medtone_result_compound(const medtone_result *result);
/* Shares of positive, neutral and negative weight in the text, each in [0, 1], summing to 1
 * (all three 0 for an empty text). */
MEDTONE_API double medtone_result_positive(const medtone_result *result);
MEDTONE_API double medtone_result_neutral(const medtone_result *result);
MEDTONE_API double medtone_result_negative(const medtone_result *result);

/* The tokens of the analyzed text. Owned by the result; valid until its next use or free. */
MEDTONE_API const medtone_tokens *medtone_result_tokens(const medtone_result *result);

/* The explanation: one term per lexicon match that carried valence (a word, an emoji, or a
 * multi-word expression), in text order. Accessors take 0 <= i < term_count; out of range
 * gives 0 / "". Strings are owned by the result (or the analyzer) and valid until the result's
 * next use or free. */
MEDTONE_API size_t medtone_result_term_count(const medtone_result *result);
MEDTONE_API size_t medtone_result_term_offset(const medtone_result *result, size_t i);
MEDTONE_API size_t medtone_result_term_length(const medtone_result *result, size_t i);
/* The lexicon entry that matched (normalized, e.g. "bedside manner") and its layer's name. */
MEDTONE_API const char *medtone_result_term_entry(const medtone_result *result, size_t i);
MEDTONE_API const char *medtone_result_term_layer(const medtone_result *result, size_t i);
/* The entry's valence as written in the lexicon (-4..4) and what it finally contributed after
 * every rule, on the same scale. */
MEDTONE_API double medtone_result_term_valence(const medtone_result *result, size_t i);
MEDTONE_API double medtone_result_term_contribution(const medtone_result *result, size_t i);
/* The rules that changed this term, as MEDTONE_RULE_* bits. */
MEDTONE_API unsigned medtone_result_term_rules(const medtone_result *result, size_t i);

/* Rule bits. Values are stable; new rules are only ever added. */
#define MEDTONE_RULE_NEGATED 0x0001u       /* "not good": a negation in scope flipped it */
#define MEDTONE_RULE_BOOSTED 0x0002u       /* "very good": a booster before it */
#define MEDTONE_RULE_DAMPENED 0x0004u      /* "kind of good": a dampener before it */
#define MEDTONE_RULE_CAPS 0x0008u          /* "GOOD" in a mixed-case text */
#define MEDTONE_RULE_ELONGATED 0x0010u     /* "goooood" */
#define MEDTONE_RULE_BEFORE_CONTRAST 0x0020u /* weakened: before "but" ("good but slow") */
#define MEDTONE_RULE_AFTER_CONTRAST 0x0040u  /* strengthened: after "but" */
#define MEDTONE_RULE_RELIEF 0x0080u        /* a symptom governed by relief: "no more pain" */
#define MEDTONE_RULE_CLINICAL 0x0100u      /* a clinical polarity shift: "tested positive" */
#define MEDTONE_RULE_LEAST 0x0200u         /* "least": "the least helpful" */
#define MEDTONE_RULE_EXCLAIM 0x0400u       /* strengthened by exclamation marks */
#define MEDTONE_RULE_CONDITION 0x0800u     /* a symptom named, not judged: "for my anxiety" */
#define MEDTONE_RULE_TREND 0x1000u         /* a measure's change: "my a1c dropped" */
#define MEDTONE_RULE_IRONY 0x2000u         /* flipped by an irony marker: "so fast /s" */
#define MEDTONE_RULE_NAME 0x4000u          /* weakened: a capitalized word read as a name */
#define MEDTONE_RULE_QUESTION 0x8000u      /* weakened: asked about, "any good dentists?" */
#define MEDTONE_RULE_CONDITIONAL 0x10000u  /* weakened: supposed, "if you want good care" */

/* The name of one rule bit ("negated", "boosted", ...), or "unknown". */
MEDTONE_API const char *medtone_rule_name(unsigned rule);

/* ---------------------------------------------------------------------------------------------
 * Flags: posts that need a person
 *
 * Every analysis also raises flags (unless MEDTONE_OPT_FLAGS is 0). A flag has a score in [0, 1],
 * a fired/not-fired decision at its threshold, and evidence: the byte spans and the cue (lexicon
 * entry or rule name) that raised it. Flags are enumerable: a program or binding lists them by
 * index and name without knowing them in advance, and new flags are only ever appended, so the
 * indexes below stay valid for the life of ABI major 0.
 *
 *   0  negative         strong negative sentiment aimed at the organization, its staff or care
 *                       (not a patient describing an illness)
 *   1  misinfo          a health claim worth checking: cure and miracle claims, conspiracy
 *                       frames, anti-vaccine tropes, urgency, false authority, dangerous advice,
 *                       weighed against cues of reliable reporting
 *   2  privacy          protected health details in public: an identifier (name, record number,
 *                       phone, date of birth, address...) together with health information
 *   3  crisis           self-harm, threats, emergencies, outbreaks: route to a person now. Tuned
 *                       for recall; figurative use ("this wait is killing me") is damped, not
 *                       ignored. A flag routes a post to a person; it is never the only safeguard.
 *   4  ade              a possible adverse drug event: a drug named with a reaction the writer had
 *   5.. aspect.*        which part of the experience a post is about, each with its own sentiment:
 *                       aspect.wait, aspect.billing, aspect.staff, aspect.communication,
 *                       aspect.cleanliness, aspect.access, aspect.food, aspect.parking,
 *                       aspect.medication, aspect.outcome, aspect.records
 * ------------------------------------------------------------------------------------------- */

/* Indexes of the flags every version has. */
#define MEDTONE_FLAG_NEGATIVE 0u
#define MEDTONE_FLAG_MISINFO 1u
#define MEDTONE_FLAG_PRIVACY 2u
#define MEDTONE_FLAG_CRISIS 3u
#define MEDTONE_FLAG_ADE 4u

/* How many flags this library raises, and their names ("negative", "aspect.wait", ...).
 * medtone_flag_name gives "" for an index out of range. Static storage. */
MEDTONE_API size_t medtone_flag_count(void);
MEDTONE_API const char *medtone_flag_name(size_t flag);
/* The index of a flag by name, in *index; MEDTONE_ERR_NOT_FOUND for an unknown name. */
MEDTONE_API medtone_status medtone_flag_find(const char *name, size_t *index);
/* The default threshold at which a flag fires, in [0, 1]. */
MEDTONE_API double medtone_flag_default_threshold(size_t flag);

/* Sets the threshold of one flag in the options (a score above 0 and >= threshold fires it).
 * MEDTONE_ERR_INVALID_ARG for an unknown flag or a threshold outside [0, 1]. */
MEDTONE_API medtone_status medtone_options_set_threshold(medtone_options *options, size_t flag,
                                                         double threshold);

/* The flag's score in [0, 1] and whether it fired, for the last analysis. */
MEDTONE_API double medtone_result_flag_score(const medtone_result *result, size_t flag);
MEDTONE_API int medtone_result_flag_fired(const medtone_result *result, size_t flag);
/* The sentiment tied to the flag, in [-1, 1]: for an aspect, the sentiment of what the post says
 * about that aspect; for other flags, the compound score. 0 when the flag has no evidence. */
MEDTONE_API double medtone_result_flag_sentiment(const medtone_result *result, size_t flag);

/* The evidence behind a flag: 0 <= i < count. The cue names what matched: a lexicon entry
 * ("big pharma") or a rule ("phone-number", "first-person-intent"). Strings are owned by the
 * result or the analyzer, valid until the result's next use or free. A privacy span is the
 * identifier's position only: the library never copies the identifier anywhere else. */
MEDTONE_API size_t medtone_result_evidence_count(const medtone_result *result, size_t flag);
MEDTONE_API size_t medtone_result_evidence_offset(const medtone_result *result, size_t flag,
                                                  size_t i);
MEDTONE_API size_t medtone_result_evidence_length(const medtone_result *result, size_t flag,
                                                  size_t i);
MEDTONE_API const char *medtone_result_evidence_cue(const medtone_result *result, size_t flag,
                                                    size_t i);

#ifdef __cplusplus
}
#endif

/* Entities, aggregation, alerts and state files: rolling posts up into reputation. */
#include "medtone/reputation.h"
/* Learning a lexicon layer from labeled posts. */
#include "medtone/train.h"

#endif /* MEDTONE_H */
