/* privacy.c — the privacy flag: protected health details posted in public, which the
 * organization should take offline (reply in private, never echo the details).
 *
 * A post is privacy-sensitive when an identifier of a person appears together with health
 * information. The identifiers are those of HIPAA's Safe Harbor list (docs/flags/privacy.md);
 * the words live in lexicons/cues-privacy.tsv as "<words> @id|@as|@in CLASS" lines, which
 * only this flag reads, and the shapes in this file. Steps, each one pass over the tokens, with
 * fixed-size arrays and the result's key scratch (no allocation per text):
 *   1. one walk over the phrases of the cue file: introducers ("mrn @id record", "call me at
 *      @id phone"), after which, past a few fillers ("is", ":", "#"), the value must have the
 *      shape its kind expects ("MRN: 00482913", "born on March 3, 1975", "Mrs. Henderson",
 *      "room 412"); public notices ("to book"); staff titles ("Dr."); and health terms
 *      ("breast cancer @as health"), longest first;
 *   2. shapes on their own: phone and SSN digit groups, e-mail tokens, "42 Birch Lane",
 *      "IL 62704", "92 years old", and two capitalized unknown words ("Brian Kowalski");
 *   3. weaker health signals: other flags' drug, reaction and crisis cues, and the scorer's
 *      symptom, side-effect, drug and result words;
 *   4. the score: each identifier pairs with its best health signal (nearer is better), and the
 *      identifiers combine like independent chances:
 *          p_i   = strength_i * max_j (HEALTH_FLOOR + (1 - HEALTH_FLOOR) * h_j) * near(i, j)
 *          score = 1 - prod_i (1 - p_i)
 *      A record number or an SSN implies health care by itself (IMPLIED_HEALTH): "my MRN is
 *      00482913" fires alone. A public notice ("to book", "call us") damps the contact details
 *      that no personal introducer vouches for: "Call 555-0100 to book your flu shot" does not
 *      fire, "text me at 555-283-9911 about my husband's dementia" does.
 * Evidence: the identifier's span only (never its introducer, never a copy) with its kind as the
 * cue ("phone-number"), and the span of the health information it was paired with: cue
 * "health-info" for a term of cues-privacy.tsv, else the other lexicon's entry ("nausea").
 */
#include <string.h>

#include "alloc.h"
#include "analyzer.h"
#include "flags.h"
#include "lexicon.h"
#include "result.h"
#include "tokenize.h"

/* How many identifiers and health signals one text keeps (the strongest, when there are more). */
#define MAX_IDS    16
#define MAX_HEALTH 48
/* Staff spans remembered per text ("Dr. Smith"), so a staff name is never a patient's name. */
#define MAX_STAFF 16
/* Fillers between an introducer and its value: "mrn is: 123", "policy no. 88312". */
#define FILLER_MAX 3
/* The longest phrase of the cue file, in words (before its marker). */
#define PHRASE_MAX 5

/* Health information counts fully within NEAR_TOKENS of the identifier, FAR_FACTOR beyond:
 * "Patient John Smith ... [a long story] ... HIV" is still one post about one person. */
#define NEAR_TOKENS 25
#define FAR_FACTOR  0.75
/* Health information of sensitivity h (0..1) makes an identifier count for FLOOR + (1-FLOOR)h:
 * even a routine "blood test" next to a record number matters, HIV matters fully. */
#define HEALTH_FLOOR 0.35
/* What a record number or an SSN tells by itself: the person is a patient or a member. */
#define IMPLIED_HEALTH 0.3

/* Strength of identifiers found by shape alone (after an introducer: its weight / 4, and for a
 * phone or an SSN at least this): a phone number may be anyone's, an SSN shape is nearly sure. */
#define S_PHONE        0.6
#define S_TOLL_FREE    0.1 /* 1-800 numbers are organizations' */
#define S_SSN          0.9
#define S_EMAIL        0.6
#define S_PUBLIC_EMAIL 0.1 /* info@, appointments@... */
#define S_ADDRESS      0.75
#define S_ZIP          0.35
/* An age over 89 alone never fires: "grandma turned 95 and beat cancer". */
#define S_AGE       0.45
#define S_NAME_PAIR 0.6
/* One first name after "my name is" or "patient" singles out fewer people than a full name:
 * "my name is Sarah and I have lupus" is the writer's own story. */
#define SINGLE_NAME_FACTOR 0.6
/* An introducer this heavy is personal ("call me at", "my cell"): public notices do not damp it. */
#define PERSONAL_WEIGHT 3.0
/* Public-notice weights add up; their sum / DAMP_SCALE damps contact details, at most DAMP_MAX. */
#define DAMP_SCALE 4.0
#define DAMP_MAX   0.9

/* Weak health signals from other lexicons (sensitivity 0..1). A drug hints at a condition
 * ("my lithium"), a reaction or symptom is a health detail but a mild one. */
#define H_DRUG        0.5
#define H_REACTION    0.4
#define H_CRISIS      0.3
#define H_SYMPTOM     0.4
#define H_SIDE_EFFECT 0.35
#define H_RESULT      0.3

/* Safe Harbor protects ages over 89; 125 bounds a plausible age ("waited 120 years" aside). */
#define AGE_MIN 90
#define AGE_MAX 125
/* Digits a record or account number needs: "MRN 4471" yes, "member 2" no. */
#define CODE_MIN_DIGITS 4
/* A name pair is a name unless the text is in Title Case ("Patient Care Week Starts Today"):
 * more than TITLE_CASE_SHARE of the words that do not start a sentence are capitalized. */
#define TITLE_CASE_MIN_WORDS 4
#define TITLE_CASE_SHARE     0.6
/* A name pair with a staff role this close after it is staff: "Sarah Johnson, the nurse who". */
#define STAFF_REACH 4

#define NONE ((size_t)-1)

/* Identifier kinds, one per introducer class of the cue file; the order of `kinds` below. */
enum {
    K_RECORD,
    K_IDNUM,
    K_SSN,
    K_DOB,
    K_DATE,
    K_ROOM,
    K_TITLE,
    K_NAME,
    K_PHONE,
    K_EMAIL,
    K_ADDRESS,
    K_ZIP,
    K_AGE,
    K_COUNT
};

