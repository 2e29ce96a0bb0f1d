/* report_html.c — the HTML report of `medtone report`: one self-contained file (inline CSS and
 * SVG, no script, nothing fetched) that a communications team can open, print or mail.
 *
 * Sections: headline numbers and data quality; alerts; the entities side by side; share of voice
 * per bucket; per entity a trend chart (volume bars, mean sentiment and decayed reputation lines,
 * alert markers) and its flags and aspects; then each alert with the posts behind it, analyzed
 * again so that the words that moved the score, the flags' evidence and the entity mentions are
 * highlighted. Every piece of text from the input is HTML-escaped, and invalid UTF-8 becomes
 * U+FFFD, so a hostile post cannot break the page. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

#define CHART_W           1000
#define CHART_H           230
#define MARGIN_L          48
#define MARGIN_R          48
#define MARGIN_T          18
#define MARGIN_B          36
#define MAX_SPANS         512
#define MAX_ALERT_DETAILS 100

/* Twenty distinct hues (in the order of the common "category20" scheme), darker first. */
static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
                                      "#393b79", "#ad494a", "#637939", "#7b4173", "#aec7e8",
                                      "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94"};
#define PALETTE_N (sizeof palette / sizeof palette[0])

void report_date(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(buf, cap, "?");
        return;
    }
    strftime(buf, cap, "%Y-%m-%d", &tm);
}

/* ----- escaping --------------------------------------------------------------------------- */

static size_t utf8_len(const unsigned char *s, size_t left)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, min = 0x10000;
    else
        return 0;
    if (left < n) return 0;
    unsigned cp = c & (0x3Fu >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

/* s[0..n) as HTML text or attribute content. */
static void esc_n(FILE *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '&' && p[run] != '<' &&
               p[run] != '>' && p[run] != '"' && p[run] != '\'')
            run++;
        if (run > i) {
            fwrite(s + i, 1, run - i, out);
            i = run;
            continue;
        }
        unsigned c = p[i];
        if (c == '&')
            fputs("&amp;", out);
        else if (c == '<')
            fputs("&lt;", out);
        else if (c == '>')
            fputs("&gt;", out);
        else if (c == '"')
            fputs("&quot;", out);
        else if (c == '\'')
            fputs("&#39;", out);
        else if (c == '\n' || c == '\t')
            fputc((int)c, out);
        else if (c < 0x20 || c == 0x7F)
            fputs("\xEF\xBF\xBD", out);
        else {
            size_t k = utf8_len(p + i, n - i);
            if (k == 0) {
                fputs("\xEF\xBF\xBD", out);
                i++;
                continue;
            }
            fwrite(s + i, 1, k, out);
            i += k;
            continue;
        }
        i++;
    }
}

static void esc(FILE *out, const char *s)
{
    esc_n(out, s, strlen(s));
}

static const char *color_of(size_t e)
{
    return palette[e % PALETTE_N];
}

static const char *tone(double v)
{
    return v >= 0.05 ? "pos" : v <= -0.05 ? "neg" : "neu";
}

/* ----- page ------------------------------------------------------------------------------- */

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
    "color:#1d2330;background:#f6f7f9;margin:0}"
    "main{max-width:1080px;margin:0 auto;padding:24px 28px;background:#fff}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:34px 0 10px;padding-bottom:4px;"
    "border-bottom:2px solid #d8dce4}h3{font-size:16px;margin:26px 0 6px}"
    ".muted{color:#5b6475}.small{font-size:12px}"
    "table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}"
    "th,td{padding:5px 8px;border-bottom:1px solid #e6e8ee;text-align:right;vertical-align:top}"
    "th{font-weight:600;background:#f1f3f6}.l{text-align:left}"
    ".pos{color:#17683a}.neg{color:#b3261e}.neu{color:#5b6475}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}"
    ".card{border:1px solid #d8dce4;border-radius:8px;padding:10px 14px;min-width:130px}"
    ".card b{display:block;font-size:22px}"
    ".sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;"
    "vertical-align:-1px}"
    ".note{background:#fff8e6;border:1px solid #f0d48a;border-radius:6px;padding:8px 12px}"
    ".alert{border-left:5px solid #b3261e;background:#fdf3f2;padding:8px 14px;margin:14px 0;"
    "border-radius:4px}.alert.crisis{border-color:#7a1c8a;background:#f8eff9}"
    ".alert.misinfo{border-color:#b36b00;background:#fff6ea}"
    ".post{margin:8px 0;padding:8px 12px;background:#fff;border:1px solid #e0e3ea;"
    "border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere}"
    ".post .meta{display:block;white-space:normal;font-size:12px;color:#5b6475;margin-bottom:4px}"
    ".t-pos{background:#d5f0dd;border-radius:2px}.t-neg{background:#fbd9d5;border-radius:2px}"
    ".ev{text-decoration:underline wavy #b3261e;text-decoration-thickness:1px;"
    "text-underline-offset:3px}.ent{font-weight:700;color:#1a4f9c}"
    ".bar{display:inline-block;height:10px;border-radius:2px;vertical-align:middle}"
    ".legend span{margin-right:14px;white-space:nowrap}"
    "svg{display:block;width:100%;height:auto;margin:6px 0}"
    "svg text{font:11px system-ui,sans-serif;fill:#5b6475}"
    "footer{margin-top:40px;font-size:12px;color:#5b6475}";

