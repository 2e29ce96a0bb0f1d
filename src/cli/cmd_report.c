/* cmd_report.c — `medtone report`: rolls posts up per entity and time bucket, prints a summary,
 * raises alerts, and writes an HTML report.
 *
 * Input is JSON lines (plain or .gz) with "text", "id" and a time ("created_at", "time" or
 * "timestamp": ISO 8601 or Unix seconds). As in `batch`, the main thread reads a chunk of lines
 * and worker threads each take a slice; here every worker feeds its own aggregator, and the
 * aggregators are merged at the end. Merging is exact, so the report does not depend on the
 * thread count. Rows that cannot be aggregated (no time, a bad time, malformed JSON, no tracked
 * entity) are counted by kind and reported with the first file:line of each kind.
 *
 * The HTML shows the posts behind each alert. The aggregator keeps only their ids, so a second
 * pass over the input collects those posts' texts (standard input is spooled to a temporary
 * file for that). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "jsonl.h"
#include "report.h"
#include "strbuf.h"

#define CHUNK_LINES 8192
#define CHUNK_BYTES (8u << 20)
#define MAX_THREADS 256
#define MAX_HITS    64 /* entities counted per post */

/* ----- time ------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, size_t n, size_t at, size_t count, unsigned *out)
{
    if (at + count > n) return -1;
    unsigned v = 0;
    for (size_t i = 0; i < count; i++) {
        char c = s[at + i];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (unsigned)(c - '0');
    }
    *out = v;
    return 0;
}

/* ISO 8601: YYYY-MM-DD, optionally [T ]hh:mm[:ss[.fff]] and Z or +hh[:mm] / -hhmm (no offset
 * means UTC). */
static int parse_iso(const char *s, size_t n, int64_t *out)
{
    unsigned y, mo, d, h = 0, mi = 0, sec = 0;
    if (digits(s, n, 0, 4, &y) || n < 10 || s[4] != '-' || digits(s, n, 5, 2, &mo) || s[7] != '-' ||
        digits(s, n, 8, 2, &d))
        return -1;
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap)) return -1;
    size_t i = 10;
    int64_t offset = 0;
    if (i < n) {
        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return -1;
        i++;
        if (digits(s, n, i, 2, &h) || i + 2 >= n || s[i + 2] != ':' || digits(s, n, i + 3, 2, &mi))
            return -1;
        i += 5;
        if (i < n && s[i] == ':') {
            if (digits(s, n, i + 1, 2, &sec)) return -1;
            i += 3;
            if (i < n && (s[i] == '.' || s[i] == ',')) {
                i++;
                size_t f = i;
                while (i < n && s[i] >= '0' && s[i] <= '9')
                    i++;
                if (i == f) return -1;
            }
        }
        if (h > 23 || mi > 59 || sec > 60) return -1;
        if (sec == 60) sec = 59; /* a leap second */
        if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i] == '-' ? -1 : 1;
            unsigned oh, om = 0;
            i++;
            if (digits(s, n, i, 2, &oh)) return -1;
            i += 2;
            if (i < n && s[i] == ':') i++;
            if (i < n) {
                if (digits(s, n, i, 2, &om)) return -1;
                i += 2;
            }
            if (oh > 23 || om > 59) return -1;
            offset = sign * (int64_t)(oh * 3600 + om * 60);
        }
        if (i != n) return -1;
    }
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    return 0;
}

/* Unix seconds as a JSON number or a string of one; 1e11 and more are read as milliseconds
 * (1e11 seconds is the year 5138). */
static int parse_unix(const char *s, size_t n, int64_t *out)
{
    char buf[48];
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (*end || !isfinite(v)) return -1;
    if (fabs(v) >= 1e11) v /= 1000;
    if (fabs(v) > 1e12) return -1;
    *out = (int64_t)floor(v);
    return 0;
}

static int parse_time(const char *s, size_t n, int is_string, int64_t *out)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= 10 && s[4] == '-') return parse_iso(s, n, out);
    if (!is_string || n > 0) return parse_unix(s, n, out);
    return -1;
}

/* ----- the members jsonl_fields does not read --------------------------------------------- */