static const struct kind_def {
    const char *cls; /* the introducers' class in cues-privacy.tsv ("mrn @id record") */
    const char *cue; /* the evidence cue */
    unsigned char contact;
} kinds[K_COUNT] = {
    [K_RECORD] = {"record", "record-number", 0},
    [K_IDNUM] = {"idnum", "id-number", 0},
    [K_SSN] = {"ssn", "ssn", 0},
    [K_DOB] = {"dob", "date-of-birth", 0},
    [K_DATE] = {"date", "personal-date", 0},
    [K_ROOM] = {"room", "room-number", 0},
    [K_TITLE] = {"title", "person-name", 0},
    [K_NAME] = {"name", "person-name", 0},
    [K_PHONE] = {"phone", "phone-number", 1},
    [K_EMAIL] = {"email", "email", 1},
    [K_ADDRESS] = {"address", "address", 1},
    [K_ZIP] = {"zip", "zip-code", 1},
    [K_AGE] = {"age", "age-over-89", 0},
};

/* The other classes of the cue file: roles ("@as") and word classes ("@in"). */
#define C_HEALTH   "health"
#define C_PUBLIC   "public"
#define C_STAFF    "staff"
#define C_MONTH    "month"
#define C_STREET   "street"
#define C_FILLER   "filler"
#define C_NOTNAME  "notname"
#define C_PLACE    "place"
#define C_YEARSOLD "yearsold"

typedef struct pv_id {
    size_t off, len; /* the identifier's span: the value only */
    size_t tok;      /* its first token, for distances */
    unsigned kind;
    int personal; /* vouched for by a personal introducer: not damped */
    double strength;
} pv_id;

typedef struct pv_health {
    size_t off, len, tok;
    double h;        /* sensitivity 0..1 */
    const char *cue; /* lexicon key (owned by the analyzer) or a static name */
} pv_health;

typedef struct pv {
    mt_flag_ctx *ctx;
    const medtone_tokens *t;
    const mt_lexicon *cues, *lex;
    const unsigned char *s;
    size_t n;
    pv_id ids[MAX_IDS];
    size_t nids;
    pv_health hs[MAX_HEALTH];
    size_t nhs;
    size_t staff_from[MAX_STAFF], staff_to[MAX_STAFF]; /* token ranges [from, to) */
    size_t nstaff;
    double public_weight; /* sum of |weight| of the public-notice phrases */
    int title_case;
    /* Hashes of the words the follow filter pairs keys with: the markers "@id" and "@as" (set
     * once per text), and "@in <class>" for the last few classes asked (see in_class). */
    uint64_t h_id, h_as;
    mt_follow_filter follow; /* the cue lexicon's */
    const char *in_cls[4];
    uint64_t in_hash[4];
    size_t nin;
} pv;

/* ---------------------------------------------------------------------------------------------
 * Characters and tokens
 * ------------------------------------------------------------------------------------------- */

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_alnum(unsigned char c)
{
    return is_digit(c) || is_upper(c) || is_lower(c);
}

static const mt_token *tok_at(const pv *p, size_t i)
{
    return &p->t->tok[i];
}

static const char *norm_at(const pv *p, size_t i)
{
    return mt_token_norm(p->t, i);
}

static int norm_is(const pv *p, size_t i, const char *s)
{
    return !strcmp(norm_at(p, i), s);
}

static size_t tok_end(const pv *p, size_t i)
{
    return tok_at(p, i)->off + tok_at(p, i)->len;
}

static size_t digits_in(const pv *p, size_t off, size_t len)
{
    size_t d = 0;
    for (size_t k = off; k < off + len; k++)
        d += is_digit(p->s[k]);
    return d;
}

/* The value of a token made of 1..6 digits only, or -1. */
static long plain_number(const pv *p, size_t i)
{
    const mt_token *t = tok_at(p, i);
    if (t->kind != MEDTONE_TOKEN_NUMBER || t->len == 0 || t->len > 6) return -1;
    long v = 0;
    for (size_t k = t->off; k < t->off + t->len; k++) {
        if (!is_digit(p->s[k])) return -1;
        v = v * 10 + (p->s[k] - '0');
    }
    return v;
}

/* Whether tokens a and b (a before b) are separated by exactly one space: "John Smith", not
 * "John. Smith" or "John\n\nSmith". */
static int one_space_between(const pv *p, size_t a, size_t b)
{
    size_t e = tok_end(p, a);
    return tok_at(p, b)->off == e + 1 && p->s[e] == ' ';
}

/* "Smith", "O'Brien", "Smith-Jones", "Smith's": an upper-case ASCII letter, then at least one
 * lower-case letter and no digit (ALL-CAPS words are shouting or acronyms, not names). */
static int is_capitalized(const pv *p, size_t i)
{
    const mt_token *t = tok_at(p, i);
    if (t->kind != MEDTONE_TOKEN_WORD || t->len < 2 || !is_upper(p->s[t->off])) return 0;
    int lower = 0;
    for (size_t k = t->off + 1; k < t->off + t->len; k++) {
        unsigned char c = p->s[k];
        if (is_digit(c)) return 0;
        lower |= is_lower(c);
    }
    return lower;
}