static void cards(FILE *out, const report *rp)
{
    size_t na = medtone_alerts_count(rp->alerts);
    size_t skipped = rp->count[ROW_NO_TIME] + rp->count[ROW_BAD_TIME] + rp->count[ROW_MALFORMED] +
                     rp->count[ROW_FAILED];
    fprintf(out,
            "<div class=\"cards\"><div class=\"card\"><b>%zu</b>posts read</div>"
            "<div class=\"card\"><b>%zu</b>about tracked entities</div>"
            "<div class=\"card\"><b>%zu</b>entity mentions</div>"
            "<div class=\"card\"><b>%zu</b>alert%s</div>"
            "<div class=\"card\"><b>%zu</b>not aggregated</div></div>\n",
            rp->rows, rp->count[ROW_OK], rp->mentions, na, na == 1 ? "" : "s", skipped);
    static const char *const why[ROW_KINDS] = {
        "",
        "named no tracked entity (scored, not aggregated)",
        "had no timestamp",
        "had a timestamp that is neither ISO 8601 nor Unix seconds",
        "were not JSON objects with a \"text\" string",
        "could not be analyzed"};
    int any = 0;
    for (int k = ROW_UNMATCHED; k < ROW_KINDS; k++) {
        if (!rp->count[k]) continue;
        if (!any++) fputs("<div class=\"note\"><b>Data quality.</b><ul>", out);
        fprintf(out, "<li>%zu post%s ", rp->count[k], rp->count[k] == 1 ? "" : "s");
        esc(out, why[k]);
        fputs(" — first at <code>", out);
        esc(out, rp->first[k]);
        fputs("</code></li>", out);
    }
    if (any) fputs("</ul></div>\n", out);
}

static void alert_sentence(FILE *out, const report *rp, size_t i)
{
    medtone_alert_kind k = medtone_alert_kind_of(rp->alerts, i);
    double v = medtone_alert_value(rp->alerts, i), b = medtone_alert_baseline(rp->alerts, i);
    double z = medtone_alert_score(rp->alerts, i);
    switch (k) {
    case MEDTONE_ALERT_VOLUME:
        fprintf(out, "%.0f posts against a usual %.0f (robust z %.1f)", v, b, z);
        break;
    case MEDTONE_ALERT_NEGATIVITY:
        fprintf(out, "%.0f%% of posts negative against a usual %.0f%% (robust z %.1f)", 100 * v,
                100 * b, z);
        break;
    case MEDTONE_ALERT_MISINFO:
        fprintf(out,
                "%.0f posts flagged as possible misinformation against a usual %.0f "
                "(robust z %.1f)",
                v, b, z);
        break;
    case MEDTONE_ALERT_CRISIS:
        fprintf(out, "%.0f post%s flagged as a possible crisis: route to a person now", v,
                v == 1 ? "" : "s");
        break;
    }
}

static void alerts_table(FILE *out, const report *rp)
{
    size_t na = medtone_alerts_count(rp->alerts);
    fputs("<h2 id=\"alerts\">Alerts</h2>\n", out);
    if (!na) {
        fputs("<p class=\"muted\">No alerts: every entity stayed within its own baseline.</p>\n",
              out);
        return;
    }
    fputs("<table><tr><th class=\"l\">bucket</th><th class=\"l\">entity</th><th class=\"l\">"
          "alert</th><th class=\"l\">what happened</th><th>posts</th></tr>\n",
          out);
    for (size_t i = 0; i < na; i++) {
        char d[16];
        size_t e = medtone_alert_entity(rp->alerts, i);
        report_date(medtone_alert_bucket_start(rp->alerts, i), d, sizeof d);
        fprintf(out,
                "<tr><td class=\"l\">%s</td><td class=\"l\"><span class=\"sw\" "
                "style=\"background:%s\"></span>",
                d, color_of(e));
        esc(out, medtone_entity_name(rp->ents, e));
        fprintf(out, "</td><td class=\"l\"><b>%s</b></td><td class=\"l\">",
                medtone_alert_kind_name(medtone_alert_kind_of(rp->alerts, i)));
        alert_sentence(out, rp, i);
        fprintf(out, "</td><td>%s<a href=\"#alert-%zu\">%zu</a></td></tr>\n",
                i < MAX_ALERT_DETAILS ? "" : "&gt;", i, medtone_alert_post_count(rp->alerts, i));
    }
    fputs("</table>\n", out);
}