/* The end of the JSON value at p (already known to be valid JSON: jsonl_fields checked it). */
static const char *value_end(const char *p, const char *end)
{
    int depth = 0;
    while (p < end) {
        char c = *p;
        if (c == '"') {
            p++;
            while (p < end && *p != '"')
                p += *p == '\\' ? 2 : 1;
            p++;
            if (depth == 0) return p;
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (depth == 0) return p;
            if (--depth == 0) return p + 1;
        } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n'))
            return p;
        p++;
    }
    return end;
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

/* Finds the time member of a valid JSON object: "created_at", else "time", else "timestamp".
 * Returns 1 with the value's span (a string's content without quotes), 0 when absent. */
static int time_member(const char *line, size_t len, const char **val, size_t *vlen, int *is_str)
{
    static const char *const names[] = {"created_at", "time", "timestamp"};
    const char *p = line, *end = line + len;
    int best = 3;
    p = skip_ws(p, end);
    if (p >= end || *p != '{') return 0;
    p = skip_ws(p + 1, end);
    while (p < end && *p == '"') {
        const char *k = p + 1, *kend = value_end(p, end) - 1;
        p = skip_ws(kend + 1, end);
        if (p >= end || *p != ':') return 0;
        p = skip_ws(p + 1, end);
        const char *v = p, *vend = value_end(p, end);
        for (int i = 0; i < best; i++)
            if ((size_t)(kend - k) == strlen(names[i]) && !memcmp(k, names[i], strlen(names[i]))) {
                best = i;
                *is_str = *v == '"';
                *val = *is_str ? v + 1 : v;
                *vlen = (size_t)(vend - v) - (*is_str ? 2 : 0);
            }
        p = skip_ws(vend, end);
        if (p < end && *p == ',') p = skip_ws(p + 1, end);
    }
    return best < 3;
}

/* The post id as plain text: a JSON string decoded, another scalar as written, or file:line. */
static void post_id(strbuf *out, const strbuf *raw, strbuf *scratch, const char *path,
                    size_t lineno)
{
    out->len = 0;
    if (raw->len >= 2 && raw->s[0] == '"') {
        if (!memchr(raw->s, '\\', raw->len)) {
            sb_append(out, raw->s + 1, raw->len - 2);
        } else { /* let the JSON reader decode the escapes */
            scratch->len = 0;
            sb_puts(scratch, "{\"text\":");
            sb_append(scratch, raw->s, raw->len);
            sb_puts(scratch, "}");
            strbuf dummy = {0};
            if (!scratch->oom && jsonl_fields(scratch->s, scratch->len, out, &dummy) != 0)
                out->len = 0;
            sb_free(&dummy);
        }
    } else if (raw->len) {
        sb_append(out, raw->s, raw->len);
    }
    if (out->len == 0 || out->len > MEDTONE_POST_ID_MAX || memchr(out->s, '\0', out->len)) {
        const char *base = strrchr(path, '/');
        out->len = 0;
        sb_printf(out, "%s:%zu", base ? base + 1 : path, lineno);
    }
    sb_append(out, "", 0); /* NUL-terminated */
}

/* ----- chunks and workers ----------------------------------------------------------------- */

typedef struct line_ref {
    size_t off, len, lineno;
} line_ref;

typedef struct chunk {
    strbuf bytes;
    line_ref *lines;
    unsigned char *status;
    size_t n, cap;
} chunk;

typedef struct job {
    const medtone_analyzer *an;
    const medtone_entities *ents;
    medtone_aggregator *agg;
    medtone_result *res;
    const chunk *ch;
    size_t from, to;
    const char *path;
    strbuf text, id, pid, scratch;
    size_t mentions;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    size_t hits[MAX_HITS];
    for (size_t k = j->from; k < j->to; k++) {
        const line_ref *lr = &j->ch->lines[k];
        const char *line = j->ch->bytes.s + lr->off;
        unsigned char *status = &j->ch->status[k];
        j->text.len = j->id.len = 0;
        int rc = jsonl_fields(line, lr->len, &j->text, &j->id);
        if (rc != 0 || j->text.oom || j->id.oom) {
            *status = rc != 0 ? ROW_MALFORMED : ROW_FAILED;
            continue;
        }
        const char *tv;
        size_t tl;
        int is_str;
        int64_t t;
        if (!time_member(line, lr->len, &tv, &tl, &is_str) ||
            (!is_str && tl == 4 && !memcmp(tv, "null", 4))) {
            *status = ROW_NO_TIME;
            continue;
        }
        if (parse_time(tv, tl, is_str, &t) != 0) {
            *status = ROW_BAD_TIME;
            continue;
        }
        if (medtone_analyze(j->an, j->text.s ? j->text.s : "", j->text.len, j->res) != MEDTONE_OK) {
            *status = ROW_FAILED;
            continue;
        }
        size_t found = 0;
        medtone_entities_match(j->ents, j->res, hits, MAX_HITS, &found);
        if (found == 0) {
            *status = ROW_UNMATCHED;
            continue;
        }
        if (found > MAX_HITS) found = MAX_HITS;
        post_id(&j->pid, &j->id, &j->scratch, j->path, lr->lineno);
        *status = j->pid.oom ? ROW_FAILED : ROW_OK;
        for (size_t h = 0; h < found && *status == ROW_OK; h++) {
            if (medtone_aggregator_add(j->agg, hits[h], t, j->res, j->pid.s) != MEDTONE_OK)
                *status = ROW_FAILED;
            else
                j->mentions++;
        }
    }
    return NULL;
}

typedef struct progress {
    int on;
    size_t rows, bytes;
    struct timespec start;
} progress;

static void show_progress(const progress *p, int final)
{
    if (!p->on) return;
    double s = cli_seconds_since(&p->start);
    fprintf(stderr, "\rmedtone report: %zu posts, %.1f MB, %.0f posts/s%s", p->rows,
            (double)p->bytes / 1e6, s > 0 ? (double)p->rows / s : 0, final ? "\n" : "");
}

typedef struct run {
    job *jobs;
    int threads;
    report rp;
    progress prog;
} run;

static void note_rows(run *r, const chunk *ch, const char *path)
{
    for (size_t k = 0; k < ch->n; k++) {
        unsigned s = ch->status[k];
        r->rp.count[s]++;
        if (!r->rp.first[s][0])
            snprintf(r->rp.first[s], sizeof r->rp.first[s], "%s:%zu", path, ch->lines[k].lineno);
    }
    r->rp.rows += ch->n;
}

static int flush_chunk(run *r, chunk *ch, const char *path)
{
    if (ch->n == 0) return 0;
    int t = r->threads;
    if ((size_t)t > ch->n) t = (int)ch->n;
    pthread_t tid[MAX_THREADS];
    int joined[MAX_THREADS] = {0};
    size_t per = (ch->n + (size_t)t - 1) / (size_t)t;
    for (int k = 0; k < t; k++) {
        job *j = &r->jobs[k];
        j->ch = ch;
        j->from = (size_t)k * per;
        j->to = j->from + per < ch->n ? j->from + per : ch->n;
        j->path = path;
        if (k == 0) continue;
        if (pthread_create(&tid[k], NULL, run_job, j) == 0)
            joined[k] = 1;
        else
            run_job(j);
    }
    run_job(&r->jobs[0]);
    for (int k = 1; k < t; k++)
        if (joined[k]) pthread_join(tid[k], NULL);
    note_rows(r, ch, path);
    r->prog.rows += ch->n;
    r->prog.bytes += ch->bytes.len;
    show_progress(&r->prog, 0);
    ch->n = 0;
    ch->bytes.len = 0;
    return 0;
}

/* Reads and aggregates one input; `name` is what messages and ids call it. */
static int read_file(run *r, const char *path, const char *name)
{
    cli_reader *in = cli_reader_open(path);
    if (!in) {
        cli_error("report", "%s: %s", name, strerror(errno ? errno : ENOENT));
        return -1;
    }
    chunk ch = {0};
    int status = 0;
    const char *line;
    long n;
    while ((n = cli_reader_line(in, &line)) >= 0) {
        size_t len = (size_t)n, k = 0;
        while (k < len && (line[k] == ' ' || line[k] == '\t'))
            k++;
        if (k == len) continue; /* blank lines between objects */
        if (ch.n == ch.cap) {
            size_t ncap = ch.cap ? ch.cap * 2 : CHUNK_LINES;
            line_ref *nl = realloc(ch.lines, ncap * sizeof *nl);
            unsigned char *ns = nl ? realloc(ch.status, ncap) : NULL;
            if (nl) ch.lines = nl;
            if (!nl || !ns) {
                cli_error("report", "out of memory");
                status = -1;
                break;
            }
            ch.status = ns;
            ch.cap = ncap;
        }
        ch.lines[ch.n].off = ch.bytes.len;
        ch.lines[ch.n].len = len;
        ch.lines[ch.n].lineno = in->lineno;
        ch.n++;
        sb_append(&ch.bytes, line, len);
        sb_append(&ch.bytes, "", 1);
        if (ch.bytes.oom) {
            cli_error("report", "out of memory");
            status = -1;
            break;
        }
        if (ch.n >= CHUNK_LINES || ch.bytes.len >= CHUNK_BYTES) flush_chunk(r, &ch, name);
    }
    if (status == 0 && (n == -2 || n == -3)) {
        cli_error("report", "%s:%zu: %s", name, in->lineno + 1,
                  n == -2 ? "out of memory" : "corrupt or truncated gzip input");
        status = -1;
    }
    if (status == 0) flush_chunk(r, &ch, name);
    sb_free(&ch.bytes);
    free(ch.lines);
    free(ch.status);
    cli_reader_close(in);
    return status;
}

/* ----- the second pass: texts of the posts alerts name ------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_post(const void *a, const void *b)
{
    return strcmp(((const report_post *)a)->id, ((const report_post *)b)->id);
}

const report_post *report_find_post(const report *rp, const char *id)
{
    size_t lo = 0, hi = rp->nposts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(rp->posts[mid].id, id);
        if (!c) return &rp->posts[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Collects the texts of the posts named by alerts (the first row with each id). */
static int collect_posts(report *rp, char *const *paths, char *const *names, size_t npaths)
{
    size_t nwant = 0;
    for (size_t i = 0; i < medtone_alerts_count(rp->alerts); i++)
        nwant += medtone_alert_post_count(rp->alerts, i);
    if (!nwant) return 0;
    char **want = malloc(nwant * sizeof *want);
    rp->posts = calloc(nwant, sizeof *rp->posts);
    if (!want || !rp->posts) {
        free(want);
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < medtone_alerts_count(rp->alerts); i++)
        for (size_t k = 0; k < medtone_alert_post_count(rp->alerts, i); k++)
            want[n++] = (char *)medtone_alert_post_id(rp->alerts, i, k);
    qsort(want, n, sizeof *want, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (!u || strcmp(want[u - 1], want[i])) want[u++] = want[i];
    unsigned char *got = calloc(u, 1);
    strbuf text = {0}, id = {0}, pid = {0}, scratch = {0};
    int status = got ? 0 : -1;
    for (size_t f = 0; f < npaths && status == 0 && rp->nposts < u; f++) {
        cli_reader *in = cli_reader_open(paths[f]);
        if (!in) {
            status = -1;
            break;
        }
        const char *line;
        long len;
        while ((len = cli_reader_line(in, &line)) >= 0 && rp->nposts < u) {
            text.len = id.len = 0;
            if (jsonl_fields(line, (size_t)len, &text, &id) != 0) continue;
            post_id(&pid, &id, &scratch, names[f], in->lineno);
            const char *key = pid.s;
            char **hit = bsearch(&key, want, u, sizeof *want, cmp_str);
            if (!hit || got[hit - want]) continue;
            got[hit - want] = 1;
            report_post *p = &rp->posts[rp->nposts];
            p->id = strdup(pid.s);
            p->text = malloc(text.len + 1);
            if (!p->id || !p->text) {
                free(p->id);
                free(p->text);
                status = -1;
                break;
            }
            if (text.len) memcpy(p->text, text.s, text.len);
            p->text[text.len] = '\0';
            p->len = text.len;
            rp->nposts++;
        }
        cli_reader_close(in);
    }
    if (text.oom || id.oom || pid.oom) status = -1;
    sb_free(&text);
    sb_free(&id);
    sb_free(&pid);
    sb_free(&scratch);
    free(got);
    free(want);
    qsort(rp->posts, rp->nposts, sizeof *rp->posts, cmp_post);
    return status;
}

/* Copies standard input to a temporary file, so that it can be read twice. */
static char *spool_stdin(void)
{
    const char *dir = getenv("TMPDIR");
    char *path = malloc(4096);
    if (!path) return NULL;
    snprintf(path, 4096, "%s/medtone-report-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    char buf[1 << 16];
    ssize_t got;
    int ok = 1;
    while (ok && (got = read(0, buf, sizeof buf)) != 0) {
        if (got < 0) {
            if (errno == EINTR) continue;
            ok = 0;
            break;
        }
        for (ssize_t w = 0; w < got;) {
            ssize_t put = write(fd, buf + w, (size_t)(got - w));
            if (put < 0 && errno == EINTR) continue;
            if (put <= 0) {
                ok = 0;
                break;
            }
            w += put;
        }
    }
    if (close(fd) != 0) ok = 0;
    if (!ok) {
        unlink(path);
        free(path);
        return NULL;
    }
    return path;
}

/* ----- text and JSON output --------------------------------------------------------------- */

/* At most `max` characters of s (UTF-8), padded with spaces to `max` columns. */
static void put_cell(FILE *out, const char *s, int max)
{
    int cols = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && cols < max) {
        size_t k = 1;
        while (p[k] && (p[k] & 0xC0) == 0x80)
            k++;
        if (cols == max - 1 && p[k]) { /* cut: mark it */
            fputs("~", out);
            cols++;
            break;
        }
        fwrite(p, 1, k, out);
        p += k;
        cols++;
    }
    for (; cols < max; cols++)
        fputc(' ', out);
}

/* The (at most n) most frequent flags of an entity over all buckets: aspects, or the others. */
static size_t top_flags(const medtone_aggregator *agg, size_t e, int aspects, size_t *out, size_t n)
{
    size_t got = 0;
    for (size_t f = 0; f < medtone_flag_count(); f++) {
        int is_aspect = !strncmp(medtone_flag_name(f), "aspect.", 7);
        double c = medtone_aggregator_flag_count(agg, e, MEDTONE_ALL_BUCKETS, f);
        if (is_aspect != aspects || c <= 0) continue;
        size_t pos = got;
        while (pos > 0 &&
               medtone_aggregator_flag_count(agg, e, MEDTONE_ALL_BUCKETS, out[pos - 1]) < c)
            pos--;
        if (pos >= n) continue;
        for (size_t q = got < n ? got : n - 1; q > pos; q--)
            out[q] = out[q - 1];
        out[pos] = f;
        if (got < n) got++;
    }
    return got;
}

static void print_summary(FILE *out, const report *rp, size_t nfiles)
{
    const medtone_aggregator *agg = rp->agg;
    const medtone_entities *ents = rp->ents;
    size_t nb = medtone_aggregator_bucket_count(agg);
    double days;
    medtone_aggregator_get_option(agg, MEDTONE_AGG_BUCKET_DAYS, &days);
    char d0[16] = "-", d1[16] = "-";
    if (nb) {
        report_date(medtone_aggregator_bucket_start(agg, 0), d0, sizeof d0);
        report_date(medtone_aggregator_bucket_start(agg, nb - 1), d1, sizeof d1);
    }
    fprintf(out, "%zu post%s read from %zu input%s", rp->rows, rp->rows == 1 ? "" : "s", nfiles,
            nfiles == 1 ? "" : "s");
    if (rp->nstates)
        fprintf(out, " (and %zu saved state%s)", rp->nstates, rp->nstates == 1 ? "" : "s");
    fprintf(out, "; %zu about tracked entities (%zu mention%s)\n", rp->count[ROW_OK], rp->mentions,
            rp->mentions == 1 ? "" : "s");
    fprintf(out, "%zu %s bucket%s from %s to %s\n", nb, days == 1 ? "daily" : "weekly",
            nb == 1 ? "" : "s", d0, d1);
    static const char *const why[ROW_KINDS] = {"",
                                               "without a tracked entity (scored, not aggregated)",
                                               "without a timestamp",
                                               "with a bad timestamp",
                                               "malformed (not a JSON object with \"text\")",
                                               "that could not be analyzed"};
    for (int k = ROW_UNMATCHED; k < ROW_KINDS; k++)
        if (rp->count[k])
            fprintf(out, "%zu post%s %s%s%s%s\n", rp->count[k], rp->count[k] == 1 ? "" : "s",
                    why[k], k == ROW_UNMATCHED ? "" : ", not aggregated (first: ",
                    k == ROW_UNMATCHED ? "" : rp->first[k], k == ROW_UNMATCHED ? "" : ")");
    fputc('\n', out);
    fprintf(out, "%-24s %-10s %6s %6s %6s %6s %5s  %-28s %s\n", "entity", "kind", "posts", "mean",
            "net", "reput", "share", "flags (posts)", "top aspects (posts, mean)");
    for (size_t e = 0; e < medtone_entities_count(ents); e++) {
        double n = medtone_aggregator_stat(agg, e, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME);
        put_cell(out, medtone_entity_name(ents, e), 24);
        fputc(' ', out);
        put_cell(out, medtone_entity_kind_name(medtone_entity_kind_of(ents, e)), 10);
        if (n <= 0) {
            fprintf(out, " %6d\n", 0);
            continue;
        }
        fprintf(out, " %6.0f %+6.2f %+6.2f %+6.2f %4.0f%%  ", n,
                medtone_aggregator_stat(agg, e, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_MEAN),
                medtone_aggregator_stat(agg, e, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_NET),
                medtone_aggregator_stat(agg, e, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_REPUTATION),
                100 * medtone_aggregator_stat(agg, e, MEDTONE_ALL_BUCKETS,
                                              MEDTONE_STAT_SHARE_OF_VOICE));
        size_t top[3], k = top_flags(agg, e, 0, top, 3);
        char cell[200] = "", part[80];
        for (size_t i = 0; i < k; i++) {
            snprintf(part, sizeof part, "%s%s %.0f", i ? ", " : "", medtone_flag_name(top[i]),
                     medtone_aggregator_flag_count(agg, e, MEDTONE_ALL_BUCKETS, top[i]));
            strncat(cell, part, sizeof cell - strlen(cell) - 1);
        }
        put_cell(out, k ? cell : "-", 28);
        k = top_flags(agg, e, 1, top, 3);
        for (size_t i = 0; i < k; i++)
            fprintf(out, "%s%s %.0f %+.1f", i ? ", " : " ", medtone_flag_name(top[i]) + 7,
                    medtone_aggregator_flag_count(agg, e, MEDTONE_ALL_BUCKETS, top[i]),
                    medtone_aggregator_flag_sentiment(agg, e, MEDTONE_ALL_BUCKETS, top[i]));
        fputs(k ? "\n" : " -\n", out);
    }
    size_t na = medtone_alerts_count(rp->alerts);
    fprintf(out, "\n%zu alert%s%s\n", na, na == 1 ? "" : "s", na ? ":" : "");
    for (size_t i = 0; i < na; i++) {
        medtone_alert_kind k = medtone_alert_kind_of(rp->alerts, i);
        char d[16];
        report_date(medtone_alert_bucket_start(rp->alerts, i), d, sizeof d);
        fprintf(out, "  %s  %-24s %-10s ", d,
                medtone_entity_id(ents, medtone_alert_entity(rp->alerts, i)),
                medtone_alert_kind_name(k));
        double v = medtone_alert_value(rp->alerts, i), b = medtone_alert_baseline(rp->alerts, i);
        if (k == MEDTONE_ALERT_CRISIS)
            fprintf(out, "%.0f crisis post%s", v, v == 1 ? "" : "s");
        else if (k == MEDTONE_ALERT_NEGATIVITY)
            fprintf(out, "z %.1f: %.0f%% negative, usually %.0f%%",
                    medtone_alert_score(rp->alerts, i), 100 * v, 100 * b);
        else
            fprintf(out, "z %.1f: %.0f posts, usually %.0f", medtone_alert_score(rp->alerts, i), v,
                    b);
        size_t np = medtone_alert_post_count(rp->alerts, i);
        for (size_t p = 0; p < np; p++)
            fprintf(out, "%s%s", p ? ", " : "; posts: ", medtone_alert_post_id(rp->alerts, i, p));
        fputc('\n', out);
    }
}

static void json_num(FILE *out, const char *name, double v)
{
    fprintf(out, ",\"%s\":%.6g", name, isfinite(v) ? v : 0);
}

static void json_stats(FILE *out, const medtone_aggregator *agg, size_t e, size_t b)
{
    static const struct {
        const char *name;
        medtone_stat stat;
    } stats[] = {
        {"positive", MEDTONE_STAT_POSITIVE},
        {"neutral", MEDTONE_STAT_NEUTRAL},
        {"negative", MEDTONE_STAT_NEGATIVE},
        {"mean", MEDTONE_STAT_MEAN},
        {"stddev", MEDTONE_STAT_STDDEV},
        {"net", MEDTONE_STAT_NET},
        {"bayes", MEDTONE_STAT_BAYES},
        {"wilson", MEDTONE_STAT_WILSON},
        {"share_of_voice", MEDTONE_STAT_SHARE_OF_VOICE},
        {"share_positive", MEDTONE_STAT_SHARE_POSITIVE},
        {"share_negative", MEDTONE_STAT_SHARE_NEGATIVE},
        {"reputation", MEDTONE_STAT_REPUTATION},
    };
    fprintf(out, "\"posts\":%.0f", medtone_aggregator_stat(agg, e, b, MEDTONE_STAT_VOLUME));
    for (size_t i = 0; i < sizeof stats / sizeof stats[0]; i++)
        json_num(out, stats[i].name, medtone_aggregator_stat(agg, e, b, stats[i].stat));
    fputs(",\"flags\":{", out);
    int first = 1;
    for (size_t f = 0; f < medtone_flag_count(); f++) {
        double c = medtone_aggregator_flag_count(agg, e, b, f);
        if (c <= 0) continue;
        fprintf(out, "%s\"%s\":{\"posts\":%.0f,\"sentiment\":%.4f}", first ? "" : ",",
                medtone_flag_name(f), c, medtone_aggregator_flag_sentiment(agg, e, b, f));
        first = 0;
    }
    fputc('}', out);
}

static void print_json(FILE *out, const report *rp)
{
    const medtone_aggregator *agg = rp->agg;
    size_t nb = medtone_aggregator_bucket_count(agg);
    double days;
    medtone_aggregator_get_option(agg, MEDTONE_AGG_BUCKET_DAYS, &days);
    fprintf(out,
            "{\"bucket_days\":%.0f,\"posts_read\":%zu,\"posts_aggregated\":%zu,"
            "\"mentions\":%zu,\"not_aggregated\":{\"no_entity\":%zu,\"no_time\":%zu,"
            "\"bad_time\":%zu,\"malformed\":%zu,\"failed\":%zu},\"buckets\":[",
            days, rp->rows, rp->count[ROW_OK], rp->mentions, rp->count[ROW_UNMATCHED],
            rp->count[ROW_NO_TIME], rp->count[ROW_BAD_TIME], rp->count[ROW_MALFORMED],
            rp->count[ROW_FAILED]);
    for (size_t b = 0; b < nb; b++) {
        char d[16];
        int64_t t = medtone_aggregator_bucket_start(agg, b);
        report_date(t, d, sizeof d);
        fprintf(out, "%s{\"start\":\"%s\",\"unix\":%lld}", b ? "," : "", d, (long long)t);
    }
    fputs("],\"entities\":[", out);
    for (size_t e = 0; e < medtone_entities_count(rp->ents); e++) {
        const char *id = medtone_entity_id(rp->ents, e), *name = medtone_entity_name(rp->ents, e);
        fputs(e ? ",{\"id\":" : "{\"id\":", out);
        json_write_string(out, id, strlen(id));
        fputs(",\"name\":", out);
        json_write_string(out, name, strlen(name));
        fprintf(out, ",\"kind\":\"%s\",",
                medtone_entity_kind_name(medtone_entity_kind_of(rp->ents, e)));
        json_stats(out, agg, e, MEDTONE_ALL_BUCKETS);
        fputs(",\"buckets\":[", out);
        for (size_t b = 0; b < nb; b++) {
            fputs(b ? ",{" : "{", out);
            json_stats(out, agg, e, b);
            fputc('}', out);
        }
        fputs("]}", out);
    }
    fputs("],\"alerts\":[", out);
    for (size_t i = 0; i < medtone_alerts_count(rp->alerts); i++) {
        char d[16];
        report_date(medtone_alert_bucket_start(rp->alerts, i), d, sizeof d);
        const char *id = medtone_entity_id(rp->ents, medtone_alert_entity(rp->alerts, i));
        fputs(i ? ",{\"entity\":" : "{\"entity\":", out);
        json_write_string(out, id, strlen(id));
        fprintf(out, ",\"bucket\":\"%s\",\"kind\":\"%s\"", d,
                medtone_alert_kind_name(medtone_alert_kind_of(rp->alerts, i)));
        json_num(out, "score", medtone_alert_score(rp->alerts, i));
        json_num(out, "value", medtone_alert_value(rp->alerts, i));
        json_num(out, "baseline", medtone_alert_baseline(rp->alerts, i));
        fputs(",\"posts\":[", out);
        for (size_t p = 0; p < medtone_alert_post_count(rp->alerts, i); p++) {
            const char *pid = medtone_alert_post_id(rp->alerts, i, p);
            if (p) fputc(',', out);
            json_write_string(out, pid, strlen(pid));
        }
        fputs("]}", out);
    }
    fputs("]}\n", out);
}

/* ----- the command ------------------------------------------------------------------------ */

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: medtone report --entities FILE [options] [POSTS.jsonl[.gz]...]\n"
        "Rolls posts up per entity (organization, site, doctor, drug...) and time bucket,\n"
        "prints a summary with alerts, and writes an HTML report on request. Posts are JSON\n"
        "lines with \"text\", \"id\" and \"created_at\" (or \"time\", \"timestamp\"): ISO 8601\n"
        "(2026-03-01T10:22:00Z, offsets allowed, UTC when none) or Unix seconds. Reads\n"
        "standard input when no file is given.\n\n"
        "options:\n"
        "  -E, --entities FILE       the entities: id<TAB>name<TAB>kind<TAB>alias|alias...\n"
        "  -b, --bucket day|week     bucket length (default: week, Monday to Sunday UTC)\n"
        "      --html FILE           write a self-contained HTML report to FILE\n"
        "      --json                print the summary as JSON instead of text\n"
        "  -t, --threads N           worker threads (default: all cores)\n"
        "      --half-life DAYS      half-life of the reputation score (default 30)\n"
        "      --window N            buckets in an alert baseline (default 8)\n"
        "      --threshold Z         robust z-score that raises an alert (default 3.5)\n"
        "      --min-volume N        fewest posts in a bucket for an alert (default 10)\n"
        "      --load STATE          add a saved state first (repeatable)\n"
        "      --save STATE          save the aggregated state (for --load next time)\n"
        "      --progress            show progress on stderr (default: when it is a terminal)\n");
    fputs(cli_lexicon_help, out);
    fprintf(out,
            "  -h, --help                show this help\n"
            "Rows without a usable time, malformed rows and rows about no tracked entity are\n"
            "counted and reported, never aggregated; malformed rows make the exit status 1.\n");
}

