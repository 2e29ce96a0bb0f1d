/* utf8.c — UTF-8 encoding and HTML entity decoding for the tokenizer (decoding is inline in
 * utf8.h, because the tokenizer calls it for every non-ASCII character). */
#include <string.h>

#include "utf8.h"

size_t mt_utf8_encode(int32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = MT_CP_REPLACEMENT;
    uint32_t c = (uint32_t)cp;
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | (c >> 6));
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (c >> 12));
        o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (c >> 18));
    o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/* The named entities worth decoding in social text: the five XML ones, the non-breaking space,
 * and the typographic characters that editors and scrapers turn into entities. */
static const struct {
    char name[8];
    int32_t cp;
} named_entities[] = {
    {"amp", '&'},       {"lt", '<'},       {"gt", '>'},       {"quot", '"'},      {"apos", '\''},
    {"nbsp", 0x00A0},   {"rsquo", 0x2019}, {"lsquo", 0x2018}, {"rdquo", 0x201D},  {"ldquo", 0x201C},
    {"hellip", 0x2026}, {"ndash", 0x2013}, {"mdash", 0x2014}, {"hearts", 0x2665}, {"copy", 0x00A9},
    {"reg", 0x00AE},    {"trade", 0x2122},
};

/* HTML reads &#128;..&#159; as Windows-1252, the encoding those posts were typed in; 0 marks the
 * five undefined positions, which stay as the C1 control characters they name. */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static int hex_value(unsigned c)
{
    if (c >= '0' && c <= '9') return (int)(c - '0');
    c |= 0x20;
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    return -1;
}

size_t mt_html_entity(const unsigned char *s, size_t n, int32_t *cp)
{
    if (n < 4 || s[0] != '&') return 0;
    if (s[1] == '#') {
        size_t i = 2;
        int hex = 0;
        if (s[i] == 'x' || s[i] == 'X') hex = 1, i++;
        size_t first = i;
        uint32_t v = 0;
        /* At most 7 digits: enough for 0x10FFFF in either base, and no overflow. */
        while (i < n && i - first < 8) {
            int d = hex ? hex_value(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
            if (d < 0) break;
            v = v * (hex ? 16u : 10u) + (uint32_t)d;
            i++;
        }
        if (i == first || i - first > 7 || i >= n || s[i] != ';') return 0;
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
        if (v >= 0x80 && v <= 0x9F && cp1252_c1[v - 0x80]) v = cp1252_c1[v - 0x80];
        *cp = (int32_t)v;
        return i + 1;
    }
    size_t i = 1;
    while (i < n && i <= 7 && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
        i++;
    if (i == 1 || i >= n || s[i] != ';') return 0;
    size_t name_len = i - 1;
    for (size_t k = 0; k < sizeof named_entities / sizeof named_entities[0]; k++) {
        if (strlen(named_entities[k].name) == name_len &&
            memcmp(named_entities[k].name, s + 1, name_len) == 0) {
            *cp = named_entities[k].cp;
            return i + 1;
        }
    }
    return 0;
}
