/* cmd_batch.c — `medtone batch`: scores many posts into JSON lines, in input order, on all cores.
 *
 * Input (files or standard input, plain or .gz): one text per line, JSON lines with a "text"
 * member (and an optional "id"), or TSV with a header naming a "text" column (and optionally
 * "id"). The main thread reads a chunk of lines; worker threads each score a contiguous slice
 * into their own output buffer; the buffers are written in order, so output order is input order
 * whatever the thread count. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "flags_out.h"
#include "jsonl.h"
#include "strbuf.h"

enum format { FMT_AUTO, FMT_LINES, FMT_JSONL, FMT_TSV };

#define CHUNK_LINES 8192
#define CHUNK_BYTES (8u << 20)
#define MAX_THREADS 256

typedef struct line_ref {
    size_t off, len; /* in the chunk's byte store */
    size_t lineno;
} line_ref;

typedef struct chunk {
    strbuf bytes;
    line_ref *lines;
    size_t n, cap;
} chunk;

typedef struct job {
    const medtone_analyzer *an;
    medtone_result *res;
    const chunk *ch;
    size_t from, to;
    enum format fmt;
    int id_col, text_col; /* TSV columns */
    const char *path;
    strbuf out, text, id;
    size_t errors;
    int explain;
    int only_flagged;          /* write only posts with a fired flag (of the mask, if any) */
    const unsigned char *mask; /* --flag NAME: the flags that count, or NULL for all */
} job;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: medtone batch [options] [FILE...]\n"
            "Scores every post of the FILEs (or standard input; plain or .gz) and writes one JSON\n"
            "object per post, in input order.\n\n"
            "options:\n"
            "      --format F           auto (default) | lines | jsonl | tsv\n"
            "                           lines: one text per line, id = line number;\n"
            "                           jsonl: objects with \"text\" and optional \"id\";\n"
            "                           tsv: a header naming a \"text\" (and \"id\") column\n"
            "  -t, --threads N          worker threads (default: all cores)\n"
            "  -e, --explain            add the terms behind each score\n"
            "      --only-flagged       write only posts that fired a flag\n"
            "      --flag NAME          write only posts that fired this flag (repeatable)\n"
            "      --progress           show progress on stderr (default: when it is a terminal)\n"
            "  -o, --output FILE        write to FILE instead of standard output\n");
    fputs(cli_lexicon_help, out);
    fprintf(out, "  -h, --help               show this help\n"
                 "Malformed rows produce {\"id\":..., \"error\":...} and exit status 1.\n");
}

static void write_result(job *j, const char *text, size_t len, size_t row_start)
{
    const medtone_result *r = j->res;
    double c = medtone_result_compound(r);
    strbuf *o = &j->out;
    if (j->only_flagged && !cli_flags_any_fired(r, j->mask)) {
        o->len = row_start; /* drop the row begun for this post */
        return;
    }
    sb_printf(o, ",\"compound\":%.4f,\"positive\":%.3f,\"neutral\":%.3f,\"negative\":%.3f", c,
              medtone_result_positive(r), medtone_result_neutral(r), medtone_result_negative(r));
    sb_puts(o, c >= 0.05    ? ",\"label\":\"positive\""
               : c <= -0.05 ? ",\"label\":\"negative\""
                            : ",\"label\":\"neutral\"");
    if (j->explain) {
        sb_puts(o, ",\"terms\":[");
        size_t n = medtone_result_term_count(r);
        for (size_t i = 0; i < n; i++) {
            size_t off = medtone_result_term_offset(r, i), tl = medtone_result_term_length(r, i);
            sb_printf(o, "%s{\"offset\":%zu,\"length\":%zu,\"text\":", i ? "," : "", off, tl);
            sb_json_string(o, text + off, off + tl <= len ? tl : 0);
            sb_puts(o, ",\"entry\":");
            const char *e = medtone_result_term_entry(r, i);
            sb_json_string(o, e, strlen(e));
            sb_puts(o, ",\"layer\":");
            const char *l = medtone_result_term_layer(r, i);
            sb_json_string(o, l, strlen(l));
            sb_printf(o, ",\"contribution\":%.4f}", medtone_result_term_contribution(r, i));
        }
        sb_puts(o, "]");
    }
    cli_flags_json(o, r, text, len);
    sb_puts(o, "}\n");
}