typedef struct settings {
    const char *entities, *html, *save;
    const char *loads[64];
    size_t nloads;
    int json, days, progress;
    long threads;
    double half_life, window, threshold, min_volume;
} settings;

static int number_arg(const char *opt, const char *v, double lo, double hi, double *out)
{
    double d;
    if (cli_parse_double(v, &d) != 0 || !(d >= lo && d <= hi)) {
        cli_error("report", "%s takes a number from %g to %g, not '%s'", opt, lo, hi, v);
        return -1;
    }
    *out = d;
    return 0;
}

static int parse_args(int argc, char **argv, int *i, settings *s, cli_lexicons *lx)
{
    for (; *i < argc && argv[*i][0] == '-' && argv[*i][1]; (*i)++) {
        const char *a = argv[*i];
        if (!strcmp(a, "--")) {
            (*i)++;
            break;
        }
        int lo = cli_lexicon_option("report", argc, argv, i, lx);
        if (lo < 0) return CLI_USAGE;
        if (lo) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return -1;
        }
        if (!strcmp(a, "--json")) {
            s->json = 1;
            continue;
        }
        if (!strcmp(a, "--progress")) {
            s->progress = 1;
            continue;
        }
        static const char *const with_value[] = {
            "-E",           "--entities", "-b",          "--bucket", "--html",
            "-t",           "--threads",  "--half-life", "--window", "--threshold",
            "--min-volume", "--load",     "--save"};
        int known = 0;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            known |= !strcmp(a, with_value[k]);
        if (!known || *i + 1 >= argc) {
            cli_error("report",
                      "unknown option '%s' or missing value (see 'medtone report "
                      "--help')",
                      a);
            return CLI_USAGE;
        }
        const char *v = argv[++*i];
        double d;
        if (!strcmp(a, "-E") || !strcmp(a, "--entities")) {
            s->entities = v;
        } else if (!strcmp(a, "-b") || !strcmp(a, "--bucket")) {
            if (strcmp(v, "day") && strcmp(v, "week")) {
                cli_error("report", "--bucket takes day or week, not '%s'", v);
                return CLI_USAGE;
            }
            s->days = !strcmp(v, "day") ? 1 : 7;
        } else if (!strcmp(a, "--html")) {
            s->html = v;
        } else if (!strcmp(a, "--save")) {
            s->save = v;
        } else if (!strcmp(a, "--load")) {
            if (s->nloads == sizeof s->loads / sizeof s->loads[0]) {
                cli_error("report", "too many --load options");
                return CLI_USAGE;
            }
            s->loads[s->nloads++] = v;
        } else if (!strcmp(a, "-t") || !strcmp(a, "--threads")) {
            if (number_arg(a, v, 1, MAX_THREADS, &d)) return CLI_USAGE;
            if (d != floor(d)) {
                cli_error("report", "%s takes a whole number, not '%s'", a, v);
                return CLI_USAGE;
            }
            s->threads = (long)d;
        } else if (!strcmp(a, "--half-life")) {
            if (number_arg(a, v, 0.001, 36500, &s->half_life)) return CLI_USAGE;
        } else if (!strcmp(a, "--window")) {
            if (number_arg(a, v, 3, 520, &s->window) || s->window != floor(s->window))
                return CLI_USAGE;
        } else if (!strcmp(a, "--threshold")) {
            if (number_arg(a, v, 0.001, 1000, &s->threshold)) return CLI_USAGE;
        } else if (!strcmp(a, "--min-volume")) {
            if (number_arg(a, v, 1, 1e9, &s->min_volume) || s->min_volume != floor(s->min_volume))
                return CLI_USAGE;
        }
    }
    if (!s->entities) {
        cli_error("report", "--entities FILE is required (see 'medtone report --help')");
        return CLI_USAGE;
    }
    return 0;
}

