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

/* One valid trade or quote, as parsed. */
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
    int64_t line;         /* 1-based physical line in its file */
    uint32_t file_idx;    /* position of its file in the date's sorted file list */
    int32_t trade_dt;     /* days since 1970-01-01 */
    char kind;            /* TAQ_KIND_TRADE or TAQ_KIND_QUOTE */
    char pad_[7];
} taq_event_t;

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