/* Punctuation that ends a sentence: an introducer's value never lies beyond it. */
static int ends_sentence(const pv *p, size_t i)
{
    return tok_at(p, i)->kind == MEDTONE_TOKEN_PUNCT && strpbrk(norm_at(p, i), "!?;") != NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Look-ups of the cue file's lines ("<words> @id|@as|@in CLASS") through the key scratch
 * ------------------------------------------------------------------------------------------- */

/* The markers of the cue file: "<words> @id KIND" introduces an identifier, "<words> @as
 * ROLE" is a public notice, a staff title or health information; both are read in the walk of
 * step 1. Word classes ("@in CLASS <words>": months, street suffixes...) are looked up below. */
#define ID " @id"
#define AS " @as"

static int key_reserve(pv *p, size_t need)
{
    medtone_result *r = p->ctx->r;
    if (mt_reserve((void **)&r->key, &r->key_cap, need, 1) != 0) {
        p->ctx->oom = 1;
        return -1;
    }
    return 0;
}

/* Sets the key to bytes s[0..n); returns n, or NONE when out of memory. */
static size_t key_set(pv *p, const char *s, size_t n)
{
    if (key_reserve(p, n + 1) != 0) return NONE;
    memcpy(p->ctx->r->key, s, n);
    p->ctx->r->key[n] = '\0';
    return n;
}

/* Appends " " and token i's normalized form to the key of length len; returns the new length. */
static size_t key_add_token(pv *p, size_t len, size_t i)
{
    size_t m = tok_at(p, i)->norm_len;
    if (key_reserve(p, len + 1 + m + 1) != 0) return NONE;
    char *k = p->ctx->r->key;
    k[len] = ' ';
    memcpy(k + len + 1, norm_at(p, i), m + 1);
    return len + 1 + m;
}

/* Whether a key hashed h may go on with a word (no space in it) hashed w in some longer key of
 * the cue file: the lexicon's follow filter, from two hashes and without building the longer
 * key. Never wrong when it says no, which it says of nearly every word of a text. */
static int may_go_on(const pv *p, uint64_t h, uint64_t w)
{
    return mt_follow_may_extend(p->follow, h, w);
}

/* The hash of the word after a key that a marker (ID or AS) puts there: "@id" or "@as". */
static uint64_t mark_hash(const pv *p, const char *mark)
{
    return !strcmp(mark, ID)   ? p->h_id
           : !strcmp(mark, AS) ? p->h_as
                               : mt_lexicon_hash(mark + 1, strlen(mark) - 1);
}

/* The same for token j as the next word (a normalized form with a space in it, which is rare,
 * is let through: the filter is only sound for single words). */
static int may_go_on_with(const pv *p, uint64_t h, size_t j)
{
    return mt_follow_may_extend(p->follow, h, mt_token_hash(p->ctx->r, j)) ||
           mt_token_has_space(p->ctx->r, j);
}

/* Whether some line "<key> <mark> ..." exists for the key of length len, hashed h, which is left
 * as it was. The one look-up that rules out almost every phrase of a text; the follow filter
 * answers it first, for the pair (key, "@id"), so most keys are never extended and hashed. */
static int key_is_ours(pv *p, size_t len, uint64_t h, const char *mark)
{
    size_t m = strlen(mark);
    if (!may_go_on(p, h, mark_hash(p, mark))) return 0;
    if (key_reserve(p, len + m + 1) != 0) return 0;
    char *k = p->ctx->r->key;
    memcpy(k + len, mark, m + 1);
    int ours = mt_lexicon_has_prefix(p->cues, k, len + m);
    k[len] = '\0';
    return ours;
}

/* The line "<key> <mark> <cls>" for the key of length len, or NULL; the key is left as it was. */
static const mt_entry *key_class(pv *p, size_t len, const char *mark, const char *cls)
{
    size_t m = strlen(mark), c = strlen(cls);
    if (key_reserve(p, len + m + 1 + c + 1) != 0) return NULL;
    char *k = p->ctx->r->key;
    memcpy(k + len, mark, m);
    k[len + m] = ' ';
    memcpy(k + len + m + 1, cls, c + 1);
    const mt_entry *e = mt_lexicon_find(p->cues, k, len + m + 1 + c);
    k[len] = '\0';
    return e;
}

/* The line "<bytes> <mark> <cls>", for a word or part of one ("info" of "info@clinic.org"). */
static const mt_entry *bytes_class(pv *p, const char *s, size_t n, const char *mark,
                                   const char *cls)
{
    if (n == 0 || key_set(p, s, n) == NONE || !key_is_ours(p, n, mt_lexicon_hash(s, n), mark))
        return NULL;
    return key_class(p, n, mark, cls);
}

/* The line "<token i> <mark> <cls>". */
static const mt_entry *tok_class(pv *p, size_t i, const char *mark, const char *cls)
{
    size_t n = tok_at(p, i)->norm_len;
    if (n == 0 || key_set(p, norm_at(p, i), n) == NONE ||
        !key_is_ours(p, n, mt_token_hash(p->ctx->r, i), mark))
        return NULL;
    return key_class(p, n, mark, cls);
}

/* Word classes are written the other way round, "@in CLASS <words>", so that frequent words
 * ("was", "day", "from") begin no key of ours and cost the walk of step 1 nothing. Sets the key
 * to "@in <cls>" and returns its length. */
static size_t in_key(pv *p, const char *cls)
{
    size_t c = strlen(cls);
    if (key_reserve(p, 4 + c + 1) != 0) return NONE;
    memcpy(p->ctx->r->key, "@in ", 4);
    memcpy(p->ctx->r->key + 4, cls, c + 1);
    return 4 + c;
}

/* The line "@in <cls> <bytes>": whether a word, or part of one, is in a class. */
static const mt_entry *in_class_bytes(pv *p, const char *cls, const char *s, size_t n)
{
    size_t len = in_key(p, cls);
    if (len == NONE || n == 0 || key_reserve(p, len + 1 + n + 1) != 0) return NULL;
    char *k = p->ctx->r->key;
    k[len] = ' ';
    memcpy(k + len + 1, s, n);
    k[len + 1 + n] = '\0';
    return mt_lexicon_find(p->cues, k, len + 1 + n);
}

/* The line "@in <cls> <token i>". Most tokens are in no class, and the follow filter tells so
 * from the hashes of "@in <cls>" and of the token, before the key is built. */
static const mt_entry *in_class(pv *p, size_t i, const char *cls)
{
    /* The hash of "@in <cls>": remembered for the few classes a text asks about. */
    size_t k = 0;
    while (k < p->nin && p->in_cls[k] != cls)
        k++;
    uint64_t h;
    if (k < p->nin) {
        h = p->in_hash[k];
    } else {
        char head[32];
        size_t c = strlen(cls);
        if (c + 4 > sizeof head) return in_class_bytes(p, cls, norm_at(p, i), tok_at(p, i)->norm_len);
        memcpy(head, "@in ", 4);
        memcpy(head + 4, cls, c);
        h = mt_lexicon_hash(head, 4 + c);
        if (p->nin < sizeof p->in_cls / sizeof p->in_cls[0]) {
            p->in_cls[p->nin] = cls;
            p->in_hash[p->nin++] = h;
        }
    }
    if (!may_go_on_with(p, h, i)) return NULL;
    return in_class_bytes(p, cls, norm_at(p, i), tok_at(p, i)->norm_len);
}

/* The longest "@in <cls> <tokens i..i+k)" line; sets *ntok to k ("years old"). */
static const mt_entry *in_class_phrase(pv *p, size_t i, const char *cls, size_t *ntok)
{
    const mt_entry *best = NULL;
    size_t len = in_key(p, cls);
    for (size_t k = 0; len != NONE && k < PHRASE_MAX && i + k < p->t->count; k++) {
        if (tok_at(p, i + k)->kind == MEDTONE_TOKEN_PUNCT) break;
        if (k > 0 && !mt_lexicon_has_prefix(p->cues, p->ctx->r->key, len)) break;
        len = key_add_token(p, len, i + k);
        const mt_entry *e = len != NONE ? mt_lexicon_find(p->cues, p->ctx->r->key, len) : NULL;
        if (e) {
            best = e;
            *ntok = k + 1;
        }
    }
    return best;
}

/* A word that is in some lexicon, or listed as not a name: "Care", "Clinic", "Happy". Asked
 * only of words that never_name has passed, which looked among the non-names already, so the
 * lexicons are what is left to ask. */
static int known_word(pv *p, size_t i)
{
    int more;
    return mt_token_find(p->ctx->r, p->lex, i) || mt_flag_token_cue(p->ctx, i, &more);
}

/* A capitalized word that can never be part of a name: a month, a title, a non-name. */
static int never_name(pv *p, size_t i)
{
    if (in_class(p, i, C_NOTNAME) || in_class(p, i, C_MONTH)) return 1;
    uint64_t h = mt_token_hash(p->ctx->r, i);
    if (!may_go_on(p, h, p->h_as) && !may_go_on(p, h, p->h_id))
        return 0; /* no "<word> @as ..." or "<word> @id ..." line at all */
    size_t len = key_set(p, norm_at(p, i), tok_at(p, i)->norm_len);
    if (len == NONE) return 0;
    return (key_is_ours(p, len, h, AS) && key_class(p, len, AS, C_STAFF)) ||
           (key_is_ours(p, len, h, ID) && key_class(p, len, ID, kinds[K_TITLE].cls));
}

/* An organization's mailbox: the local part of the address is a public word ("info@",
 * "appointments@"). */
static int public_email(pv *p, size_t i)
{
    const char *w = norm_at(p, i);
    const char *at = strchr(w, '@');
    return at && bytes_class(p, w, (size_t)(at - w), AS, C_PUBLIC) != NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Identifiers and health signals kept for the text
 * ------------------------------------------------------------------------------------------- */

static void add_id(pv *p, size_t off, size_t len, size_t tok, unsigned kind, double strength,
                   int personal)
{
    pv_id id = {off, len, tok, kind, personal, strength};
    /* The same span found twice (by its introducer and by its shape): keep the stronger. */
    for (size_t k = 0; k < p->nids; k++) {
        pv_id *o = &p->ids[k];
        if (off < o->off + o->len && o->off < off + len) {
            if (strength > o->strength) *o = id;
            return;
        }
    }
    if (p->nids < MAX_IDS) {
        p->ids[p->nids++] = id;
        return;
    }
    size_t weakest = 0;
    for (size_t k = 1; k < MAX_IDS; k++)
        if (p->ids[k].strength < p->ids[weakest].strength) weakest = k;
    if (strength > p->ids[weakest].strength) p->ids[weakest] = id;
}

static void add_health(pv *p, size_t off, size_t len, size_t tok, double h, const char *cue)
{
    if (!(h > 0)) return;
    if (h > 1) h = 1;
    pv_health s = {off, len, tok, h, cue};
    for (size_t k = 0; k < p->nhs; k++) {
        pv_health *o = &p->hs[k];
        if (off < o->off + o->len && o->off < off + len) {
            if (h > o->h) *o = s;
            return;
        }
    }
    if (p->nhs < MAX_HEALTH) {
        p->hs[p->nhs++] = s;
        return;
    }
    size_t weakest = 0;
    for (size_t k = 1; k < MAX_HEALTH; k++)
        if (p->hs[k].h < p->hs[weakest].h) weakest = k;
    if (h > p->hs[weakest].h) p->hs[weakest] = s;
}

static int in_staff(const pv *p, size_t i)
{
    for (size_t k = 0; k < p->nstaff; k++)
        if (i >= p->staff_from[k] && i < p->staff_to[k]) return 1;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Shapes of values
 * ------------------------------------------------------------------------------------------- */

/* A run of digit groups starting at byte off: "555-123-4567", "(555) 123-4567", "+44 20 7946
 * 0958", "123-45-6789". Separators are one '-', '.' or ' ' between groups. */
typedef struct digit_run {
    size_t end;
    size_t ngroups, glen[6];
    size_t digits;
    unsigned area; /* the first three digits after a leading 1, for toll-free numbers */
    int plus, paren, dot;
} digit_run;

static int scan_digit_run(const pv *p, size_t off, digit_run *r)
{
    const unsigned char *s = p->s;
    size_t n = p->n, k = off;
    memset(r, 0, sizeof *r);
    if (off > 0 && (is_alnum(s[off - 1]) || s[off - 1] == '.' || s[off - 1] == '/' ||
                    s[off - 1] == ',' || s[off - 1] == '-' || s[off - 1] == '$'))
        return 0;
    if (k < n && s[k] == '+') {
        r->plus = 1;
        k++;
    }
    if (k < n && s[k] == '(') {
        size_t q = k + 1;
        while (q < n && is_digit(s[q]))
            q++;
        if (q - k - 1 != 3 || q >= n || s[q] != ')') return 0;
        r->paren = 1;
        r->glen[r->ngroups++] = 3;
        r->digits = 3;
        k = q + 1;
        if (k < n && (s[k] == ' ' || s[k] == '-')) k++;
        if (k >= n || !is_digit(s[k])) return 0;
    }
    while (k < n && is_digit(s[k])) {
        size_t q = k;
        while (q < n && is_digit(s[q]))
            q++;
        if (r->ngroups == 6) return 0;
        r->glen[r->ngroups++] = q - k;
        r->digits += q - k;
        k = q;
        if (k + 1 < n && (s[k] == '-' || s[k] == '.' || s[k] == ' ') && is_digit(s[k + 1])) {
            r->dot |= s[k] == '.';
            k++;
        } else {
            break;
        }
    }
    if (r->ngroups == 0 || (k < n && (is_alnum(s[k]) || s[k] == '/' || s[k] == '%'))) return 0;
    r->end = k;
    /* The area code: after '+1', '1-' or at the start. */
    size_t q = off + (size_t)r->plus + (size_t)r->paren;
    if (q < n && s[q] == '1' && (r->glen[0] == 1 || (r->plus && r->glen[0] == 11))) {
        q++;
        while (q < n && !is_digit(s[q]))
            q++;
    }
    for (int d = 0; d < 3 && q < n && is_digit(s[q]); d++, q++)
        r->area = r->area * 10 + (s[q] - '0');
    return 1;
}

static int is_ssn(const digit_run *r, int introduced)
{
    if (r->ngroups == 3 && r->glen[0] == 3 && r->glen[1] == 2 && r->glen[2] == 4 && !r->dot &&
        !r->plus && !r->paren)
        return 1;
    return introduced && r->ngroups == 1 && r->digits == 9 && !r->plus;
}

static int is_phone(const digit_run *r, int introduced)
{
    const size_t *g = r->glen;
    if (r->plus) return r->digits >= 8 && r->digits <= 15;
    if (r->paren) return r->digits == 10 || (r->digits == 7 && r->ngroups == 2);
    if (r->ngroups == 3 && g[0] == 3 && g[1] == 3 && g[2] == 4) return 1;
    if (r->ngroups == 4 && g[0] == 1 && g[1] == 3 && g[2] == 3 && g[3] == 4) return 1;
    /* "555-0100": a seven-digit local number needs '-' or '.', not a space ("in 202 5000"). */
    if (r->ngroups == 2 && g[0] == 3 && g[1] == 4) return 1;
    /* Ten or eleven bare digits may be any number; after "call me at" they are a phone. */
    return introduced && r->ngroups == 1 && (r->digits == 10 || r->digits == 11);
}

static int is_toll_free(const digit_run *r)
{
    switch (r->area) {
    case 800:
    case 833:
    case 844:
    case 855:
    case 866:
    case 877:
    case 888:
        return 1;
    default:
        return 0;
    }
}

/* The token index where byte offset `end` has been passed (the first token starting at or
 * after it), from token i on. */
static size_t token_after(const pv *p, size_t i, size_t end)
{
    while (i < p->t->count && tok_at(p, i)->off < end)
        i++;
    return i;
}

/* A code of digits, or letters and digits, over adjacent tokens: "00482913", "XJH884210337",
 * "5520-1187-3301", "1234 5678". Returns the last token, or NONE. */
static size_t code_value(const pv *p, size_t j, size_t min_digits)
{
    size_t last = NONE, digits = 0;
    for (size_t k = j; k < p->t->count; k++) {
        const mt_token *t = tok_at(p, k);
        if (t->kind != MEDTONE_TOKEN_NUMBER && t->kind != MEDTONE_TOKEN_WORD) break;
        size_t d = digits_in(p, t->off, t->len);
        if (d == 0) break;
        if (last != NONE) {
            size_t gap = t->off - tok_end(p, last);
            if (gap > 1 || (gap == 1 && p->s[t->off - 1] != ' ' && p->s[t->off - 1] != '-')) break;
        }
        digits += d;
        last = k;
    }
    return digits >= min_digits ? last : NONE;
}

/* A room or bed: "412", "4B", "B12", "12-a". */
static int room_value(const pv *p, size_t j)
{
    const mt_token *t = tok_at(p, j);
    if (t->kind != MEDTONE_TOKEN_NUMBER && t->kind != MEDTONE_TOKEN_WORD) return 0;
    size_t k = t->off, e = t->off + t->len, lead = 0, digits = 0, tail = 0;
    while (k < e && (is_upper(p->s[k]) || is_lower(p->s[k])) && lead < 3)
        k++, lead++;
    if (k < e && p->s[k] == '-') k++;
    while (k < e && is_digit(p->s[k]))
        k++, digits++;
    if (k < e && p->s[k] == '-') k++;
    while (k < e && (is_upper(p->s[k]) || is_lower(p->s[k])))
        k++, tail++;
    return k == e && digits >= 1 && digits <= 4 && lead + tail <= 2 && !(lead && tail);
}

/* A day of the month: "3", "14", "3rd", "21st". */
static int day_value(const pv *p, size_t j)
{
    const mt_token *t = tok_at(p, j);
    long v = plain_number(p, j);
    if (v >= 1 && v <= 31 && t->len <= 2) return 1;
    if (t->kind != MEDTONE_TOKEN_WORD || t->len < 3 || t->len > 4) return 0;
    const char *w = norm_at(p, j);
    size_t d = 0;
    while (is_digit((unsigned char)w[d]))
        d++;
    if (d == 0 || d > 2) return 0;
    const char *suffix = w + d;
    return !strcmp(suffix, "st") || !strcmp(suffix, "nd") || !strcmp(suffix, "rd") ||
           !strcmp(suffix, "th");
}

static int year_value(const pv *p, size_t j)
{
    long v = plain_number(p, j);
    return v >= 1900 && v <= 2099 && tok_at(p, j)->len == 4;
}

/* A date with a day: a DATE token ("04/12/1961"), "March 3, 1975", "3rd of March", "June 14".
 * A month and a year alone ("born in March 1950") is left out: Safe Harbor keeps the year, and
 * a month alone rarely singles a person out. Returns the last token, or NONE. */
static size_t date_value(pv *p, size_t j)
{
    size_t count = p->t->count;
    if (tok_at(p, j)->kind == MEDTONE_TOKEN_DATE) return j;
    size_t last = NONE;
    if (in_class(p, j, C_MONTH) && j + 1 < count && day_value(p, j + 1)) {
        last = j + 1;
    } else if (day_value(p, j)) {
        size_t m = j + 1;
        if (m < count && norm_is(p, m, "of")) m++;
        if (m < count && in_class(p, m, C_MONTH)) last = m;
    }
    if (last == NONE) return NONE;
    size_t y = last + 1;
    if (y < count && norm_is(p, y, ",")) y++;
    if (y < count && year_value(p, y)) last = y;
    return last;
}

/* A person's name after an introducer: one to three capitalized words, one space apart.
 * `strict` (after "patient", "my name is") also wants one word no lexicon knows, so that
 * "patient Care Team" is no name; after "Mrs." any capitalized word is ("Mrs. Young").
 * Returns the last token, or NONE. */
static size_t name_value(pv *p, size_t j, int strict)
{
    if (strict && p->title_case) return NONE;
    size_t last = NONE;
    int unknown = 0;
    for (size_t k = j; k < p->t->count && k < j + 3; k++) {
        if (!is_capitalized(p, k) || never_name(p, k)) break;
        if (last != NONE && !one_space_between(p, last, k)) break;
        unknown |= !known_word(p, k);
        last = k;
    }
    return last != NONE && (!strict || unknown) ? last : NONE;
}

/* An address after "I live at": a house number and one to four words ("42 Birch Lane"). */
static size_t address_value(pv *p, size_t j, int need_street)
{
    long v = plain_number(p, j);
    if (v < 1) return NONE;
    size_t last = NONE;
    for (size_t k = j + 1; k < p->t->count && k <= j + 4; k++) {
        const mt_token *t = tok_at(p, k);
        if (t->kind != MEDTONE_TOKEN_WORD) break;
        if (k > j + 1 && in_class(p, k, C_STREET)) return k;
        /* Without "I live at", the words before the suffix must look like a street's name:
         * "123 Main St", "4500 N Oak Ave", "12 5th Avenue" (not "3 blocks down the road"). */
        if (need_street && !is_capitalized(p, k) && !day_value(p, k) &&
            !(t->len == 1 && is_upper(p->s[t->off])))
            return NONE;
        last = k;
    }
    return need_street ? NONE : last;
}

/* An age over 89 at token j, in any of "92 years old", "92yo", "92-year-old"; `introduced`
 * after "aged", "turned", where the number alone is enough. Returns the last token, or NONE. */
static size_t age_value(pv *p, size_t j, int introduced)
{
    const mt_token *t = tok_at(p, j);
    long v = plain_number(p, j);
    if (v >= AGE_MIN && v <= AGE_MAX) {
        if (introduced) return j;
        size_t n = 0;
        if (j + 1 < p->t->count && in_class_phrase(p, j + 1, C_YEARSOLD, &n)) return j + n;
        return NONE;
    }
    if (t->kind != MEDTONE_TOKEN_WORD) return NONE;
    const char *w = norm_at(p, j);
    size_t d = 0;
    long a = 0;
    while (d < 4 && is_digit((unsigned char)w[d]))
        a = a * 10 + (w[d++] - '0');
    if (d < 2 || d > 3 || a < AGE_MIN || a > AGE_MAX) return NONE;
    const char *rest = w + d + (w[d] == '-');
    return in_class_bytes(p, C_YEARSOLD, rest, strlen(rest)) ? j : NONE;
}

/* ---------------------------------------------------------------------------------------------
 * Step 1: introducers and their values
 * ------------------------------------------------------------------------------------------- */

/* The first token of the value after an introducer that ends before token j: skips fillers
 * ("is", "no", ":", "#", the '.' of "Mrs."), never past the end of a sentence. */
static size_t value_start(pv *p, size_t j)
{
    for (size_t skipped = 0; j < p->t->count && skipped <= FILLER_MAX; j++, skipped++) {
        const mt_token *t = tok_at(p, j);
        const char *w = norm_at(p, j);
        if (t->kind == MEDTONE_TOKEN_PUNCT) {
            if (ends_sentence(p, j) || (!strcmp(w, ".") && skipped > 0)) return NONE;
            if (strpbrk(w, ".:,-(") && t->repeat == 1) continue;
            return NONE;
        }
        if (t->kind == MEDTONE_TOKEN_SYMBOL && (!strcmp(w, "#") || !strcmp(w, "="))) continue;
        if (t->kind == MEDTONE_TOKEN_WORD && in_class(p, j, C_FILLER)) continue;
        return j;
    }
    return NONE;
}

/* Looks for the value of kind `kind` introduced by an entry of weight w ending before token j. */
static void introduced_value(pv *p, unsigned kind, double w, size_t j)
{
    size_t v = value_start(p, j);
    if (v == NONE) return;
    const mt_token *t = tok_at(p, v);
    double s = w / 4;
    int personal = w >= PERSONAL_WEIGHT;
    size_t last = NONE;
    switch (kind) {
    case K_RECORD:
    case K_IDNUM:
        last = code_value(p, v, CODE_MIN_DIGITS);
        break;
    case K_SSN:
    case K_PHONE: {
        /* The run starts at the '(' of "(312) 555-0187", which value_start skipped. */
        size_t off = t->off;
        if (v > 0 && norm_is(p, v - 1, "(") && tok_end(p, v - 1) == off) off--;
        digit_run r;
        if (!scan_digit_run(p, off, &r)) break;
        if (kind == K_SSN) {
            if (is_ssn(&r, 1)) add_id(p, off, r.end - off, v, kind, s > S_SSN ? s : S_SSN, 0);
        } else if (is_phone(&r, 1)) {
            if (is_toll_free(&r))
                s = S_TOLL_FREE, personal = 0;
            else if (s < S_PHONE)
                s = S_PHONE;
            add_id(p, off, r.end - off, v, kind, s, personal);
        }
        return;
    }
    case K_DOB:
    case K_DATE:
        last = date_value(p, v);
        break;
    case K_ROOM:
        last = room_value(p, v) ? v : NONE;
        break;
    case K_TITLE:
        last = name_value(p, v, 0);
        break;
    case K_NAME:
        last = name_value(p, v, 1);
        if (last == v) s *= SINGLE_NAME_FACTOR;
        break;
    case K_EMAIL:
        if (t->kind != MEDTONE_TOKEN_EMAIL) break;
        if (public_email(p, v)) s = S_PUBLIC_EMAIL, personal = 0;
        last = v;
        break;
    case K_ADDRESS:
        last = address_value(p, v, 0);
        break;
    case K_ZIP: {
        const char *w5 = norm_at(p, v);
        size_t d = digits_in(p, t->off, t->len);
        if (t->kind == MEDTONE_TOKEN_NUMBER && (d == 5 || (d == 9 && strlen(w5) == 10)) &&
            is_digit((unsigned char)w5[0]))
            last = v;
        break;
    }
    case K_AGE:
        last = age_value(p, v, 1);
        break;
    default:
        break;
    }
    if (last == NONE) return;
    add_id(p, t->off, tok_end(p, last) - t->off, v, kind, s, personal);
}

/* Remembers the staff span that starts with a title at token i and runs over the name after
 * it ("Dr. Jane Wilson"), so that the name is never taken for a patient's. */
static void add_staff(pv *p, size_t i, size_t ntok)
{
    if (p->nstaff == MAX_STAFF) return;
    size_t end = i + ntok;
    if (end < p->t->count && norm_is(p, end, ".")) end++;
    while (end < p->t->count && end < i + ntok + 4 && is_capitalized(p, end))
        end++;
    p->staff_from[p->nstaff] = i;
    p->staff_to[p->nstaff++] = end;
}

/* Steps 1 and 3 in one walk: at every token, the phrases of the cue file that start there,
 * each class at its longest ("call me at" over "call me"). An introducer's value is looked for
 * after it. Health terms do not overlap: the longest wins and the next term starts after it, so
 * a guard ("cancer research") hides the condition inside it. */
static void find_phrases(pv *p)
{
    const medtone_tokens *t = p->t;
    size_t health_until = 0; /* tokens before this lie inside a health term already taken */
    for (size_t i = 0; i < t->count && !p->ctx->oom; i++) {
        const mt_token *tok = tok_at(p, i);
        /* Every phrase of the cue file begins with a word ("stage 4" too). */
        if (tok->kind != MEDTONE_TOKEN_WORD && tok->kind != MEDTONE_TOKEN_HASHTAG) continue;
        /* A line "<phrase> @id ..." is a multi-word key, so a word that begins no multi-word key
         * at all begins no phrase of ours: nearly every word, as cue matching found already. */
        int more;
        mt_flag_token_cue(p->ctx, i, &more);
        if (!more) continue;
        uint64_t h = mt_token_hash(p->ctx->r, i);
        const mt_entry *found[K_COUNT];
        size_t found_n[K_COUNT];
        unsigned found_kinds = 0; /* bit per kind: found[kind] is set */
        const mt_entry *pub = NULL, *staff = NULL, *health = NULL;
        size_t staff_n = 0, health_n = 0;
        /* The key scratch gets the phrase only once a line may match, or it grows. */
        size_t len = tok->norm_len;
        int built = 0;
        for (size_t k = 1; k <= PHRASE_MAX; k++) {
            /* Likewise a phrase that begins no multi-word key is neither ours nor the start of a
             * longer phrase (the first word was looked up above). */
            if (k > 1) {
                h = mt_lexicon_hash(p->ctx->r->key, len);
                mt_lexicon_lookup_hashed(p->cues, p->ctx->r->key, len, h, &more);
                if (!more) break;
            }
            int id = may_go_on(p, h, p->h_id), as = may_go_on(p, h, p->h_as);
            if ((id || as) && !built) {
                if (key_set(p, norm_at(p, i), len) == NONE) break;
                built = 1;
            }
            if (id && key_is_ours(p, len, h, ID)) {
                for (unsigned kind = 0; kind < K_COUNT; kind++) {
                    const mt_entry *e = key_class(p, len, ID, kinds[kind].cls);
                    if (e) found[kind] = e, found_n[kind] = k, found_kinds |= 1u << kind;
                }
            }
            if (as && key_is_ours(p, len, h, AS)) {
                const mt_entry *e = key_class(p, len, AS, C_PUBLIC);
                if (e) pub = e;
                if ((e = key_class(p, len, AS, C_STAFF)) != NULL) staff = e, staff_n = k;
                if ((e = key_class(p, len, AS, C_HEALTH)) != NULL) health = e, health_n = k;
            }
            if (i + k >= t->count || tok_at(p, i + k)->kind == MEDTONE_TOKEN_PUNCT) break;
            /* When the phrase and the next word begin no key, the look-up above would end the
             * walk: end it before building and hashing the longer phrase. */
            if (!may_go_on_with(p, h, i + k)) break;
            if (!built) {
                if (key_set(p, norm_at(p, i), len) == NONE) break;
                built = 1;
            }
            len = key_add_token(p, len, i + k);
            if (len == NONE) break;
        }
        if (p->ctx->oom) return;
        if (health && i >= health_until) {
            size_t last = i + health_n - 1;
            add_health(p, tok->off, tok_end(p, last) - tok->off, i, health->valence / 4,
                       "health-info");
            health_until = last + 1;
        }
        if (pub && pub->valence < 0) p->public_weight += -pub->valence;
        if (staff) add_staff(p, i, staff_n);
        /* "MS" in capitals is multiple sclerosis, not the title of "Ms. Jones". */
        if (tok->flags & MEDTONE_TOKEN_ALLCAPS) found_kinds &= ~(1u << K_TITLE);
        for (unsigned kind = 0; found_kinds && kind < K_COUNT; kind++)
            if ((found_kinds >> kind & 1) && found[kind]->valence > 0)
                introduced_value(p, kind, found[kind]->valence, i + found_n[kind]);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Step 2: identifiers by shape alone
 * ------------------------------------------------------------------------------------------- */

/* "Brian Kowalski", "Emily Carter": two or three capitalized words no lexicon knows, not
 * after a place word ("in San Diego") and not next to a staff role ("Sarah Johnson, the
 * nurse"). Names of organizations are mostly known words ("Cleveland Clinic"); the
 * rest is the false-positive cost of this rule (docs/flags/privacy.md). */
static size_t name_pair(pv *p, size_t i)
{
    size_t count = p->t->count;
    if (p->title_case || i + 1 >= count || in_staff(p, i)) return NONE;
    size_t last = NONE;
    for (size_t k = i; k < count && k < i + 3; k++) {
        if (!is_capitalized(p, k) || never_name(p, k) || known_word(p, k)) break;
        if (last != NONE && !one_space_between(p, last, k)) break;
        last = k;
    }
    if (last == NONE || last == i) return NONE;
    if (i > 0 && (in_class(p, i - 1, C_PLACE) || tok_class(p, i - 1, AS, C_STAFF))) return NONE;
    for (size_t k = last + 1; k < count && k <= last + STAFF_REACH; k++)
        if (tok_class(p, k, AS, C_STAFF)) return NONE;
    return last;
}

/* The two-letter state code before a ZIP code: "Springfield, IL 62704". */
static int zip_after_state(const pv *p, size_t i)
{
    if (i == 0) return 0;
    const mt_token *st = tok_at(p, i - 1);
    const mt_token *z = tok_at(p, i);
    size_t d = digits_in(p, z->off, z->len);
    if (!(d == 5 && z->len == 5) && !(d == 9 && z->len == 10)) return 0;
    return st->kind == MEDTONE_TOKEN_WORD && st->len == 2 && is_upper(p->s[st->off]) &&
           is_upper(p->s[st->off + 1]) && one_space_between(p, i - 1, i);
}

static void find_shapes(pv *p)
{
    const medtone_tokens *t = p->t;
    for (size_t i = 0; i < t->count && !p->ctx->oom;) {
        const mt_token *tok = tok_at(p, i);
        size_t last = NONE;
        if (tok->kind == MEDTONE_TOKEN_NUMBER ||
            ((tok->kind == MEDTONE_TOKEN_PUNCT || tok->kind == MEDTONE_TOKEN_SYMBOL) &&
             (norm_is(p, i, "(") || norm_is(p, i, "+")))) {
            digit_run r;
            if (scan_digit_run(p, tok->off, &r)) {
                if (is_ssn(&r, 0)) {
                    add_id(p, tok->off, r.end - tok->off, i, K_SSN, S_SSN, 0);
                    i = token_after(p, i, r.end);
                    continue;
                }
                if (is_phone(&r, 0)) {
                    add_id(p, tok->off, r.end - tok->off, i, K_PHONE,
                           is_toll_free(&r) ? S_TOLL_FREE : S_PHONE, 0);
                    i = token_after(p, i, r.end);
                    continue;
                }
            }
        }
        if (tok->kind == MEDTONE_TOKEN_NUMBER) {
            if ((last = address_value(p, i, 1)) != NONE) {
                add_id(p, tok->off, tok_end(p, last) - tok->off, i, K_ADDRESS, S_ADDRESS, 0);
            } else if (zip_after_state(p, i)) {
                add_id(p, tok->off, tok->len, i, K_ZIP, S_ZIP, 0);
            } else if ((last = age_value(p, i, 0)) != NONE) {
                add_id(p, tok->off, tok->len, i, K_AGE, S_AGE, 0);
            }
        } else if (tok->kind == MEDTONE_TOKEN_EMAIL) {
            add_id(p, tok->off, tok->len, i, K_EMAIL, public_email(p, i) ? S_PUBLIC_EMAIL : S_EMAIL,
                   0);
        } else if (tok->kind == MEDTONE_TOKEN_WORD) {
            /* A word is an age only when it starts with its digits ("92yo"). */
            if (is_digit((unsigned char)norm_at(p, i)[0]) && (last = age_value(p, i, 0)) != NONE) {
                add_id(p, tok->off, tok->len, i, K_AGE, S_AGE, 0);
            } else if ((last = name_pair(p, i)) != NONE) {
                add_id(p, tok->off, tok_end(p, last) - tok->off, i, K_NAME, S_NAME_PAIR, 0);
                i = last + 1;
                continue;
            }
        }
        i++;
    }
}

/* Whether the text is in Title Case, where capitalized words say nothing about names. Words
 * that start a sentence and ALL-CAPS words do not count either way. */
static int is_title_case(const pv *p)
{
    size_t words = 0, caps = 0;
    int initial = 1;
    for (size_t i = 0; i < p->t->count; i++) {
        const mt_token *t = tok_at(p, i);
        if (t->kind == MEDTONE_TOKEN_PUNCT) {
            if (strpbrk(norm_at(p, i), ".!?;")) initial = 1;
            continue;
        }
        int first = initial;
        initial = 0;
        if (t->kind != MEDTONE_TOKEN_WORD || first || t->len < 2 ||
            (t->flags & MEDTONE_TOKEN_ALLCAPS))
            continue;
        words++;
        caps += is_upper(p->s[t->off]);
    }
    return words >= TITLE_CASE_MIN_WORDS && (double)caps > TITLE_CASE_SHARE * (double)words;
}

/* ---------------------------------------------------------------------------------------------
 * Step 3: health information (the terms of the cue file are read in step 1's walk)
 * ------------------------------------------------------------------------------------------- */

/* Weaker signals: other flags' cues (a drug, a reaction, a crisis word) and the scorer's
 * clinical words. They never replace a stronger term found on the same words. */
static void find_health_hints(pv *p)
{
    const mt_flags_state *f = &p->ctx->r->flags;
    for (size_t c = 0; c < f->ncues; c++) {
        const mt_cue_hit *hit = &f->cues[c];
        uint32_t tags = hit->entry->tags;
        double h = 0;
        if (tags & MT_TAG_DRUG)
            h = H_DRUG;
        else if ((tags & MT_TAG_REACTION) && hit->entry->valence > 0)
            h = H_REACTION;
        else if ((tags & MT_TAG_CRISIS) && hit->entry->valence > 0)
            h = H_CRISIS;
        add_health(p, hit->off, hit->len, hit->tok0, h, hit->entry->key);
    }
    const medtone_result *r = p->ctx->r;
    for (size_t k = 0; k < r->nitems; k++) {
        const mt_item *it = &r->items[k];
        if (!it->entry) continue;
        uint32_t tags = it->entry->tags;
        double h = tags & MT_TAG_DRUG          ? H_DRUG
                   : tags & MT_TAG_SYMPTOM     ? H_SYMPTOM
                   : tags & MT_TAG_SIDE_EFFECT ? H_SIDE_EFFECT
                   : tags & MT_TAG_RESULT      ? H_RESULT
                                               : 0;
        const mt_token *a = tok_at(p, it->tok0), *b = tok_at(p, it->tok0 + it->ntok - 1);
        add_health(p, a->off, b->off + b->len - a->off, it->tok0, h, it->entry->key);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Step 4: score and evidence
 * ------------------------------------------------------------------------------------------- */

typedef struct pv_ev {
    size_t off, len;
    const char *cue;
} pv_ev;

static void add_ev(pv_ev *ev, size_t *nev, size_t off, size_t len, const char *cue)
{
    for (size_t k = 0; k < *nev; k++)
        if (ev[k].off == off && ev[k].len == len) return;
    size_t k = (*nev)++;
    while (k > 0 && ev[k - 1].off > off) {
        ev[k] = ev[k - 1];
        k--;
    }
    ev[k] = (pv_ev){off, len, cue};
}

void mt_flag_privacy(mt_flag_ctx *ctx)
{
    const medtone_result *r = ctx->r;
    if (!r->tokens || r->tokens->count == 0 || !ctx->an->cues) return;
    /* Only the counts are zeroed: the arrays of ids, health signals and staff spans (3 KB) are
     * read only up to them. */
    pv p;
    p.nids = p.nhs = p.nstaff = p.nin = 0;
    p.public_weight = 0;
    p.ctx = ctx;
    p.t = r->tokens;
    p.cues = ctx->an->cues;
    p.lex = ctx->an->lex;
    p.s = (const unsigned char *)ctx->text;
    p.n = ctx->len;
    p.title_case = is_title_case(&p);
    p.follow = mt_lexicon_follow_filter(p.cues);
    p.h_id = mt_lexicon_hash(&ID[1], strlen(ID) - 1);
    p.h_as = mt_lexicon_hash(&AS[1], strlen(AS) - 1);

    find_phrases(&p);
    find_shapes(&p);
    if (ctx->oom || p.nids == 0) return;
    find_health_hints(&p);
    if (ctx->oom) return;

    double damp = p.public_weight / DAMP_SCALE;
    if (damp > DAMP_MAX) damp = DAMP_MAX;
    double keep = 1;
    pv_ev ev[2 * MAX_IDS];
    size_t nev = 0;
    for (size_t k = 0; k < p.nids; k++) {
        const pv_id *id = &p.ids[k];
        double s = id->strength;
        if (kinds[id->kind].contact && !id->personal) s *= 1 - damp;
        double best = 0;
        const pv_health *with = NULL;
        size_t with_dist = 0;
        if (id->kind == K_RECORD || id->kind == K_SSN)
            best = HEALTH_FLOOR + (1 - HEALTH_FLOOR) * IMPLIED_HEALTH;
        for (size_t j = 0; j < p.nhs; j++) {
            const pv_health *h = &p.hs[j];
            size_t dist = h->tok > id->tok ? h->tok - id->tok : id->tok - h->tok;
            double v = (HEALTH_FLOOR + (1 - HEALTH_FLOOR) * h->h) *
                       (dist <= NEAR_TOKENS ? 1.0 : FAR_FACTOR);
            /* On a tie the nearer term explains the flag better. */
            if (v > best || (v == best && (!with || dist < with_dist)))
                best = v, with = h, with_dist = dist;
        }
        double pi = s * best;
        if (!(pi > 0)) continue;
        keep *= 1 - pi;
        add_ev(ev, &nev, id->off, id->len, kinds[id->kind].cue);
        if (with) add_ev(ev, &nev, with->off, with->len, with->cue);
    }
    double score = 1 - keep;
    if (!(score > 0)) return;
    for (size_t k = 0; k < nev; k++)
        if (mt_flag_evidence(ctx, MT_FLAG_PRIVACY, ev[k].off, ev[k].len, ev[k].cue) != 0) return;
    mt_flag_set(ctx, MT_FLAG_PRIVACY, score, r->compound);
}
