// The taqmpi pipeline (SPEC 1-3) in DuckDB, for bench/run.
//   node pipeline.mjs --input DIR --date YYYY-MM-DD --prev YYYY-MM-DD --out FILE.parquet
//                     [--threads N] [--sample K]
// Reads the raw capstone files of both dates, keeps the valid records,
// dedupes, computes the moving average, the previous close and the as-of
// join, and writes quote_final (sorted like taqmpi's) to a parquet file.
// Prints one JSON object on stdout: seconds per stage, counts, aggregates of
// quote_final and K evenly spaced sample rows (for the agreement check).
import { existsSync, readdirSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) =>
  (v.startsWith('--') ? a.concat([[v.slice(2), all[i + 1]]]) : a), []));
for (const k of ['input', 'date', 'prev', 'out'])
  if (!args[k]) { console.error(`pipeline.mjs: --${k} is required`); process.exit(2); }
const sq = (s) => `'${String(s).replaceAll("'", "''")}'`;
const input = args.input.replace(/\/+$/, '');
const sample = Number(args.sample ?? 20);

const t0 = performance.now();
const inst = await DuckDBInstance.create(':memory:',
  args.threads ? { threads: String(args.threads) } : {});
const con = await inst.connect();
const stages = {};
let last = performance.now();
const stage = async (name, sql) => {
  await con.run(sql);
  const now = performance.now();
  stages[name] = (now - last) / 1000;
  last = now;
};
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJS();

// The data files of both dates (SPEC 1.1: <input>/<fmt>/<date>/<EXCHANGE>/*.txt).
const files = (fmt) => [args.date, args.prev].flatMap((d) => {
  const dir = `${input}/${fmt}/${d}`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) =>
    readdirSync(`${dir}/${e.name}`).filter((f) => f.endsWith('.txt')).sort().map((f) => `${dir}/${e.name}/${f}`));
});
const globs = (fmt) => `[${files(fmt).map(sq).join(', ')}]`;
const folderDt = `regexp_extract(filename, '/([0-9]{4}-[0-9]{2}-[0-9]{2})/[^/]+/[^/]+$', 1)`;

// Every record as text in one layout: p1,s1 = price,size (T) or bid_pr,bid_size (Q);
// p2,s2 = ask_pr,ask_size (Q only). NULL = missing.
// CSV: 12 VARCHAR columns, short lines padded with NULL; empty fields stay ''
// (nullstr is a byte that never occurs). A 12th field means too many fields
// (field_count, or taqgen's line_too_long); with strict mode off DuckDB cuts
// longer lines to 12 fields, or drops them (ignore_errors).
// A file may mix LF and CR LF: DuckDB takes one line end per file (strict
// mode off lets it read on), so the last field of a line loses its CR here.
const csv = `
  SELECT filename, ${folderDt} AS folder_dt,
         c0 AS trade_dt, c1 AS arrival, c2 AS typ, c3 AS symbol, c4 AS event_tm,
         c5 AS seq, c6 AS exchange, c7 AS p1,
         CASE WHEN c2 = 'T' THEN rtrim(c8, chr(13)) ELSE c8 END AS s1,
         CASE WHEN c2 = 'T' THEN NULL ELSE c9 END AS p2,
         CASE WHEN c2 = 'T' THEN NULL ELSE rtrim(c10, chr(13)) END AS s2,
         c11 IS NULL AND CASE WHEN c2 = 'T' THEN c9 IS NULL AND c10 IS NULL
                              ELSE c10 IS NOT NULL END AS shape_ok,
         TRUE AS num_ok
  FROM read_csv(${globs('csv')}, header = false, delim = ',', quote = '', escape = '',
                nullstr = '\x02', null_padding = true, ignore_errors = true, strict_mode = false,
                filename = true, auto_detect = false,
                columns = {c0:'VARCHAR', c1:'VARCHAR', c2:'VARCHAR', c3:'VARCHAR',
                           c4:'VARCHAR', c5:'VARCHAR', c6:'VARCHAR', c7:'VARCHAR',
                           c8:'VARCHAR', c9:'VARCHAR', c10:'VARCHAR', c11:'VARCHAR'})`;
// JSON lines: read each line whole (so its length is known: line_too_long),
// then pick the keys; strings must be JSON strings, numbers JSON numbers.
const jkeys = ['trade_dt', 'file_tm', 'event_type', 'symbol', 'event_tm', 'event_seq_nb',
  'exchange', 'price', 'size', 'bid_pr', 'bid_size', 'ask_pr', 'ask_size'];