static void error_row(job *j, const char *msg)
{
    sb_printf(&j->out, ",\"error\":\"%s\"}\n", msg);
    j->errors++;
}

static void *run_job(void *arg)
{
    job *j = arg;
    for (size_t k = j->from; k < j->to; k++) {
        const line_ref *lr = &j->ch->lines[k];
        const char *line = j->ch->bytes.s + lr->off, *text = line;
        size_t len = lr->len, tlen = len, row_start = j->out.len;
        sb_puts(&j->out, "{\"id\":");
        if (j->fmt == FMT_JSONL) {
            j->id.len = 0;
            j->text.len = 0;
            int rc = jsonl_fields(line, len, &j->text, &j->id);
            if (j->id.len)
                sb_append(&j->out, j->id.s, j->id.len);
            else
                sb_printf(&j->out, "%zu", lr->lineno);
            if (rc != 0 || j->text.oom) {
                error_row(j, rc == -2 ? "no \\\"text\\\" string member" : "malformed JSON");
                continue;
            }
            text = j->text.s ? j->text.s : "";
            tlen = j->text.len;
        } else if (j->fmt == FMT_TSV) {
            const char *id;
            size_t idl;
            if (j->id_col >= 0 && cli_tsv_column(line, len, j->id_col, &id, &idl) == 0)
                sb_json_string(&j->out, id, idl);
            else
                sb_printf(&j->out, "%zu", lr->lineno);
            if (cli_tsv_column(line, len, j->text_col, &text, &tlen) != 0) {
                error_row(j, "missing text column");
                continue;
            }
        } else {
            sb_printf(&j->out, "%zu", lr->lineno);
        }
        medtone_status st = medtone_analyze(j->an, text, tlen, j->res);
        if (st != MEDTONE_OK) {
            error_row(j, medtone_status_str(st));
            continue;
        }
        write_result(j, text, tlen, row_start);
    }
    return NULL;
}

/* Finds the TSV header's id and text columns. */
static int tsv_header(const char *line, size_t len, int *id_col, int *text_col)
{
    *id_col = cli_tsv_find_column(line, len, "id");
    *text_col = cli_tsv_find_column(line, len, "text");
    return *text_col >= 0 ? 0 : -1;
}

typedef struct progress {
    int on;
    size_t texts, bytes;
    struct timespec start;
} progress;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void show_progress(const progress *p, int final)
{
    if (!p->on) return;
    double s = seconds_since(&p->start);
    fprintf(stderr, "\rmedtone batch: %zu texts, %.1f MB, %.1f MB/s, %.0f texts/s%s", p->texts,
            (double)p->bytes / 1e6, s > 0 ? (double)p->bytes / 1e6 / s : 0,
            s > 0 ? (double)p->texts / s : 0, final ? "\n" : "");
}

typedef struct batch {
    const medtone_analyzer *an;
    job *jobs;
    int threads;
    FILE *out;
    progress prog;
    size_t errors;
    int write_failed;
} batch;

/* Scores one chunk on all threads and writes it in order. */
static int flush_chunk(batch *b, chunk *ch, enum format fmt, int id_col, int text_col,
                       const char *path)
{
    if (ch->n == 0) return 0;
    int t = b->threads;
    if ((size_t)t > ch->n) t = (int)ch->n;
    pthread_t tid[MAX_THREADS];
    int joined[MAX_THREADS] = {0};
    size_t per = (ch->n + (size_t)t - 1) / (size_t)t;
    for (int k = 0; k < t; k++) {
        job *j = &b->jobs[k];
        j->ch = ch;
        j->from = (size_t)k * per;
        j->to = j->from + per < ch->n ? j->from + per : ch->n;
        j->fmt = fmt;
        j->id_col = id_col;
        j->text_col = text_col;
        j->path = path;
        j->out.len = 0;
        if (k == 0) continue; /* the main thread takes the first slice itself */
        if (pthread_create(&tid[k], NULL, run_job, j) == 0)
            joined[k] = 1;
        else
            run_job(j); /* no thread to be had: do the work here */
    }
    run_job(&b->jobs[0]);
    for (int k = 1; k < t; k++)
        if (joined[k]) pthread_join(tid[k], NULL);
    for (int k = 0; k < t; k++) {
        job *j = &b->jobs[k];
        if (j->out.oom) {
            cli_error("batch", "out of memory");
            return -1;
        }
        if (fwrite(j->out.s, 1, j->out.len, b->out) != j->out.len) b->write_failed = 1;
        b->errors += j->errors;
        j->errors = 0;
    }
    b->prog.texts += ch->n;
    b->prog.bytes += ch->bytes.len;
    show_progress(&b->prog, 0);
    ch->n = 0;
    ch->bytes.len = 0;
    return b->write_failed ? -1 : 0;
}

