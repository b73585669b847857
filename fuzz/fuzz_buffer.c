/*
 * fuzz_buffer.c - taq_parse_buffer over arbitrary bytes, in either format.
 *
 * Input: byte 0 picks the format (bit 0) and the first line number (the
 * rest); byte 1 is the length of a relpath taken from the next bytes (up to
 * 3 x 255, cut at a NUL); everything after that is the buffer.
 * The harness splits the buffer into lines on its own (only the '\r' of a
 * "\r\n" is line end; a lone '\r' is content, as line.c documents) and
 * replays each line through taq_parse_line, so it knows exactly what the
 * batch must hold. Checked:
 *  - lines returned == lines counted == trades + quotes + rejects + blank,
 *    and the vectors have as many rows as the counts say;
 *  - events and rejects appear in line order with the right line numbers,
 *    each event is the one taq_parse_line gives and obeys the SPEC rules;
 *  - each reject row: a reason from the vocabulary, the line's text with
 *    its line end removed (never the '\r' of a "\r\n"), cut to 1023 bytes and
 *    NUL-padded, and the file name as stored (whole, or "..." + a tail that
 *    starts on a UTF-8 character boundary).
 */
#include <string.h>

#include "fuzz_check.h"

static void check_file_name(const char file[TAQ_REJECT_FILE_LEN], const char *rel)
{
    const size_t n = strlen(rel);
    const size_t fn = strnlen(file, TAQ_REJECT_FILE_LEN);
    FUZZ_REQUIRE(fn < TAQ_REJECT_FILE_LEN);
    for (size_t i = fn; i < TAQ_REJECT_FILE_LEN; i++)
        FUZZ_REQUIRE(file[i] == '\0');
    if (n < TAQ_REJECT_FILE_LEN) {
        FUZZ_REQUIRE(fn == n && memcmp(file, rel, n) == 0);
        return;
    }
    FUZZ_REQUIRE(fn >= 3 && memcmp(file, "...", 3) == 0);
    const char *tail = file + 3;
    const size_t tn = fn - 3;
    FUZZ_REQUIRE(tn <= n && memcmp(tail, rel + n - tn, tn) == 0);
    FUZZ_REQUIRE(tn == 0 || ((unsigned char)tail[0] & 0xC0) != 0x80);
    /* only continuation bytes were skipped to reach that boundary */
    for (size_t i = n - (TAQ_REJECT_FILE_LEN - 4); i < n - tn; i++)
        FUZZ_REQUIRE(((unsigned char)rel[i] & 0xC0) == 0x80);
}

static void check_reject(const taq_reject_t *rj, int64_t lineno, taq_reject_reason_t r,
                         const char *line, size_t len, const char *rel)
{
    FUZZ_REQUIRE(rj->line == lineno);
    FUZZ_REQUIRE(strnlen(rj->reason, TAQ_REJECT_REASON_LEN) < TAQ_REJECT_REASON_LEN);
    FUZZ_REQUIRE(fuzz_reason_known(rj->reason));
    FUZZ_REQUIRE(strcmp(rj->reason, taq_reject_reason_name(r)) == 0);
    const size_t keep = len < TAQ_REJECT_TEXT_LEN ? len : TAQ_REJECT_TEXT_LEN - 1;
    FUZZ_REQUIRE(memcmp(rj->text, line, keep) == 0);
    for (size_t i = keep; i < TAQ_REJECT_TEXT_LEN; i++)
        FUZZ_REQUIRE(rj->text[i] == '\0');
    check_file_name(rj->file, rel);
}

/* Replays buf line by line and compares with what taq_parse_buffer stored in b. */
static void replay(const taq_line_ctx_t *ctx, const char *rel, const char *buf, size_t len,
                   int64_t first, int64_t nlines, const taq_batch_t *b)
{
    const taq_event_t *evs = b->events.data;
    const taq_reject_t *rjs = b->rejects.data;
    size_t ie = 0, ir = 0, pos = 0;
    int64_t lineno = first, blank = 0, trades = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        const size_t stop = nl ? (size_t)(nl - buf) : len;
        size_t n = stop - pos;
        if (nl && n > 0 && buf[stop - 1] == '\r')
            n--;
        const char *line = buf + pos;
        taq_event_t ev;
        memset(&ev, 0, sizeof ev);
        const taq_reject_reason_t r = n == 0 ? TAQ_REJ_NONE : taq_parse_line(ctx, line, n, &ev);
        if (n == 0) {
            blank++;
        } else if (r == TAQ_REJ_NONE) {
            FUZZ_REQUIRE(ie < b->events.len);
            ev.line = lineno;
            FUZZ_REQUIRE(memcmp(&evs[ie], &ev, sizeof ev) == 0);
            fuzz_check_event(&evs[ie], ctx);
            trades += ev.kind == TAQ_KIND_TRADE;
            ie++;
        } else {
            FUZZ_REQUIRE(ir < b->rejects.len);
            check_reject(&rjs[ir++], lineno, r, line, n, rel);
        }
        lineno++;
        pos = stop + 1;
    }
    FUZZ_REQUIRE(lineno - first == nlines);
    FUZZ_REQUIRE(ie == b->events.len && ir == b->rejects.len);
    FUZZ_REQUIRE(b->counts.blank == blank && b->counts.trades == trades);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const taq_line_ctx_t ctx = fuzz_ctx(data[0] & 1 ? TAQ_FORMAT_JSON : TAQ_FORMAT_CSV);
    const int64_t first = 1 + (data[0] >> 1);
    size_t rl = (size_t)data[1] * 3;
    rl = rl < size - 2 ? rl : size - 2;
    char rel[3 * 255 + 1];
    memcpy(rel, data + 2, rl);
    rel[rl] = '\0';
    const char *buf = (const char *)data + 2 + rl;
    const size_t len = size - 2 - rl;

    taq_batch_t b;
    taq_batch_init(&b);
    const int64_t n = taq_parse_buffer(&ctx, rel, buf, len, first, &b);
    const taq_counts_t *k = &b.counts;
    FUZZ_REQUIRE(n == k->lines);
    FUZZ_REQUIRE(k->lines == k->trades + k->quotes + k->rejects + k->blank);
    FUZZ_REQUIRE((size_t)(k->trades + k->quotes) == b.events.len);
    FUZZ_REQUIRE((size_t)k->rejects == b.rejects.len);
    FUZZ_REQUIRE(k->superseded == 0);
    replay(&ctx, rel, buf, len, first, n, &b);
    taq_batch_free(&b);
    return 0;
}