const J = (k) => `j[${jkeys.indexOf(k) + 1}]`;
const jstr = (k) => `CASE WHEN json_type(${J(k)}) = 'VARCHAR' THEN ${J(k)} ->> '$' END`;
const jnum = (k) => `CASE WHEN json_type(${J(k)}) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN ${J(k)}::VARCHAR END`;
const jint = (k) => `CASE WHEN json_type(${J(k)}) IN ('BIGINT', 'UBIGINT') THEN ${J(k)}::VARCHAR END`;
const json = `
  SELECT filename, ${folderDt} AS folder_dt,
         ${jstr('trade_dt')} AS trade_dt, ${jstr('file_tm')} AS arrival,
         ${jstr('event_type')} AS typ, ${jstr('symbol')} AS symbol,
         ${jstr('event_tm')} AS event_tm, ${jint('event_seq_nb')} AS seq,
         ${jstr('exchange')} AS exchange,
         CASE WHEN ${jstr('event_type')} = 'T' THEN ${jnum('price')} ELSE ${jnum('bid_pr')} END AS p1,
         CASE WHEN ${jstr('event_type')} = 'T' THEN ${jint('size')} ELSE ${jint('bid_size')} END AS s1,
         CASE WHEN ${jstr('event_type')} = 'T' THEN NULL ELSE ${jnum('ask_pr')} END AS p2,
         CASE WHEN ${jstr('event_type')} = 'T' THEN NULL ELSE ${jint('ask_size')} END AS s2,
         TRUE AS shape_ok, TRUE AS num_ok
  FROM (SELECT filename, json_extract(line, [${jkeys.map((k) => sq('$.' + k)).join(', ')}]) AS j
        FROM read_csv(${globs('json')}, header = false, delim = '\x01', quote = '', escape = '',
                      nullstr = '\x02', ignore_errors = true, strict_mode = false, filename = true,
                      auto_detect = false, max_line_size = 4194304,
                      columns = {line:'VARCHAR'})
        WHERE strlen(rtrim(line, chr(13))) <= 65536 AND json_valid(line) AND json_type(line) = 'OBJECT')`;

const TS = `'[0-9]{4}-[0-9]{2}-[0-9]{2}[ T]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?'`;
const ts = (x) => `TRY_CAST(replace(${x}, 'T', ' ') AS TIMESTAMP_NS)`;
const tsOk = (x) => `(regexp_full_match(${x}, ${TS}) AND ${ts(x)} IS NOT NULL)`;
const DEC = `'-?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?'`;
const prOk = (x) => `(regexp_full_match(${x}, ${DEC}) AND isfinite(TRY_CAST(${x} AS DOUBLE)) AND TRY_CAST(${x} AS DOUBLE) >= 0)`;
const intOk = (x) => `(regexp_full_match(${x}, '-?[0-9]+') AND TRY_CAST(${x} AS BIGINT) >= 0)`;
const valid = `
  shape_ok AND typ IN ('T', 'Q')
  AND regexp_full_match(symbol, '[!-~]{1,16}') AND regexp_full_match(exchange, '[!-~]{1,8}')
  AND ${tsOk('arrival')} AND ${tsOk('event_tm')}
  AND ${intOk('seq')} AND ${prOk('p1')} AND ${intOk('s1')}
  AND (typ = 'T' OR (${prOk('p2')} AND ${intOk('s2')}))
  AND regexp_full_match(trade_dt, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND TRY_CAST(trade_dt AS DATE) IS NOT NULL
  AND trade_dt = folder_dt`;

// 1. load: read, parse, keep valid records (both dates).
await stage('load', `
  CREATE TEMP TABLE rec AS
  SELECT filename, trade_dt, typ, symbol, exchange,
         epoch_ns(${ts('event_tm')}) AS event_tm, epoch_ns(${ts('arrival')}) AS arrival_tm,
         seq::BIGINT AS seq, p1::DOUBLE AS p1, s1::BIGINT AS s1, p2::DOUBLE AS p2, s2::BIGINT AS s2
  FROM (${[files('csv').length && csv, files('json').length && json].filter(Boolean).join(' UNION ALL BY NAME ')
         || 'SELECT NULL::VARCHAR AS filename, NULL::VARCHAR AS folder_dt, NULL::VARCHAR AS trade_dt, NULL::VARCHAR AS arrival, NULL::VARCHAR AS typ, NULL::VARCHAR AS symbol, NULL::VARCHAR AS event_tm, NULL::VARCHAR AS seq, NULL::VARCHAR AS exchange, NULL::VARCHAR AS p1, NULL::VARCHAR AS s1, NULL::VARCHAR AS p2, NULL::VARCHAR AS s2, FALSE AS shape_ok, FALSE AS num_ok WHERE FALSE'})
  WHERE coalesce(${valid}, FALSE)`);