static void fmt_signed(FILE *out, double v)
{
    fprintf(out, "<span class=\"%s\">%+.2f</span>", tone(v), v);
}

static void overview(FILE *out, const report *rp)
{
    const medtone_aggregator *agg = rp->agg;
    fputs("<h2 id=\"entities\">Entities</h2>\n"
          "<table><tr><th class=\"l\">entity</th><th class=\"l\">kind</th><th>posts</th>"
          "<th>mean</th><th>net</th><th>Bayesian</th><th>Wilson pos.</th><th>reputation</th>"
          "<th>share of voice</th><th>alerts</th></tr>\n",
          out);
    for (size_t e = 0; e < medtone_entities_count(rp->ents); e++) {
        size_t B = MEDTONE_ALL_BUCKETS, nal = 0;
        for (size_t i = 0; i < medtone_alerts_count(rp->alerts); i++)
            nal += medtone_alert_entity(rp->alerts, i) == e;
        double n = medtone_aggregator_stat(agg, e, B, MEDTONE_STAT_VOLUME);
        fprintf(out, "<tr><td class=\"l\"><span class=\"sw\" style=\"background:%s\"></span>",
                color_of(e));
        if (n > 0) fprintf(out, "<a href=\"#entity-%zu\">", e);
        esc(out, medtone_entity_name(rp->ents, e));
        fprintf(out, "%s</td><td class=\"l\">%s</td><td>%.0f</td>", n > 0 ? "</a>" : "",
                medtone_entity_kind_name(medtone_entity_kind_of(rp->ents, e)), n);
        if (n <= 0) {
            fputs("<td colspan=\"7\" class=\"muted l\">no posts</td></tr>\n", out);
            continue;
        }
        static const medtone_stat cols[] = {MEDTONE_STAT_MEAN, MEDTONE_STAT_NET,
                                            MEDTONE_STAT_BAYES};
        for (size_t c = 0; c < 3; c++) {
            fputs("<td>", out);
            fmt_signed(out, medtone_aggregator_stat(agg, e, B, cols[c]));
            fputs("</td>", out);
        }
        fprintf(out, "<td>%.0f%%</td><td>",
                100 * medtone_aggregator_stat(agg, e, B, MEDTONE_STAT_WILSON));
        fmt_signed(out, medtone_aggregator_stat(agg, e, B, MEDTONE_STAT_REPUTATION));
        fprintf(out, "</td><td>%.1f%%</td><td>%s%zu%s</td></tr>\n",
                100 * medtone_aggregator_stat(agg, e, B, MEDTONE_STAT_SHARE_OF_VOICE),
                nal ? "<b class=\"neg\">" : "", nal, nal ? "</b>" : "");
    }
    fputs("</table>\n<p class=\"muted small\">mean: average compound score (−1…1); net: "
          "(positive − negative) / posts; Bayesian: the mean pulled towards the prior, so a few "
          "posts cannot outrank many; Wilson pos.: a 95&nbsp;% lower bound of the share of "
          "positive posts; reputation: the Bayesian mean with older buckets decayed by their "
          "age (see the notes at the end).</p>\n",
          out);
}

static double x_of(size_t b, size_t nb)
{
    double pw = CHART_W - MARGIN_L - MARGIN_R;
    return MARGIN_L + pw * ((double)b + 0.5) / (double)nb;
}

/* Date labels under the x axis, at most about ten. */
static void x_labels(FILE *out, const medtone_aggregator *agg, size_t nb)
{
    size_t step = nb > 10 ? (nb + 9) / 10 : 1;
    for (size_t b = 0; b < nb; b += step) {
        char d[16];
        report_date(medtone_aggregator_bucket_start(agg, b), d, sizeof d);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x_of(b, nb),
                CHART_H - MARGIN_B + 16, d);
    }
}