static int process_file(batch *b, const char *path, enum format want)
{
    const char *name = path ? path : "<stdin>";
    cli_reader *in = cli_reader_open(path);
    if (!in) {
        cli_error("batch", "%s: %s", name, strerror(errno ? errno : ENOENT));
        return -1;
    }
    chunk ch = {0};
    enum format fmt = want;
    int id_col = -1, text_col = 0, status = 0;
    const char *line;
    long n;
    while ((n = cli_reader_line(in, &line)) >= 0) {
        size_t len = (size_t)n;
        if (fmt == FMT_AUTO) { /* decided by the first line */
            size_t k = 0;
            while (k < len && (line[k] == ' ' || line[k] == '\t'))
                k++;
            if (k < len && line[k] == '{')
                fmt = FMT_JSONL;
            else if (memchr(line, '\t', len) && tsv_header(line, len, &id_col, &text_col) == 0)
                fmt = FMT_TSV;
            else
                fmt = FMT_LINES;
            if (fmt == FMT_TSV) continue; /* that was the header */
        } else if (fmt == FMT_TSV && in->lineno == 1) {
            if (tsv_header(line, len, &id_col, &text_col) != 0) {
                cli_error("batch", "%s:1: the TSV header has no \"text\" column", name);
                status = -1;
                break;
            }
            continue;
        }
        if (fmt == FMT_JSONL && len == 0) continue; /* blank lines between objects */
        if (ch.n == ch.cap) {
            size_t ncap = ch.cap ? ch.cap * 2 : CHUNK_LINES;
            line_ref *nl = realloc(ch.lines, ncap * sizeof *nl);
            if (!nl) {
                cli_error("batch", "out of memory");
                status = -1;
                break;
            }
            ch.lines = nl;
            ch.cap = ncap;
        }
        ch.lines[ch.n].off = ch.bytes.len;
        ch.lines[ch.n].len = len;
        ch.lines[ch.n].lineno = in->lineno;
        ch.n++;
        sb_append(&ch.bytes, line, len);
        sb_append(&ch.bytes, "", 1); /* keep each text NUL-terminated for readers that want it */
        if (ch.bytes.oom) {
            cli_error("batch", "out of memory");
            status = -1;
            break;
        }
        if (ch.n >= CHUNK_LINES || ch.bytes.len >= CHUNK_BYTES) {
            if (flush_chunk(b, &ch, fmt, id_col, text_col, name) != 0) {
                status = -1;
                break;
            }
        }
    }
    if (status == 0 && (n == -2 || n == -3)) {
        cli_error("batch", "%s:%zu: %s", name, in->lineno + 1,
                  n == -2 ? "out of memory" : "corrupt or truncated gzip input");
        status = -1;
    }
    if (flush_chunk(b, &ch, fmt, id_col, text_col, name) != 0) status = -1;
    sb_free(&ch.bytes);
    free(ch.lines);
    cli_reader_close(in);
    return status;
}