// 2. eod: one record per key, latest arrival, then later file (line order: see bench/README).
await stage('eod', `
  CREATE TEMP TABLE eod AS
  SELECT * EXCLUDE (filename) FROM rec
  QUALIFY row_number() OVER (PARTITION BY trade_dt, typ, symbol, exchange, event_tm, seq
                             ORDER BY arrival_tm DESC, filename DESC) = 1`);
// 3. analytics: moving average (RANGE includes every trade at exactly t),
//    previous close, as-of join on the composite key (event_tm, seq).
await stage('analytics', `
  CREATE TEMP TABLE quote_final AS
  WITH t AS (
    SELECT symbol, exchange, event_tm, seq, p1 AS trade_pr,
           avg(p1) OVER (PARTITION BY symbol, exchange ORDER BY event_tm
                         RANGE BETWEEN 1800000000000 PRECEDING AND CURRENT ROW) AS mov_avg_pr,
           event_tm::HUGEINT * 9223372036854775808 + seq AS k
    FROM eod WHERE typ = 'T' AND trade_dt = ${sq(args.date)}),
  q AS (
    SELECT symbol, exchange, event_tm, seq, p1 AS bid_pr, s1 AS bid_size, p2 AS ask_pr, s2 AS ask_size,
           event_tm::HUGEINT * 9223372036854775808 + seq AS k
    FROM eod WHERE typ = 'Q' AND trade_dt = ${sq(args.date)}),
  c AS (
    SELECT symbol, exchange, arg_max(p1, event_tm::HUGEINT * 9223372036854775808 + seq) AS close_pr
    FROM eod WHERE typ = 'T' AND trade_dt = ${sq(args.prev)} GROUP BY ALL)
  SELECT q.symbol, q.exchange, q.event_tm, q.seq AS event_seq_nb, q.bid_pr, q.bid_size,
         q.ask_pr, q.ask_size, t.trade_pr AS last_trade_pr, t.mov_avg_pr AS last_mov_avg_pr,
         q.bid_pr - c.close_pr AS bid_pr_mv, q.ask_pr - c.close_pr AS ask_pr_mv
  FROM q ASOF LEFT JOIN t ON q.symbol = t.symbol AND q.exchange = t.exchange AND q.k >= t.k
         LEFT JOIN c ON q.symbol = c.symbol AND q.exchange = c.exchange`);
// 4. write, in taqmpi's row order (VARCHAR compares by bytes).
await stage('write', `
  COPY (SELECT * FROM quote_final ORDER BY symbol, exchange, event_tm, event_seq_nb)
  TO ${sq(args.out)} (FORMAT parquet)`);
const wall = (performance.now() - t0) / 1000;

// Not timed: what the agreement check needs.
const [cnt] = await rows(`
  SELECT (SELECT count(*) FROM rec WHERE trade_dt = ${sq(args.date)} AND typ = 'T') AS trades,
         (SELECT count(*) FROM rec WHERE trade_dt = ${sq(args.date)} AND typ = 'Q') AS quotes,
         count(*) AS quote_final,
         sum(last_trade_pr) AS sum_last_trade_pr,
         count(*) - count(last_trade_pr) AS nan_last_trade_pr,
         sum(last_mov_avg_pr) AS sum_last_mov_avg_pr,
         sum(bid_pr_mv) AS sum_bid_pr_mv,
         count(*) - count(bid_pr_mv) AS nan_bid_pr_mv,
         sum(ask_pr_mv) AS sum_ask_pr_mv
  FROM quote_final`);
const n = Number(cnt.quote_final);
const idx = [...new Set(Array.from({ length: Math.min(sample, n) }, (_, i) =>
  Math.floor(i * (n - 1) / Math.max(1, Math.min(sample, n) - 1))))];
const samp = idx.length ? await rows(`
  SELECT * FROM (SELECT row_number() OVER (ORDER BY symbol, exchange, event_tm, event_seq_nb) - 1 AS row, *
                 FROM quote_final) WHERE row IN (${idx.join(',')}) ORDER BY row`) : [];
const big = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) =>
  [k, typeof v === 'bigint' ? Number(v) : v]));
console.log(JSON.stringify({
  tool: 'duckdb', wall, stages, threads: Number((await rows(`SELECT current_setting('threads') AS t`))[0].t),
  counts: big(cnt), sample: samp.map((r) => ({ ...big(r), event_tm: String(r.event_tm) })),
}));