static void share_chart(FILE *out, const report *rp)
{
    const medtone_aggregator *agg = rp->agg;
    size_t nb = medtone_aggregator_bucket_count(agg), ne = medtone_entities_count(rp->ents);
    if (!nb) return;
    double ph = CHART_H - MARGIN_T - MARGIN_B, slot = (CHART_W - MARGIN_L - MARGIN_R) / (double)nb;
    fputs("<h2 id=\"share\">Share of voice</h2>\n<p class=\"muted\">Each bar is one bucket: "
          "how the mentions split between the entities.</p>\n",
          out);
    fprintf(out,
            "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"share of voice per bucket\">",
            CHART_W, CHART_H);
    for (int pct = 0; pct <= 100; pct += 25) {
        double y = MARGIN_T + ph * (1 - pct / 100.0);
        fprintf(out,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e8ee\"/>"
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>",
                MARGIN_L, CHART_W - MARGIN_R, y, y, MARGIN_L - 6, y + 4, pct);
    }
    for (size_t b = 0; b < nb; b++) {
        double y = MARGIN_T + ph;
        for (size_t e = 0; e < ne; e++) {
            double s = medtone_aggregator_stat(agg, e, b, MEDTONE_STAT_SHARE_OF_VOICE);
            if (s <= 0) continue;
            double h = s * ph;
            y -= h;
            fprintf(out,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                    "<title>",
                    x_of(b, nb) - slot * 0.4, y, slot * 0.8, h, color_of(e));
            esc(out, medtone_entity_name(rp->ents, e));
            fprintf(out, ": %.0f%% (%.0f posts)</title></rect>", 100 * s,
                    medtone_aggregator_stat(agg, e, b, MEDTONE_STAT_VOLUME));
        }
    }
    x_labels(out, agg, nb);
    fputs("</svg>\n<p class=\"legend small\">", out);
    for (size_t e = 0; e < ne; e++) {
        if (medtone_aggregator_stat(agg, e, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME) <= 0)
            continue;
        fprintf(out, "<span><span class=\"sw\" style=\"background:%s\"></span>", color_of(e));
        esc(out, medtone_entity_name(rp->ents, e));
        fputs("</span> ", out);
    }
    fputs("</p>\n", out);
}

/* A path through the buckets with posts; a gap breaks the line. */
static void sentiment_path(FILE *out, const medtone_aggregator *agg, size_t e, size_t nb,
                           medtone_stat stat, int skip_empty, const char *style)
{
    double ph = CHART_H - MARGIN_T - MARGIN_B;
    int pen = 0;
    fputs("<path fill=\"none\" ", out);
    fputs(style, out);
    fputs(" d=\"", out);
    int started = 0;
    for (size_t b = 0; b < nb; b++) {
        double n = medtone_aggregator_stat(agg, e, b, MEDTONE_STAT_VOLUME);
        if (!started && n <= 0) continue; /* nothing before the first post */
        started = 1;
        if (skip_empty && n <= 0) {
            pen = 0;
            continue;
        }
        double v = medtone_aggregator_stat(agg, e, b, stat);
        double y = MARGIN_T + ph * (1 - (v + 1) / 2);
        fprintf(out, "%s%.1f %.1f ", pen ? "L" : "M", x_of(b, nb), y);
        pen = 1;
    }
    fputs("\"/>", out);
}

/* The top of an axis with four ticks at round numbers (1, 2, 2.5 or 5 times a power of ten,
 * whole posts at least) that holds v. */
static double nice_top(double v)
{
    double step = v / 4, mag = pow(10, floor(log10(step > 0 ? step : 1))), f = step / mag;
    step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
    return 4 * (step < 1 ? 1 : step);
}

