/* fuzz_lexicon.c — the lexicon loaders on arbitrary bytes: a sentiment layer and a cue layer,
 * each given the input as it is (plain text, or a gzip stream when it starts with 1f 8b) and the
 * input gzip-compressed here (so the parser behind the inflater sees arbitrary text too).
 *
 * The first byte picks the mode; the rest is the data. Each input gets a fresh analyzer without
 * the built-in lexicons, so a run tests the loader and not the shipped files. Checks: a load
 * returns a documented status; a failed load leaves the analyzer as it was and says why; a
 * successful one adds exactly one layer, and the analyzer then analyzes the data itself (so the
 * loaded terms are looked up) within the documented ranges. */
#include <string.h>

#include <zlib.h>

#include <medtone.h>

#include "fuzz_common.h"

static medtone_options *g_opt;

static unsigned char *gzip_of(const uint8_t *data, size_t size, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    FUZZ_CHECK(deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    size_t cap = deflateBound(&zs, (uLong)size) + 64;
    unsigned char *out = malloc(cap);
    FUZZ_CHECK(out != NULL);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)size;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    FUZZ_CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static void load_one(int cues, const char *data, size_t len)
{
    medtone_analyzer *an = NULL;
    FUZZ_CHECK(medtone_analyzer_new(g_opt, &an) == MEDTONE_OK);
    medtone_status st = cues ? medtone_analyzer_load_cues_data(an, "fuzz", data, len)
                             : medtone_analyzer_load_lexicon_data(an, "fuzz", data, len);
    const char *err = medtone_analyzer_last_error(an);
    if (st == MEDTONE_OK) {
        FUZZ_CHECK(*err == '\0');
        FUZZ_CHECK(medtone_analyzer_layer_count(an) == (cues ? 0u : 1u));
        if (!cues) FUZZ_CHECK(medtone_analyzer_layer_name(an, 0) != NULL);
        medtone_result *r = medtone_result_new();
        FUZZ_CHECK(r != NULL);
        size_t n = len > 4096 ? 4096 : len;
        FUZZ_CHECK(medtone_analyze(an, n ? data : NULL, n, r) == MEDTONE_OK);
        double c = medtone_result_compound(r);
        FUZZ_CHECK(c >= -1 && c <= 1);
        for (size_t i = 0; i < medtone_result_term_count(r); i++) {
            double v = medtone_result_term_valence(r, i);
            FUZZ_CHECK(v >= -4 && v <= 4);
            FUZZ_CHECK(medtone_result_term_offset(r, i) + medtone_result_term_length(r, i) <= n);
        }
        for (size_t f = 0; f < medtone_flag_count(); f++) {
            double s = medtone_result_flag_score(r, f);
            FUZZ_CHECK(s >= 0 && s <= 1);
        }
        medtone_result_free(r);
    } else {
        FUZZ_CHECK(st == MEDTONE_ERR_PARSE || st == MEDTONE_ERR_GZIP ||
                   st == MEDTONE_ERR_TOO_LARGE);
        FUZZ_CHECK(*err != '\0');
        FUZZ_CHECK(medtone_analyzer_layer_count(an) == 0);
        FUZZ_CHECK(medtone_analyzer_term_count(an) == 0);
    }
    medtone_analyzer_free(an);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_opt) {
        g_opt = medtone_options_new();
        FUZZ_CHECK(g_opt != NULL);
        FUZZ_CHECK(medtone_options_set_int(g_opt, MEDTONE_OPT_EMBEDDED_LEXICONS, 0) == MEDTONE_OK);
    }
    if (size < 1) return 0;
    unsigned mode = data[0];
    data++;
    size--;
    int cues = mode & 1;
    if (mode & 2) {
        size_t gz_len;
        unsigned char *gz = gzip_of(data, size, &gz_len);
        /* mode bit 2: cut the stream short, as a truncated download would be */
        if ((mode & 4) && gz_len > 1) gz_len = gz_len * (size_t)((mode >> 3) & 0x1F) / 32;
        load_one(cues, (const char *)gz, gz_len);
        free(gz);
    } else {
        load_one(cues, size ? (const char *)data : NULL, size);
    }
    return 0;
}
