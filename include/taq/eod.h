/*
 * eod.h - end-of-day load: corrections resolved, latest arrival wins.
 */
#ifndef TAQ_EOD_H
#define TAQ_EOD_H

#include <stddef.h>
#include <stdint.h>

#include "taq/record.h"

/*
 * Key: (trade_dt, kind, symbol, exchange, event_tm, event_seq_nb); the
 * events of one call share their trade_dt (one date's batch), so it is not
 * compared. Among the events with one key the one with the greatest
 * arrival_tm wins; on equal arrival_tm the one later in input order
 * (file_idx, then line) wins.
 *
 * IN/OUT ev, *n: sorted in place by (symbol, exchange, event_tm, event_seq_nb,
 * kind) and compacted to the winners; *n becomes their count.
 * Returns the number of superseded events (old *n - new *n).
 */
int64_t taq_eod_dedupe(taq_event_t *ev, size_t *n);

/*
 * The same without moving anything: OUT *order (owned, free()) holds the
 * indices into ev of the *kept winners, in the order taq_eod_dedupe would
 * leave them. ev is not modified. Returns the superseded count. n < 2^32.
 */
int64_t taq_eod_order(const taq_event_t *ev, size_t n, uint32_t **order, size_t *kept);

#endif /* TAQ_EOD_H */