static void trend_chart(FILE *out, const report *rp, size_t e)
{
    const medtone_aggregator *agg = rp->agg;
    size_t nb = medtone_aggregator_bucket_count(agg);
    double ph = CHART_H - MARGIN_T - MARGIN_B, slot = (CHART_W - MARGIN_L - MARGIN_R) / (double)nb;
    double vmax = 1;
    for (size_t b = 0; b < nb; b++) {
        double n = medtone_aggregator_stat(agg, e, b, MEDTONE_STAT_VOLUME);
        if (n > vmax) vmax = n;
    }
    vmax = nice_top(vmax);
    fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", CHART_W, CHART_H);
    esc(out, medtone_entity_name(rp->ents, e));
    fputs(": posts and sentiment per bucket\">", out);
    /* axes: volume on the left, sentiment -1..1 on the right */
    for (int q = 0; q <= 4; q++) {
        double y = MARGIN_T + ph * (1 - q / 4.0);
        fprintf(out,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eef0f4\"/>"
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>"
                "<text x=\"%d\" y=\"%.1f\">%+.1f</text>",
                MARGIN_L, CHART_W - MARGIN_R, y, y, MARGIN_L - 6, y + 4, vmax * q / 4.0,
                CHART_W - MARGIN_R + 6, y + 4, -1 + q / 2.0);
    }
    double y0 = MARGIN_T + ph / 2;
    fprintf(out,
            "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#9aa3b2\" "
            "stroke-dasharray=\"4 3\"/>",
            MARGIN_L, CHART_W - MARGIN_R, y0, y0);
    for (size_t b = 0; b < nb; b++) {
        double n = medtone_aggregator_stat(agg, e, b, MEDTONE_STAT_VOLUME);
        if (n <= 0) continue;
        double h = ph * n / vmax, neg = medtone_aggregator_stat(agg, e, b, MEDTONE_STAT_NEGATIVE);
        char d[16];
        report_date(medtone_aggregator_bucket_start(agg, b), d, sizeof d);
        /* the bar, its negative part darker at the bottom */
        fprintf(out,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                "fill-opacity=\"0.35\"><title>%s: %.0f posts, %.0f negative, mean %+.2f</title>"
                "</rect>",
                x_of(b, nb) - slot * 0.35, MARGIN_T + ph - h, slot * 0.7, h, color_of(e), d, n, neg,
                medtone_aggregator_stat(agg, e, b, MEDTONE_STAT_MEAN));
        if (neg > 0)
            fprintf(out,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#c23b3b\" "
                    "fill-opacity=\"0.55\"/>",
                    x_of(b, nb) - slot * 0.35, MARGIN_T + ph - ph * neg / vmax, slot * 0.7,
                    ph * neg / vmax);
    }
    sentiment_path(out, agg, e, nb, MEDTONE_STAT_REPUTATION, 0,
                   "stroke=\"#5b6475\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"");
    sentiment_path(out, agg, e, nb, MEDTONE_STAT_MEAN, 1,
                   "stroke=\"#1d2330\" stroke-width=\"2.2\"");
    for (size_t b = 0; b < nb; b++) {
        double n = medtone_aggregator_stat(agg, e, b, MEDTONE_STAT_VOLUME);
        if (n <= 0) continue;
        double v = medtone_aggregator_stat(agg, e, b, MEDTONE_STAT_MEAN);
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>", x_of(b, nb),
                MARGIN_T + ph * (1 - (v + 1) / 2),
                v >= 0.05    ? "#17683a"
                : v <= -0.05 ? "#b3261e"
                             : "#5b6475");
    }
    /* alert markers over the bars */
    for (size_t i = 0; i < medtone_alerts_count(rp->alerts); i++) {
        if (medtone_alert_entity(rp->alerts, i) != e) continue;
        size_t b = medtone_alert_bucket(rp->alerts, i);
        double x = x_of(b, nb), y = MARGIN_T + 2;
        fprintf(out,
                "<a href=\"#alert-%zu\"><path d=\"M%.1f %.1f l7 12 h-14 z\" fill=\"#b3261e\">"
                "<title>%s alert: ",
                i, x, y, medtone_alert_kind_name(medtone_alert_kind_of(rp->alerts, i)));
        alert_sentence(out, rp, i);
        fputs("</title></path></a>", out);
    }
    x_labels(out, agg, nb);
    fputs("</svg>\n<p class=\"legend small muted\"><span>bars: posts (red: negative)</span>"
          "<span>solid line: mean sentiment</span><span>dashed line: decayed reputation</span>"
          "<span>▲ alert</span></p>\n",
          out);
}