int cmd_batch(int argc, char **argv)
{
    cli_lexicons lx = {.embedded = 1};
    enum format fmt = FMT_AUTO;
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    int explain = 0, progress_flag = 0, only_flagged = 0, use_mask = 0, i = 1;
    unsigned char mask[64] = {0};
    const char *out_path = NULL;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        int lo = cli_lexicon_option("batch", argc, argv, &i, &lx);
        if (lo < 0) return CLI_USAGE;
        if (lo) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return CLI_OK;
        } else if (!strcmp(a, "-e") || !strcmp(a, "--explain")) {
            explain = 1;
        } else if (!strcmp(a, "--progress")) {
            progress_flag = 1;
        } else if (!strcmp(a, "--only-flagged")) {
            only_flagged = 1;
        } else if (!strcmp(a, "--flag") && i + 1 < argc) {
            size_t idx;
            if (medtone_flag_find(argv[++i], &idx) != MEDTONE_OK || idx >= sizeof mask) {
                cli_error("batch", "unknown flag '%s'", argv[i]);
                return CLI_USAGE;
            }
            mask[idx] = 1;
            use_mask = only_flagged = 1;
        } else if ((!strcmp(a, "--format") || !strcmp(a, "-t") || !strcmp(a, "--threads") ||
                    !strcmp(a, "-o") || !strcmp(a, "--output")) &&
                   i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcmp(a, "--format")) {
                fmt = !strcmp(v, "auto")    ? FMT_AUTO
                      : !strcmp(v, "lines") ? FMT_LINES
                      : !strcmp(v, "jsonl") ? FMT_JSONL
                      : !strcmp(v, "tsv")   ? FMT_TSV
                                            : (enum format) - 1;
                if ((int)fmt < 0) {
                    cli_error("batch", "--format takes auto, lines, jsonl or tsv, not '%s'", v);
                    return CLI_USAGE;
                }
            } else if (a[1] == 't' || a[2] == 't') {
                char *end;
                threads = strtol(v, &end, 10);
                if (*end || end == v || threads < 1 || threads > MAX_THREADS) {
                    cli_error("batch", "--threads takes a number from 1 to %d, not '%s'",
                              MAX_THREADS, v);
                    return CLI_USAGE;
                }
            } else {
                out_path = v;
            }
        } else {
            cli_error("batch", "unknown option '%s' or missing value (see 'medtone batch --help')",
                      a);
            return CLI_USAGE;
        }
    }
    if (threads < 1) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;

    batch b = {.threads = (int)threads, .out = stdout};
    b.prog.on = progress_flag || isatty(2);
    clock_gettime(CLOCK_MONOTONIC, &b.prog.start);
    if (out_path && !(b.out = fopen(out_path, "w"))) {
        cli_error("batch", "%s: %s", out_path, strerror(errno));
        return CLI_FAIL;
    }
    medtone_analyzer *an = cli_make_analyzer("batch", &lx);
    int status = an ? CLI_OK : CLI_FAIL;
    b.an = an;
    b.jobs = calloc((size_t)threads, sizeof *b.jobs);
    for (int k = 0; an && b.jobs && k < threads; k++) {
        b.jobs[k].an = an;
        b.jobs[k].explain = explain;
        b.jobs[k].only_flagged = only_flagged;
        b.jobs[k].mask = use_mask ? mask : NULL;
        if (!(b.jobs[k].res = medtone_result_new())) status = CLI_FAIL;
    }
    if (!b.jobs) status = CLI_FAIL;
    if (status == CLI_OK) {
        if (i >= argc) {
            if (process_file(&b, NULL, fmt) != 0) status = CLI_FAIL;
        }
        for (; status == CLI_OK && i < argc; i++)
            if (process_file(&b, !strcmp(argv[i], "-") ? NULL : argv[i], fmt) != 0)
                status = CLI_FAIL;
    }
    show_progress(&b.prog, 1);
    if (b.errors) {
        cli_error("batch", "%zu row(s) could not be scored (see their \"error\" members)",
                  b.errors);
        if (status == CLI_OK) status = CLI_FAIL;
    }
    if (fflush(b.out) != 0 || b.write_failed) {
        cli_error("batch", "cannot write the output: %s", strerror(errno));
        status = CLI_FAIL;
    }
    if (out_path) fclose(b.out);
    for (int k = 0; b.jobs && k < threads; k++) {
        medtone_result_free(b.jobs[k].res);
        sb_free(&b.jobs[k].out);
        sb_free(&b.jobs[k].text);
        sb_free(&b.jobs[k].id);
    }
    free(b.jobs);
    medtone_analyzer_free(an);
    return status;
}
