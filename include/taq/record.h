/*
 * record.h - the common event schema and the output row layouts.
 *
 * A parsed line becomes a taq_event_t (trade or quote). After the EOD load
 * and the analytics, events become the rows of the four HDF5 datasets; the
 * row structs below are also the in-memory layout the HDF5 module writes.
 * symbol and exchange are NUL-padded and not necessarily NUL-terminated
 * (a 16-byte symbol fills its field): compare them with memcmp.
 */
#ifndef TAQ_RECORD_H
#define TAQ_RECORD_H

#include <stdint.h>

#define TAQ_SYMBOL_LEN 16
#define TAQ_EXCHANGE_LEN 8
#define TAQ_REJECT_FILE_LEN 256
#define TAQ_REJECT_REASON_LEN 16
#define TAQ_REJECT_TEXT_LEN 1024
#define TAQ_MAX_LINE 65536

typedef enum taq_kind {
    TAQ_KIND_TRADE = 'T',
    TAQ_KIND_QUOTE = 'Q',
} taq_kind_t;

/*
 * Bounds of the packed fields of taq_event_t: physical lines per file and
 * files per date. The scan refuses a date with more files, the load a file
 * with more lines, each with a message; nothing is ever cut silently.
 */
#define TAQ_EVENT_LINE_BITS 36
#define TAQ_EVENT_FILE_BITS 20
#define TAQ_MAX_EVENT_LINE (((int64_t)1 << TAQ_EVENT_LINE_BITS) - 1)
#define TAQ_MAX_DATE_FILES ((1u << TAQ_EVENT_FILE_BITS) - 1u)

/*
 * One valid trade or quote, as parsed: 88 bytes. A day is billions of
 * these and the first touch of their memory is the dearest thing a rank
 * does, so the bookkeeping is packed into one word, and trade_dt is not
 * stored: every kept record has its folder's date (date_mismatch rejects
 * the others), and a batch holds one date.
 */
typedef struct taq_event {
    char symbol[TAQ_SYMBOL_LEN];
    char exchange[TAQ_EXCHANGE_LEN];
    int64_t event_tm;     /* ns since 1970-01-01, wall clock */
    int64_t event_seq_nb;
    int64_t arrival_tm;   /* ns; the correction with the latest arrival wins */
    double price;         /* trade_pr (trade) or bid_pr (quote) */
    int64_t size;         /* trade_size (trade) or bid_size (quote) */
    double ask_pr;        /* quote only; 0 for trades */
    int64_t ask_size;     /* quote only; 0 for trades */
    uint64_t line : TAQ_EVENT_LINE_BITS;     /* 1-based physical line in its file */
    uint64_t file_idx : TAQ_EVENT_FILE_BITS; /* its file's place in the date's sorted list */
    uint64_t kind : 8;                       /* TAQ_KIND_TRADE or TAQ_KIND_QUOTE */
} taq_event_t;
_Static_assert(sizeof(taq_event_t) == 88, "taq_event_t packs its bookkeeping into one word");

/* A (symbol, exchange) pair, compared with memcmp over its 24 bytes. */
typedef struct taq_pair {
    char symbol[TAQ_SYMBOL_LEN];
    char exchange[TAQ_EXCHANGE_LEN];
} taq_pair_t;

/* Row of /trade. */
typedef struct taq_trade_row {
    char symbol[TAQ_SYMBOL_LEN];
    char exchange[TAQ_EXCHANGE_LEN];
    int64_t event_tm;
    int64_t event_seq_nb;
    int64_t arrival_tm;
    double trade_pr;
    int64_t trade_size;
    double mov_avg_pr;
} taq_trade_row_t;

/* Row of /quote. */
typedef struct taq_quote_row {
    char symbol[TAQ_SYMBOL_LEN];
    char exchange[TAQ_EXCHANGE_LEN];
    int64_t event_tm;
    int64_t event_seq_nb;
    int64_t arrival_tm;
    double bid_pr;
    int64_t bid_size;
    double ask_pr;
    int64_t ask_size;
} taq_quote_row_t;

/* Row of /quote_final. NaN where no trade or no previous close exists. */
typedef struct taq_final_row {
    char symbol[TAQ_SYMBOL_LEN];
    char exchange[TAQ_EXCHANGE_LEN];
    int64_t event_tm;
    int64_t event_seq_nb;
    double bid_pr;
    int64_t bid_size;
    double ask_pr;
    int64_t ask_size;
    double last_trade_pr;
    double last_mov_avg_pr;
    double bid_pr_mv;
    double ask_pr_mv;
} taq_final_row_t;

/* Row of /rejects: a line that is not a valid trade or quote. */
typedef struct taq_reject {
    char file[TAQ_REJECT_FILE_LEN];     /* path relative to --input, NUL-padded */
    int64_t line;                       /* 1-based physical line */
    char reason[TAQ_REJECT_REASON_LEN]; /* one word of the SPEC 1.2 vocabulary */
    char text[TAQ_REJECT_TEXT_LEN];     /* the raw line, \r removed, first 1 KiB */
} taq_reject_t;

/* Line accounting of one date: lines == trades + quotes + rejects + blank. */
typedef struct taq_counts {
    int64_t lines;
    int64_t trades;     /* valid trade lines, before dedupe */
    int64_t quotes;     /* valid quote lines, before dedupe */
    int64_t rejects;
    int64_t blank;
    int64_t superseded; /* records replaced by a later arrival with the same key */
} taq_counts_t;

#endif /* TAQ_RECORD_H */