static void flag_table(FILE *out, const report *rp, size_t e)
{
    const medtone_aggregator *agg = rp->agg;
    double n = medtone_aggregator_stat(agg, e, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME);
    int any = 0;
    for (int aspects = 0; aspects <= 1; aspects++)
        for (size_t f = 0; f < medtone_flag_count(); f++) {
            const char *name = medtone_flag_name(f);
            if ((strncmp(name, "aspect.", 7) == 0) != aspects) continue;
            double c = medtone_aggregator_flag_count(agg, e, MEDTONE_ALL_BUCKETS, f);
            if (c <= 0) continue;
            if (!any++)
                fputs("<table><tr><th class=\"l\">flag or aspect</th><th>posts</th>"
                      "<th class=\"l\">share of the entity's posts</th><th>sentiment</th>"
                      "</tr>\n",
                      out);
            double s = medtone_aggregator_flag_sentiment(agg, e, MEDTONE_ALL_BUCKETS, f);
            fprintf(out,
                    "<tr><td class=\"l\">%s%s</td><td>%.0f</td><td class=\"l\"><span "
                    "class=\"bar\" style=\"width:%.0fpx;background:%s\"></span> %.0f%%</td><td>",
                    aspects ? "" : "<b>", aspects ? name + 7 : name, c, 4 + 200 * c / n,
                    aspects ? (s <= -0.05  ? "#c23b3b"
                               : s >= 0.05 ? "#2a8c4a"
                                           : "#9aa3b2")
                            : "#7a4fb0",
                    100 * c / n);
            fmt_signed(out, s);
            fputs("</td></tr>\n", out);
        }
    if (any)
        fputs("</table>\n", out);
    else
        fputs("<p class=\"muted\">No flag or aspect fired on these posts.</p>\n", out);
}

static void entity_sections(FILE *out, const report *rp)
{
    const medtone_aggregator *agg = rp->agg;
    fputs("<h2 id=\"trends\">Trends per entity</h2>\n", out);
    for (size_t e = 0; e < medtone_entities_count(rp->ents); e++) {
        double n = medtone_aggregator_stat(agg, e, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME);
        if (n <= 0) continue;
        fprintf(out, "<h3 id=\"entity-%zu\"><span class=\"sw\" style=\"background:%s\"></span>", e,
                color_of(e));
        esc(out, medtone_entity_name(rp->ents, e));
        fprintf(out, " <span class=\"muted small\">%s · ",
                medtone_entity_kind_name(medtone_entity_kind_of(rp->ents, e)));
        esc(out, medtone_entity_id(rp->ents, e));
        fputs("</span></h3>\n<p class=\"small muted\">Also known as: ", out);
        size_t na = medtone_entity_alias_count(rp->ents, e);
        for (size_t k = 1; k < na; k++) {
            if (k > 1) fputs(", ", out);
            esc(out, medtone_entity_alias(rp->ents, e, k));
        }
        if (na <= 1) fputs("(no aliases)", out);
        fprintf(out, ". %.0f posts; mean ", n);
        fmt_signed(out, medtone_aggregator_stat(agg, e, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_MEAN));
        fputs("; reputation ", out);
        fmt_signed(out,
                   medtone_aggregator_stat(agg, e, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_REPUTATION));
        fputs(".</p>\n", out);
        trend_chart(out, rp, e);
        flag_table(out, rp, e);
    }
}

/* ----- highlighted posts ------------------------------------------------------------------ */

enum { SPAN_ENTITY, SPAN_TERM, SPAN_EVIDENCE };

typedef struct span {
    size_t off, end;
    int kind;
    double value;      /* a term's contribution */
    const char *what;  /* entity name, lexicon entry, or flag name */
    const char *extra; /* the evidence cue */
} span;

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static void add_span(span *s, size_t *n, size_t off, size_t len, size_t text_len, int kind,
                     double value, const char *what, const char *extra)
{
    if (*n >= MAX_SPANS || len == 0 || off >= text_len || len > text_len - off) return;
    s[*n] = (span){off, off + len, kind, value, what, extra};
    (*n)++;
}

/* The text with the analysis drawn on it: cut at every span boundary, each piece marked by the
 * spans that cover it. */
