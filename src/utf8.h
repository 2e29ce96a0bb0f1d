/* utf8.h — bytes to code points, keeping every code point's byte width in the original text.
 *
 * The tokenizer walks the original bytes and asks, at each offset, for the "character" there and
 * how many bytes it spans. A character is one of:
 *   - a valid, shortest-form UTF-8 sequence of a Unicode scalar value (1..4 bytes);
 *   - an HTML entity such as "&amp;", "&#39;" or "&#x1F600;" (the whole entity, up to its ';');
 *   - any other byte, which stands for U+FFFD and spans exactly that one byte (MT_CP_INVALID).
 * Because invalid bytes are always one byte wide, offsets never shift. Nothing here allocates. */
#ifndef MT_UTF8_H
#define MT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The code point reported for a byte that begins no valid UTF-8 sequence. It is outside the
 * Unicode range on purpose, so that a real U+FFFD in the text stays distinguishable. */
#define MT_CP_INVALID     ((int32_t)-1)
#define MT_CP_REPLACEMENT ((int32_t)0xFFFD)

/* Decodes the UTF-8 sequence at s[0..n) (n >= 1). Returns its width in bytes and the code point
 * in *cp; for an overlong form, an encoded surrogate, a value above U+10FFFF, a truncated
 * sequence or a stray continuation byte, returns 1 with *cp = MT_CP_INVALID. */
static inline size_t mt_utf8_decode(const unsigned char *s, size_t n, int32_t *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    if (c < 0xC2) goto invalid; /* continuation byte, or overlong C0/C1 lead */
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80) goto invalid;
        *cp = (int32_t)(((c & 0x1Fu) << 6) | (s[1] & 0x3Fu));
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) goto invalid;
        if (c == 0xE0 && s[1] < 0xA0) goto invalid;  /* overlong */
        if (c == 0xED && s[1] >= 0xA0) goto invalid; /* UTF-16 surrogate */
        *cp = (int32_t)(((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu));
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            goto invalid;
        if (c == 0xF0 && s[1] < 0x90) goto invalid;  /* overlong */
        if (c == 0xF4 && s[1] >= 0x90) goto invalid; /* above U+10FFFF */
        *cp = (int32_t)(((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
                        (s[3] & 0x3Fu));
        return 4;
    }
invalid:
    *cp = MT_CP_INVALID;
    return 1;
}

/* Encodes a scalar value as UTF-8 into out (room for 4 bytes); returns the width. A value that
 * is not a scalar value (MT_CP_INVALID included) is written as U+FFFD. */
size_t mt_utf8_encode(int32_t cp, char *out);

/* When s[0..n) begins with an HTML entity that medtone decodes, returns its length in bytes
 * (through the ';') and the code point in *cp; otherwise returns 0. Decoded: the named entities
 * common in scraped posts (&amp; &lt; &gt; &quot; &apos; &nbsp; &rsquo; &lsquo; &ldquo; &rdquo;
 * &hellip; &ndash; &mdash; &hearts; &copy; &reg; &trade;) and every numeric one (&#39; &#x27;)
 * naming a scalar value other than NUL; &#128;..&#159; mean the Windows-1252 characters, as in
 * HTML. A reference without its ';' is left alone. */
size_t mt_html_entity(const unsigned char *s, size_t n, int32_t *cp);

/* The character at s[i] (i < len): its code point in *cp and its width in bytes, decoding an HTML
 * entity when one starts there. */
static inline size_t mt_char_at(const unsigned char *s, size_t len, size_t i, int32_t *cp)
{
    unsigned c = s[i];
    if (c < 0x80) {
        if (c == '&') {
            size_t w = mt_html_entity(s + i, len - i, cp);
            if (w) return w;
        }
        *cp = (int32_t)c;
        return 1;
    }
    return mt_utf8_decode(s + i, len - i, cp);
}

#endif