static void free_report_posts(report *rp)
{
    for (size_t i = 0; i < rp->nposts; i++) {
        free(rp->posts[i].id);
        free(rp->posts[i].text);
    }
    free(rp->posts);
    rp->posts = NULL;
    rp->nposts = 0;
}

int cmd_report(int argc, char **argv)
{
    cli_lexicons lx = {.embedded = 1};
    settings s = {.days = 7, .threads = sysconf(_SC_NPROCESSORS_ONLN)};
    int i = 1;
    int rc = parse_args(argc, argv, &i, &s, &lx);
    if (rc < 0) return CLI_OK; /* --help */
    if (rc) return rc;
    if (s.threads < 1) s.threads = 1;
    if (s.threads > MAX_THREADS) s.threads = MAX_THREADS;

    int status = CLI_OK;
    run r = {.threads = (int)s.threads};
    r.prog.on = s.progress || isatty(2);
    clock_gettime(CLOCK_MONOTONIC, &r.prog.start);
    medtone_entities *ents = medtone_entities_new();
    medtone_aggregator *agg = NULL;
    medtone_alerts *alerts = NULL;
    medtone_analyzer *an = NULL;
    char *spooled = NULL;
    char **paths = NULL, **names = NULL;
    size_t npaths = 0;
    if (!ents) {
        cli_error("report", "out of memory");
        return CLI_FAIL;
    }
    medtone_status st = medtone_entities_load(ents, s.entities);
    if (st != MEDTONE_OK) {
        cli_error("report", "%s", medtone_entities_last_error(ents));
        status = CLI_FAIL;
        goto done;
    }
    if (medtone_entities_count(ents) == 0) {
        cli_error("report", "%s: no entities", s.entities);
        status = CLI_FAIL;
        goto done;
    }
    if (medtone_aggregator_new(ents, &agg) != MEDTONE_OK) {
        cli_error("report", "out of memory");
        status = CLI_FAIL;
        goto done;
    }
    medtone_aggregator_set_option(agg, MEDTONE_AGG_BUCKET_DAYS, s.days);
    for (size_t k = 0; k < s.nloads; k++) {
        st = medtone_aggregator_load(agg, s.loads[k]);
        if (st != MEDTONE_OK) {
            cli_error("report", "%s", medtone_aggregator_last_error(agg));
            status = CLI_FAIL;
            goto done;
        }
    }
    double loaded_days;
    medtone_aggregator_get_option(agg, MEDTONE_AGG_BUCKET_DAYS, &loaded_days);
    if ((int)loaded_days != s.days) {
        cli_error("report", "the loaded state has %s buckets; pass --bucket %s",
                  loaded_days == 1 ? "daily" : "weekly", loaded_days == 1 ? "day" : "week");
        status = CLI_USAGE;
        goto done;
    }

    /* the inputs: files, or standard input when none is given and no state was loaded */
    npaths = (size_t)(argc - i);
    paths = calloc(npaths + 1, sizeof *paths);
    names = calloc(npaths + 1, sizeof *names);
    if (!paths || !names) {
        cli_error("report", "out of memory");
        status = CLI_FAIL;
        goto done;
    }
    for (size_t k = 0; k < npaths; k++)
        paths[k] = names[k] = argv[i + (int)k];
    if (npaths == 0 && s.nloads == 0) paths[npaths++] = (char *)"-";
    for (size_t k = 0; k < npaths; k++) {
        names[k] = paths[k];
        if (strcmp(paths[k], "-")) continue;
        names[k] = (char *)"stdin";
        if (spooled) {
            cli_error("report", "standard input given twice");
            status = CLI_USAGE;
            goto done;
        }
        if (!(spooled = spool_stdin())) {
            cli_error("report", "cannot copy standard input to a temporary file: %s",
                      strerror(errno));
            status = CLI_FAIL;
            goto done;
        }
        paths[k] = spooled;
    }

    if (npaths) {
        an = cli_make_analyzer("report", &lx);
        r.jobs = calloc((size_t)r.threads, sizeof *r.jobs);
        if (!an || !r.jobs) {
            if (an) cli_error("report", "out of memory");
            status = CLI_FAIL;
            goto done;
        }
        for (int k = 0; k < r.threads; k++) {
            job *j = &r.jobs[k];
            j->an = an;
            j->ents = ents;
            j->res = medtone_result_new();
            if (!j->res || medtone_aggregator_new(ents, &j->agg) != MEDTONE_OK ||
                medtone_aggregator_set_option(j->agg, MEDTONE_AGG_BUCKET_DAYS, s.days) !=
                    MEDTONE_OK) {
                cli_error("report", "out of memory");
                status = CLI_FAIL;
                goto done;
            }
        }
        for (size_t k = 0; k < npaths && status == CLI_OK; k++)
            if (read_file(&r, paths[k], names[k]) != 0) status = CLI_FAIL;
        show_progress(&r.prog, 1);
        for (int k = 0; k < r.threads && status == CLI_OK; k++) {
            r.rp.mentions += r.jobs[k].mentions;
            st = medtone_aggregator_merge(agg, r.jobs[k].agg);
            if (st != MEDTONE_OK) {
                cli_error("report", "cannot merge: %s", medtone_status_str(st));
                status = CLI_FAIL;
            }
        }
        if (status != CLI_OK) goto done;
    }

    if (s.half_life) medtone_aggregator_set_option(agg, MEDTONE_AGG_HALF_LIFE_DAYS, s.half_life);
    if (s.window) medtone_aggregator_set_option(agg, MEDTONE_AGG_ALERT_WINDOW, s.window);
    if (s.threshold) medtone_aggregator_set_option(agg, MEDTONE_AGG_ALERT_THRESHOLD, s.threshold);
    if (s.min_volume) medtone_aggregator_set_option(agg, MEDTONE_AGG_MIN_VOLUME, s.min_volume);
    if (medtone_aggregator_alerts(agg, &alerts) != MEDTONE_OK) {
        cli_error("report", "out of memory");
        status = CLI_FAIL;
        goto done;
    }
    r.rp.ents = ents;
    r.rp.agg = agg;
    r.rp.alerts = alerts;
    r.rp.an = an;
    r.rp.inputs = names;
    r.rp.nstates = s.nloads;
    r.rp.ninputs = npaths;

    /* what could not be aggregated goes to stderr too, so that it is never missed */
    static const char *const what[ROW_KINDS] = {"",
                                                "",
                                                "without a timestamp",
                                                "with a bad timestamp",
                                                "malformed (not a JSON object with \"text\")",
                                                "that could not be analyzed"};
    for (int k = ROW_NO_TIME; k < ROW_KINDS; k++)
        if (r.rp.count[k])
            cli_error("report", "%zu post%s %s, not aggregated (first: %s)", r.rp.count[k],
                      r.rp.count[k] == 1 ? "" : "s", what[k], r.rp.first[k]);

    if (s.save && medtone_aggregator_save(agg, s.save) != MEDTONE_OK) {
        cli_error("report", "%s", medtone_aggregator_last_error(agg));
        status = CLI_FAIL;
    }
    if (s.json)
        print_json(stdout, &r.rp);
    else
        print_summary(stdout, &r.rp, npaths);
    if (s.html) {
        if (npaths && collect_posts(&r.rp, paths, names, npaths) != 0)
            cli_error("report", "could not collect the texts of the alert posts: %s",
                      strerror(errno ? errno : ENOMEM));
        FILE *out = fopen(s.html, "w");
        if (!out) {
            cli_error("report", "%s: %s", s.html, strerror(errno));
            status = CLI_FAIL;
        } else {
            int w = report_write_html(&r.rp, out);
            if (fclose(out) != 0 || w != 0) {
                cli_error("report", "%s: cannot write: %s", s.html, strerror(errno));
                status = CLI_FAIL;
            }
        }
    }
    if (fflush(stdout) != 0) {
        cli_error("report", "cannot write the output: %s", strerror(errno));
        status = CLI_FAIL;
    }
    if (r.rp.count[ROW_MALFORMED] || r.rp.count[ROW_FAILED]) status = CLI_FAIL;

done:
    free_report_posts(&r.rp);
    for (int k = 0; r.jobs && k < r.threads; k++) {
        medtone_result_free(r.jobs[k].res);
        medtone_aggregator_free(r.jobs[k].agg);
        sb_free(&r.jobs[k].text);
        sb_free(&r.jobs[k].id);
        sb_free(&r.jobs[k].pid);
        sb_free(&r.jobs[k].scratch);
    }
    free(r.jobs);
    medtone_alerts_free(alerts);
    medtone_aggregator_free(agg);
    medtone_analyzer_free(an);
    medtone_entities_free(ents);
    if (spooled) {
        unlink(spooled);
        free(spooled);
    }
    free(paths);
    free(names);
    return status;
}