static int highlighted(FILE *out, const report *rp, medtone_result *res, const char *text,
                       size_t len)
{
    if (medtone_analyze(rp->an, text, len, res) != MEDTONE_OK) {
        esc_n(out, text, len);
        return 0;
    }
    span *sp = malloc(MAX_SPANS * sizeof *sp);
    size_t *cut = malloc((2 * MAX_SPANS + 2) * sizeof *cut);
    if (!sp || !cut) {
        free(sp);
        free(cut);
        return -1;
    }
    size_t n = 0, cursor = 0, ent, off, l;
    while (medtone_entities_next_mention(rp->ents, res, &cursor, &ent, &off, &l) == MEDTONE_OK)
        add_span(sp, &n, off, l, len, SPAN_ENTITY, 0, medtone_entity_name(rp->ents, ent), NULL);
    for (size_t i = 0; i < medtone_result_term_count(res); i++) {
        double c = medtone_result_term_contribution(res, i);
        if (c == 0) continue;
        add_span(sp, &n, medtone_result_term_offset(res, i), medtone_result_term_length(res, i),
                 len, SPAN_TERM, c, medtone_result_term_entry(res, i), NULL);
    }
    for (size_t f = 0; f < medtone_flag_count(); f++) {
        if (!medtone_result_flag_fired(res, f)) continue;
        for (size_t i = 0; i < medtone_result_evidence_count(res, f); i++)
            add_span(sp, &n, medtone_result_evidence_offset(res, f, i),
                     medtone_result_evidence_length(res, f, i), len, SPAN_EVIDENCE, 0,
                     medtone_flag_name(f), medtone_result_evidence_cue(res, f, i));
    }
    size_t nc = 0;
    cut[nc++] = 0;
    cut[nc++] = len;
    for (size_t i = 0; i < n; i++) {
        cut[nc++] = sp[i].off;
        cut[nc++] = sp[i].end;
    }
    qsort(cut, nc, sizeof *cut, cmp_size);
    for (size_t c = 0; c + 1 < nc; c++) {
        size_t a = cut[c], b = cut[c + 1];
        if (a == b) continue;
        int is_ent = 0, is_ev = 0;
        double term = 0;
        for (size_t i = 0; i < n; i++) {
            if (sp[i].off > a || sp[i].end < b) continue;
            if (sp[i].kind == SPAN_ENTITY)
                is_ent = 1;
            else if (sp[i].kind == SPAN_EVIDENCE)
                is_ev = 1;
            else
                term += sp[i].value;
        }
        if (!is_ent && !is_ev && term == 0) {
            esc_n(out, text + a, b - a);
            continue;
        }
        fprintf(out, "<span class=\"%s%s%s\" title=\"", is_ent ? "ent " : "",
                term > 0   ? "t-pos "
                : term < 0 ? "t-neg "
                           : "",
                is_ev ? "ev" : "");
        int first = 1;
        for (size_t i = 0; i < n; i++) {
            if (sp[i].off > a || sp[i].end < b) continue;
            if (!first) fputs("; ", out);
            first = 0;
            if (sp[i].kind == SPAN_ENTITY) {
                fputs("entity: ", out);
                esc(out, sp[i].what);
            } else if (sp[i].kind == SPAN_TERM) {
                esc(out, sp[i].what);
                fprintf(out, " %+.2f", sp[i].value);
            } else {
                esc(out, sp[i].what);
                fputs(": ", out);
                esc(out, sp[i].extra ? sp[i].extra : "");
            }
        }
        fputs("\">", out);
        esc_n(out, text + a, b - a);
        fputs("</span>", out);
    }
    free(sp);
    free(cut);
    return 0;
}

static int alert_details(FILE *out, const report *rp)
{
    size_t na = medtone_alerts_count(rp->alerts);
    if (!na) return 0;
    medtone_result *res = rp->an ? medtone_result_new() : NULL;
    if (rp->an && !res) return -1;
    fputs("<h2 id=\"alert-posts\">The posts behind each alert</h2>\n<p class=\"muted\">"
          "<span class=\"t-neg\">Red</span> and <span class=\"t-pos\">green</span> words moved "
          "the score; <span class=\"ev\">wavy underlines</span> are a flag's evidence; "
          "<span class=\"ent\">bold blue</span> names the entity. Hover for details.</p>\n",
          out);
    int rc = 0;
    for (size_t i = 0; i < na && i < MAX_ALERT_DETAILS && rc == 0; i++) {
        medtone_alert_kind k = medtone_alert_kind_of(rp->alerts, i);
        size_t e = medtone_alert_entity(rp->alerts, i);
        char d[16];
        report_date(medtone_alert_bucket_start(rp->alerts, i), d, sizeof d);
        fprintf(out, "<div class=\"alert %s\" id=\"alert-%zu\"><b>%s</b> · ",
                medtone_alert_kind_name(k), i, medtone_alert_kind_name(k));
        esc(out, medtone_entity_name(rp->ents, e));
        fprintf(out, " · bucket of %s<br>", d);
        alert_sentence(out, rp, i);
        fputs(".", out);
        size_t np = medtone_alert_post_count(rp->alerts, i);
        if (!np) fputs("<p class=\"muted\">No post ids were recorded for this alert.</p>", out);
        for (size_t p = 0; p < np && rc == 0; p++) {
            const char *id = medtone_alert_post_id(rp->alerts, i, p);
            const report_post *post = report_find_post(rp, id);
            fputs("<div class=\"post\"><span class=\"meta\">post ", out);
            esc(out, id);
            fputs("</span>", out);
            if (post && res)
                rc = highlighted(out, rp, res, post->text, post->len);
            else
                fputs("<i class=\"muted\">text not available (the post came from a saved "
                      "state, not from this run's input)</i>",
                      out);
            fputs("</div>\n", out);
        }
        fputs("</div>\n", out);
    }
    if (na > MAX_ALERT_DETAILS)
        fprintf(out,
                "<p class=\"muted\">%zu more alerts are listed above without their posts."
                "</p>\n",
                na - MAX_ALERT_DETAILS);
    medtone_result_free(res);
    return rc;
}

static void notes(FILE *out, const report *rp)
{
    double v[11];
    for (int o = 1; o <= 10; o++)
        medtone_aggregator_get_option(rp->agg, (medtone_agg_option)o, &v[o]);
    fprintf(out,
            "<footer><h2>Notes on the numbers</h2><p>Buckets are %s (UTC%s). A post's compound "
            "score runs from −1 to 1; at least 0.05 counts as positive, at most −0.05 as "
            "negative. The Bayesian mean is (C·m + Σ score) / (C + n) with prior mean m = %.2f "
            "and prior weight C = %.0f posts. The Wilson bound uses z = %.2f. The reputation "
            "weighs each bucket by 2^(−age / %.0f days), its age measured from its middle to "
            "the end of the latest bucket. Alerts compare a bucket with the entity's previous "
            "%.0f buckets by the robust z-score 0.6745·(x − median) / MAD (MAD kept at least "
            "at the spread chance alone gives) and fire at z ≥ %.1f with at least %.0f posts "
            "(%.0f flagged posts for misinformation); any crisis flag raises an alert. Flags "
            "route posts to a person; they are never the only safeguard.</p>"
            "<p>Inputs: ",
            v[MEDTONE_AGG_BUCKET_DAYS] == 1 ? "days" : "ISO weeks",
            v[MEDTONE_AGG_BUCKET_DAYS] == 1 ? "" : ", Monday to Sunday", v[MEDTONE_AGG_PRIOR_MEAN],
            v[MEDTONE_AGG_PRIOR_WEIGHT], v[MEDTONE_AGG_WILSON_Z], v[MEDTONE_AGG_HALF_LIFE_DAYS],
            v[MEDTONE_AGG_ALERT_WINDOW], v[MEDTONE_AGG_ALERT_THRESHOLD], v[MEDTONE_AGG_MIN_VOLUME],
            v[MEDTONE_AGG_MIN_FLAGGED]);
    for (size_t i = 0; i < rp->ninputs; i++) {
        if (i) fputs(", ", out);
        fputs("<code>", out);
        esc(out, rp->inputs[i]);
        fputs("</code>", out);
    }
    if (rp->nstates)
        fprintf(out, "%s%zu saved state%s (their posts' texts are not kept, only their ids)",
                rp->ninputs ? "; " : "", rp->nstates, rp->nstates == 1 ? "" : "s");
    fprintf(out, ". Made by medtone %s.</p></footer>\n", medtone_version_string());
}

int report_write_html(const report *rp, FILE *out)
{
    size_t nb = medtone_aggregator_bucket_count(rp->agg);
    char d0[16] = "", d1[16] = "";
    if (nb) {
        double days;
        medtone_aggregator_get_option(rp->agg, MEDTONE_AGG_BUCKET_DAYS, &days);
        report_date(medtone_aggregator_bucket_start(rp->agg, 0), d0, sizeof d0);
        report_date(medtone_aggregator_bucket_start(rp->agg, nb - 1) + 86400 * (int64_t)days - 1,
                    d1, sizeof d1);
    }
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>Reputation report%s%s%s%s</title><style>%s</style></head><body><main>\n"
            "<h1>Reputation report</h1>\n<p class=\"muted\">",
            nb ? ", " : "", d0, nb ? " to " : "", d1, css);
    if (nb)
        fprintf(out, "%s to %s · %zu bucket%s", d0, d1, nb, nb == 1 ? "" : "s");
    else
        fputs("No posts were aggregated.", out);
    fputs("</p>\n", out);
    cards(out, rp);
    alerts_table(out, rp);
    overview(out, rp);
    if (nb) {
        share_chart(out, rp);
        entity_sections(out, rp);
    }
    int rc = alert_details(out, rp);
    notes(out, rp);
    fputs("</main></body></html>\n", out);
    if (rc != 0) {
        errno = ENOMEM;
        return -1;
    }
    return ferror(out) ? -1 : 0;
}
