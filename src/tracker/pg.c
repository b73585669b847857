/*
 * pg.c - the PostgreSQL tracker backend; the only file that includes libpq-fe.h.
 *
 * Same rows and semantics as the file journal (journal.c), kept in the table
 * job_tracker. One connection per run, opened by rank 0.
 *
 * Locks: a claimed date holds the session-level advisory lock
 * pg_try_advisory_lock(key), key = a 64-bit hash of job_id, until
 * taq_tracker_finish. The server drops session locks when the connection
 * ends, so a `running` row whose lock is free belongs to a run that is gone
 * and is taken over (attempt + 1). This needs a real session: a pooler in
 * transaction mode (pgbouncer) between taqmpi and the server breaks it.
 * Because the lock serialises every writer of a job_id, a claim reads the row
 * and then writes it without a transaction, and the write is an
 * UPDATE-or-INSERT that works on tables without a unique key (a seed table).
 *
 * Schema: taq_schema_version records each version applied; migrations[] go
 * from the seed's three columns (version 1) to the full row (version 2) with
 * CREATE/ALTER ... IF NOT EXISTS only, so an older table is upgraded in place
 * and never dropped. Upgrades run in one transaction under a transaction
 * advisory lock, so two runs starting at once do not race.
 *
 * Secrets: every SQL value is a parameter (PQexecParams). No message leaves
 * this file before scrub() has replaced every known password (from the
 * conninfo, raw and decoded, PGPASSWORD, and whatever libpq used, ~/.pgpass
 * included) by "***"; when the conninfo cannot even be parsed, every quoted
 * fragment of libpq's complaint is hidden too. Logs name only host, port,
 * database and user.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "taq/timeutil.h"
#include "tracker_internal.h"

/* Serialises schema upgrades across runs ("taqmpi" in ASCII, then 1). */
#define SCHEMA_LOCK_KEY "32758237093718273"

typedef struct pg {
    PGconn *conn;
    int locked; /* the advisory lock of date_job_id is held */
    char date_job_id[TAQ_JOB_TEXT];
    char date_key[24];
} pg_t;

/* ---- secrets and error text ------------------------------------------- */

enum { MAX_SECRETS = 6 };

typedef struct secrets {
    char *s[MAX_SECRETS];
    int n;
} secrets_t;

static void secrets_add(secrets_t *k, const char *s, size_t len)
{
    if (!s || len == 0 || k->n == MAX_SECRETS)
        return;
    char *copy = TAQ_MALLOC(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    k->s[k->n++] = copy;
}

static void secrets_free(secrets_t *k)
{
    for (int i = 0; i < k->n; i++) {
        explicit_bzero(k->s[i], strlen(k->s[i]));
        free(k->s[i]);
    }
    k->n = 0;
}

/* The password as written in a URI (still percent-encoded): user:PASSWORD@host. */
static void add_uri_password(secrets_t *k, const char *conninfo)
{
    const char *p = NULL;
    if (strncmp(conninfo, "postgresql://", 13) == 0)
        p = conninfo + 13;
    else if (strncmp(conninfo, "postgres://", 11) == 0)
        p = conninfo + 11;
    if (!p)
        return;
    size_t auth = strcspn(p, "/?");
    const char *at = memrchr(p, '@', auth);
    const char *colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
    if (colon)
        secrets_add(k, colon + 1, (size_t)(at - colon - 1));
}

/* What a password may look like in a message about this conninfo or connection. */
static void collect_secrets(secrets_t *k, const char *conninfo, const PGconn *conn)
{
    if (conninfo && conninfo[0]) {
        add_uri_password(k, conninfo);
        PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
        for (PQconninfoOption *o = opts; o && o->keyword; o++)
            if (strcmp(o->keyword, "password") == 0 && o->val)
                secrets_add(k, o->val, strlen(o->val));
        PQconninfoFree(opts);
    }
    const char *env = getenv("PGPASSWORD");
    if (env)
        secrets_add(k, env, strlen(env));
    const char *used = conn ? PQpass(conn) : NULL;
    if (used)
        secrets_add(k, used, strlen(used));
}

/* The longest secret that starts at s, or 0. */
static size_t secret_at(const secrets_t *k, const char *s)
{
    size_t best = 0;
    for (int i = 0; i < k->n; i++) {
        size_t n = strlen(k->s[i]);
        if (n > best && strncmp(s, k->s[i], n) == 0)
            best = n;
    }
    return best;
}

/*
 * msg with every secret replaced by "***", on one line (libpq's line breaks
 * become "; "), without a trailing newline. hide_quoted also hides the
 * contents of every "quoted" fragment. Returns a malloc'd string.
 */
static char *scrub(const char *msg, const secrets_t *k, int hide_quoted)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        TAQ_ABORT("out of memory");
    int quoted = 0;
    for (const char *p = msg; *p;) {
        size_t hit = secret_at(k, p);
        if (hit) { /* first, so a quote inside a secret changes nothing */
            fputs(quoted ? "" : "***", f);
            p += hit;
        } else if (*p == '"' && hide_quoted) {
            fputs(quoted ? "\"" : "\"***", f);
            quoted = !quoted;
            p++;
        } else if (quoted) {
            p++;
        } else if (*p == '\n' || *p == '\t') {
            p += strspn(p, "\n\t");
            if (*p)
                fputs("; ", f);
        } else {
            fputc(*p++, f);
        }
    }
    if (fclose(f) != 0 || !out)
        TAQ_ABORT("out of memory");
    return out;
}

/* taq_err_set("<what>: <msg>") with every secret scrubbed from both parts. */
static void set_error(const char *what, const char *msg, const secrets_t *k, int hide_quoted)
{
    char *w = scrub(what, k, 0), *m = scrub(msg, k, hide_quoted);
    taq_err_set("%s: %s", w, m);
    TAQ_LOG(TAQ_LOG_DEBUG, "%s", taq_errmsg());
    free(w);
    free(m);
}

/* ---- connecting --------------------------------------------------------- */

/* A connection parameter for an error message; libpq may leave one unset. */
static const char *or_default(const char *s)
{
    return s && s[0] ? s : "(default)";
}

static void connect_error(const char *conninfo, PGconn *conn)
{
    secrets_t k = {{0}, 0};
    collect_secrets(&k, conninfo, conn);
    char *what = NULL;
    if (asprintf(&what,
                 "tracker: cannot connect to PostgreSQL at host %s port %s (database %s, user %s)",
                 or_default(PQhost(conn)), or_default(PQport(conn)), or_default(PQdb(conn)),
                 or_default(PQuser(conn))) < 0)
        TAQ_ABORT("out of memory");
    set_error(what, PQerrorMessage(conn), &k, 0);
    free(what);
    secrets_free(&k);
}

/* Refuse a conninfo libpq cannot parse, without echoing any part of it. */
static taq_rc check_conninfo(const char *conninfo)
{
    if (!conninfo || !conninfo[0])
        return TAQ_OK;
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
    taq_rc rc = TAQ_OK;
    if (!opts) {
        secrets_t k = {{0}, 0};
        collect_secrets(&k, conninfo, NULL);
        set_error("tracker: the PostgreSQL connection string is not valid",
                  err ? err : "out of memory", &k, 1);
        secrets_free(&k);
        rc = TAQ_ERR_TRACKER;
    }
    PQconninfoFree(opts);
    PQfreemem(err);
    return rc;
}

/* Server notices ("relation already exists, skipping") are not for the operator. */
static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static taq_rc connect_db(const char *conninfo, PGconn **out)
{
    /* conninfo goes in as an expandable dbname so key=value and URIs both work
     * and override the defaults before it; NULL lets libpq use PG* and ~/.pgpass. */
    const char *keys[] = {"fallback_application_name", "connect_timeout", "dbname", NULL};
    const char *vals[] = {"taqmpi", getenv("PGCONNECT_TIMEOUT") ? NULL : "10",
                          conninfo && conninfo[0] ? conninfo : NULL, NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (!conn)
        TAQ_ABORT("out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
        connect_error(conninfo, conn);
        PQfinish(conn);
        return TAQ_ERR_TRACKER;
    }
    PQsetNoticeProcessor(conn, quiet_notices, NULL);
    *out = conn;
    return TAQ_OK;
}

/* ---- statements ---------------------------------------------------------- */

/*
 * Run one parameterized statement. OUT *res (NULL: not wanted) is the result,
 * to PQclear. On failure the scrubbed server message, prefixed by `what`.
 */
static taq_rc run_sql(pg_t *p, const char *what, const char *sql, int n, const char *const *vals,
                      PGresult **res)
{
    PGresult *r = PQexecParams(p->conn, sql, n, NULL, vals, NULL, NULL, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        secrets_t k = {{0}, 0};
        collect_secrets(&k, NULL, p->conn);
        char *w = NULL;
        if (asprintf(&w, "tracker (PostgreSQL): %s", what) < 0)
            TAQ_ABORT("out of memory");
        set_error(w, r ? PQresultErrorMessage(r) : PQerrorMessage(p->conn), &k, 0);
        free(w);
        secrets_free(&k);
        PQclear(r);
        return TAQ_ERR_TRACKER;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return TAQ_OK;
}

/* ---- schema ---------------------------------------------------------------- */

/* migrations[i] brings the schema from version i to i + 1. Append only. */
static const char *const migrations[] = {
    /* 1: the seed's table */
    "CREATE TABLE IF NOT EXISTS job_tracker ("
    " job_id TEXT PRIMARY KEY, job_status TEXT, updated_time TIMESTAMPTZ)",
    /* 2: what an operator needs to know about a date */
    "ALTER TABLE job_tracker"
    " ADD COLUMN IF NOT EXISTS job TEXT, ADD COLUMN IF NOT EXISTS trade_dt DATE,"
    " ADD COLUMN IF NOT EXISTS attempt BIGINT, ADD COLUMN IF NOT EXISTS started_time TIMESTAMPTZ,"
    " ADD COLUMN IF NOT EXISTS finished_time TIMESTAMPTZ, ADD COLUMN IF NOT EXISTS host TEXT,"
    " ADD COLUMN IF NOT EXISTS ranks BIGINT, ADD COLUMN IF NOT EXISTS slurm_job_id TEXT,"
    " ADD COLUMN IF NOT EXISTS version TEXT, ADD COLUMN IF NOT EXISTS lines BIGINT,"
    " ADD COLUMN IF NOT EXISTS trades BIGINT, ADD COLUMN IF NOT EXISTS quotes BIGINT,"
    " ADD COLUMN IF NOT EXISTS rejects BIGINT, ADD COLUMN IF NOT EXISTS blank BIGINT,"
    " ADD COLUMN IF NOT EXISTS superseded BIGINT, ADD COLUMN IF NOT EXISTS output_path TEXT,"
    " ADD COLUMN IF NOT EXISTS error_text TEXT",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* Inside the upgrade transaction: the version now in the database (0: none). */
static taq_rc schema_version(pg_t *p, int *version)
{
    const char *key[] = {SCHEMA_LOCK_KEY};
    TAQ_TRY(
        run_sql(p, "lock the schema", "SELECT pg_advisory_xact_lock($1::bigint)", 1, key, NULL));
    TAQ_TRY(run_sql(p, "create taq_schema_version",
                    "CREATE TABLE IF NOT EXISTS taq_schema_version (version INTEGER NOT NULL,"
                    " applied_time TIMESTAMPTZ NOT NULL DEFAULT now(), by_version TEXT)",
                    0, NULL, NULL));
    PGresult *r;
    TAQ_TRY(run_sql(p, "read the schema version",
                    "SELECT COALESCE(max(version), 0) FROM taq_schema_version", 0, NULL, &r));
    *version = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return TAQ_OK;
}

static taq_rc migrate(pg_t *p, int from)
{
    for (int v = from; v < SCHEMA_VERSION; v++) {
        char what[64], vs[16];
        snprintf(what, sizeof what, "upgrade the schema to version %d", v + 1);
        snprintf(vs, sizeof vs, "%d", v + 1);
        const char *vals[] = {vs, TAQ_VERSION};
        TAQ_TRY(run_sql(p, what, migrations[v], 0, NULL, NULL));
        TAQ_TRY(run_sql(p, what,
                        "INSERT INTO taq_schema_version (version, by_version)"
                        " VALUES ($1::integer, $2)",
                        2, vals, NULL));
    }
    if (from < SCHEMA_VERSION)
        TAQ_LOG(TAQ_LOG_INFO, "tracker: schema version %d -> %d (created or upgraded in place)",
                from, SCHEMA_VERSION);
    return TAQ_OK;
}

/* Create or upgrade the tables, all or nothing. */
static taq_rc ensure_schema(pg_t *p)
{
    TAQ_TRY(run_sql(p, "begin", "BEGIN", 0, NULL, NULL));
    int version = 0;
    taq_rc rc = schema_version(p, &version);
    if (rc == TAQ_OK && version > SCHEMA_VERSION) {
        taq_err_set("tracker: job_tracker schema version %d is newer than this taqmpi knows (%d);"
                    " use a newer taqmpi",
                    version, SCHEMA_VERSION);
        rc = TAQ_ERR_TRACKER;
    }
    if (rc == TAQ_OK)
        rc = migrate(p, version);
    if (rc == TAQ_OK)
        return run_sql(p, "commit the schema", "COMMIT", 0, NULL, NULL);
    PQclear(PQexec(p->conn, "ROLLBACK"));
    return rc;
}

/* ---- locks ------------------------------------------------------------------- */

static taq_rc lock_date(pg_t *p, const char *job_id, int *got)
{
    char key[24];
    snprintf(key, sizeof key, "%" PRId64, (int64_t)taq_tracker_lock_key(job_id));
    const char *vals[] = {key};
    PGresult *r;
    TAQ_TRY(run_sql(p, "lock the date", "SELECT pg_try_advisory_lock($1::bigint)", 1, vals, &r));
    *got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (*got) {
        p->locked = 1;
        taq_tracker_copy(p->date_job_id, sizeof p->date_job_id, job_id);
        memcpy(p->date_key, key, sizeof key);
    }
    return TAQ_OK;
}

static taq_rc unlock_date(pg_t *p)
{
    if (!p->locked)
        return TAQ_OK;
    p->locked = 0;
    p->date_job_id[0] = '\0';
    const char *vals[] = {p->date_key};
    return run_sql(p, "unlock the date", "SELECT pg_advisory_unlock($1::bigint)", 1, vals, NULL);
}

/* ---- rows -------------------------------------------------------------------- */

static int status_from(const char *s, taq_job_status_t *st)
{
    for (int i = TAQ_JOB_RUNNING; i <= TAQ_JOB_FAILED; i++)
        if (strcasecmp(s, taq_job_status_name((taq_job_status_t)i)) == 0) {
            *st = (taq_job_status_t)i;
            return 0;
        }
    return -1;
}

/* The current status and attempt of job_id. *exists 0 when there is no row. */
static taq_rc read_state(pg_t *p, const char *job_id, int *exists, taq_job_status_t *status,
                         int64_t *attempt)
{
    const char *vals[] = {job_id};
    PGresult *r;
    TAQ_TRY(run_sql(p, "read the date's row",
                    "SELECT job_status, attempt FROM job_tracker WHERE job_id = $1"
                    " ORDER BY updated_time DESC NULLS LAST LIMIT 1",
                    1, vals, &r));
    *exists = PQntuples(r) > 0;
    *status = TAQ_JOB_FAILED; /* an unknown status is not `success`: run it */
    *attempt = 0;
    if (*exists) {
        status_from(PQgetvalue(r, 0, 0), status);
        /* A seed row has no attempt count, but it was one attempt. */
        *attempt = PQgetisnull(r, 0, 1) ? 1 : strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    }
    PQclear(r);
    return TAQ_OK;
}

/* The row becomes `running` under this run: identity, attempt, zero counts. */
static const char SQL_RUNNING[] =
    "WITH u AS (UPDATE job_tracker SET job = $2, trade_dt = $3::date, job_status = 'running',"
    " attempt = $4::bigint, started_time = now(), finished_time = NULL, updated_time = now(),"
    " host = $5, ranks = $6::bigint, slurm_job_id = $7, version = $8, lines = 0, trades = 0,"
    " quotes = 0, rejects = 0, blank = 0, superseded = 0, output_path = '', error_text = ''"
    " WHERE job_id = $1 RETURNING 1)"
    " INSERT INTO job_tracker (job_id, job, trade_dt, job_status, attempt, started_time,"
    " updated_time, host, ranks, slurm_job_id, version, lines, trades, quotes, rejects, blank,"
    " superseded, output_path, error_text)"
    " SELECT $1::text, $2::text, $3::date, 'running', $4::bigint, now(), now(), $5::text,"
    " $6::bigint, $7::text, $8::text, 0, 0, 0, 0, 0, 0, '', ''"
    " WHERE NOT EXISTS (SELECT 1 FROM u)";

static taq_rc write_running(pg_t *p, const taq_job_row_t *row)
{
    char date[11], attempt[24], ranks[24];
    taq_date_format(row->trade_dt, date);
    snprintf(attempt, sizeof attempt, "%" PRId64, row->attempt);
    snprintf(ranks, sizeof ranks, "%" PRId64, row->ranks);
    const char *vals[] = {row->job_id, row->job,          date,        attempt, row->host,
                          ranks,       row->slurm_job_id, row->version};
    return run_sql(p, "mark the date running", SQL_RUNNING, 8, vals, NULL);
}

/* Under the date's lock: skip a done date, else (re)start its row. */
static taq_rc claim_row(pg_t *p, const char *job, int32_t date, int force,
                        const taq_run_info_t *info, taq_claim_t *claim)
{
    int exists;
    taq_job_status_t status;
    int64_t attempt;
    TAQ_TRY(read_state(p, p->date_job_id, &exists, &status, &attempt));
    if (exists && status == TAQ_JOB_SUCCESS && !force) {
        *claim = TAQ_CLAIM_DONE;
        return TAQ_OK;
    }
    if (exists && status == TAQ_JOB_RUNNING)
        TAQ_LOG(TAQ_LOG_WARN,
                "%s: taking over a 'running' row left by a run that is gone "
                "(attempt %" PRId64 ")",
                p->date_job_id, attempt);
    taq_job_row_t row;
    memset(&row, 0, sizeof row);
    taq_tracker_row_identity(&row, job, date, info);
    row.attempt = exists ? attempt + 1 : 1;
    TAQ_TRY(write_running(p, &row));
    *claim = TAQ_CLAIM_RUN;
    return TAQ_OK;
}

/* ---- backend operations --------------------------------------------------- */

static taq_rc pg_begin(taq_tracker_t *t, const char *job, int32_t date, int force,
                       const taq_run_info_t *info, taq_claim_t *claim)
{
    pg_t *p = t->impl;
    char job_id[TAQ_JOB_TEXT];
    taq_tracker_job_id(job, date, job_id);
    TAQ_FAIL_IF(p->locked, TAQ_ERR_TRACKER, "tracker: %s claimed while %s is still open", job_id,
                p->date_job_id);
    int got;
    TAQ_TRY(lock_date(p, job_id, &got));
    if (!got) {
        *claim = TAQ_CLAIM_BUSY;
        return TAQ_OK;
    }
    taq_rc rc = claim_row(p, job, date, force, info, claim);
    if (rc != TAQ_OK || *claim != TAQ_CLAIM_RUN) {
        taq_rc rc2 = unlock_date(p);
        rc = rc != TAQ_OK ? rc : rc2;
    }
    return rc;
}

/* The end of a date; counts NULL keeps the row's counts. A vanished row is recreated. */
static const char SQL_FINISH[] =
    "WITH u AS (UPDATE job_tracker SET job_status = $2, finished_time = now(),"
    " updated_time = now(), lines = COALESCE($3::bigint, lines),"
    " trades = COALESCE($4::bigint, trades), quotes = COALESCE($5::bigint, quotes),"
    " rejects = COALESCE($6::bigint, rejects), blank = COALESCE($7::bigint, blank),"
    " superseded = COALESCE($8::bigint, superseded), output_path = $9, error_text = $10"
    " WHERE job_id = $1 RETURNING 1)"
    " INSERT INTO job_tracker (job_id, job, trade_dt, job_status, attempt, finished_time,"
    " updated_time, host, ranks, slurm_job_id, version, lines, trades, quotes, rejects, blank,"
    " superseded, output_path, error_text)"
    " SELECT $1::text, $11::text, $12::date, $2::text, 0, now(), now(), $13::text, 0, $14::text,"
    " $15::text, COALESCE($3::bigint, 0), COALESCE($4::bigint, 0), COALESCE($5::bigint, 0),"
    " COALESCE($6::bigint, 0), COALESCE($7::bigint, 0), COALESCE($8::bigint, 0), $9::text,"
    " $10::text WHERE NOT EXISTS (SELECT 1 FROM u)";

/* counts as six text parameters; SQL NULLs (keep the row's counts) when counts is NULL. */
static void count_params(const taq_counts_t *counts, char text[6][24], const char *vals[6])
{
    const taq_counts_t zero = {0};
    const taq_counts_t *c = counts ? counts : &zero;
    const int64_t nums[6] = {c->lines, c->trades, c->quotes, c->rejects, c->blank, c->superseded};
    for (int i = 0; i < 6; i++) {
        snprintf(text[i], sizeof text[i], "%" PRId64, nums[i]);
        vals[i] = counts ? text[i] : NULL;
    }
}

static taq_rc write_finish(pg_t *p, const char *job, int32_t date, taq_job_status_t status,
                           const taq_counts_t *counts, const char *output, const char *error)
{
    taq_job_row_t id; /* what a recreated row says about itself */
    memset(&id, 0, sizeof id);
    taq_tracker_row_identity(&id, job, date, NULL);
    char text[6][24], day[11];
    taq_date_format(date, day);
    const char *vals[15] = {id.job_id, taq_job_status_name(status)};
    count_params(counts, text, vals + 2);
    const char *rest[] = {output ? output : "", error ? error : "", id.job, day, id.host,
                          id.slurm_job_id,      id.version};
    _Static_assert(8 + sizeof rest / sizeof *rest == 15, "15 parameters");
    memcpy(vals + 8, rest, sizeof rest);
    return run_sql(p, "record the end of the date", SQL_FINISH, 15, vals, NULL);
}

static taq_rc pg_finish(taq_tracker_t *t, const char *job, int32_t date, taq_job_status_t status,
                        const taq_counts_t *counts, const char *output, const char *error)
{
    pg_t *p = t->impl;
    char job_id[TAQ_JOB_TEXT];
    taq_tracker_job_id(job, date, job_id);
    TAQ_FAIL_IF(!p->locked || strcmp(job_id, p->date_job_id) != 0, TAQ_ERR_TRACKER,
                "tracker: %s finished without being claimed", job_id);
    taq_rc rc = write_finish(p, job, date, status, counts, output, error);
    if (rc == TAQ_OK)
        return unlock_date(p);
    /* Keep the first failure's text: the unlock fails the same way when the server is gone. */
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", taq_errmsg());
    unlock_date(p);
    taq_err_set("%s", msg);
    return rc;
}

/* The newest row of every job_id; seed rows have NULLs, which read as "" and 0. */
static const char SQL_LIST[] =
    "SELECT DISTINCT ON (job_id) job_id, job, trade_dt - DATE '1970-01-01', job_status, attempt,"
    " extract(epoch FROM started_time)::float8, extract(epoch FROM finished_time)::float8,"
    " extract(epoch FROM updated_time)::float8, host, ranks, slurm_job_id, version, lines,"
    " trades, quotes, rejects, blank, superseded, output_path, error_text"
    " FROM job_tracker ORDER BY job_id, updated_time DESC NULLS LAST";

/* A seed row has only job_id = "<job>_<YYYY-MM-DD>": recover job and date from it. */
static void split_job_id(taq_job_row_t *r)
{
    size_t n = strlen(r->job_id);
    if (n < 12 || r->job_id[n - 11] != '_' ||
        taq_date_parse(r->job_id + n - 10, 10, &r->trade_dt) != 0)
        return;
    memcpy(r->job, r->job_id, n - 11);
    r->job[n - 11] = '\0';
}

/* A cell as text; "" for NULL, so a seed row's missing columns read as "" and 0. */
static const char *cell(const PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col);
}

static void parse_row(const PGresult *res, int i, taq_job_row_t *r)
{
    memset(r, 0, sizeof *r);
    taq_tracker_copy(r->job_id, sizeof r->job_id, cell(res, i, 0));
    taq_tracker_copy(r->job, sizeof r->job, cell(res, i, 1));
    r->trade_dt = (int32_t)strtol(cell(res, i, 2), NULL, 10);
    if (PQgetisnull(res, i, 1) || PQgetisnull(res, i, 2))
        split_job_id(r);
    r->status = TAQ_JOB_FAILED;
    status_from(cell(res, i, 3), &r->status);
    r->attempt = strtoll(cell(res, i, 4), NULL, 10);
    r->started = strtod(cell(res, i, 5), NULL);
    r->finished = strtod(cell(res, i, 6), NULL);
    r->updated = strtod(cell(res, i, 7), NULL);
    taq_tracker_copy(r->host, sizeof r->host, cell(res, i, 8));
    r->ranks = strtoll(cell(res, i, 9), NULL, 10);
    taq_tracker_copy(r->slurm_job_id, sizeof r->slurm_job_id, cell(res, i, 10));
    taq_tracker_copy(r->version, sizeof r->version, cell(res, i, 11));
    int64_t *c[] = {&r->counts.lines,   &r->counts.trades, &r->counts.quotes,
                    &r->counts.rejects, &r->counts.blank,  &r->counts.superseded};
    for (int k = 0; k < 6; k++)
        *c[k] = strtoll(cell(res, i, 12 + k), NULL, 10);
    taq_tracker_copy(r->output, sizeof r->output, cell(res, i, 18));
    taq_tracker_copy(r->error, sizeof r->error, cell(res, i, 19));
}

static taq_rc pg_list(taq_tracker_t *t, taq_job_row_t **out, size_t *n)
{
    pg_t *p = t->impl;
    PGresult *r;
    TAQ_TRY(run_sql(p, "list the rows", SQL_LIST, 0, NULL, &r));
    size_t rows = (size_t)PQntuples(r);
    taq_job_row_t *all = TAQ_MALLOC((rows ? rows : 1) * sizeof *all);
    for (size_t i = 0; i < rows; i++)
        parse_row(r, (int)i, &all[i]);
    PQclear(r);
    *out = all;
    *n = rows;
    return TAQ_OK;
}

static void pg_close(taq_tracker_t *t)
{
    pg_t *p = t->impl;
    PQfinish(p->conn); /* ending the session releases a date lock still held */
    free(p);
}

static const tracker_ops_t pg_ops = {
    "postgresql", pg_begin, pg_finish, pg_list, pg_close,
};

taq_rc taq_tracker_open_pg(const char *conninfo, taq_tracker_t **out)
{
    *out = NULL;
    TAQ_TRY(check_conninfo(conninfo));
    PGconn *conn = NULL;
    TAQ_TRY(connect_db(conninfo, &conn));
    taq_tracker_t *t = TAQ_CALLOC(1, sizeof *t);
    pg_t *p = TAQ_CALLOC(1, sizeof *p);
    p->conn = conn;
    t->ops = &pg_ops;
    t->impl = p;
    taq_rc rc = ensure_schema(p);
    if (rc != TAQ_OK) {
        taq_tracker_close(&t);
        return rc;
    }
    TAQ_LOG(TAQ_LOG_INFO, "tracker: PostgreSQL host %s port %s database %s user %s", PQhost(conn),
            PQport(conn), PQdb(conn), PQuser(conn));
    *out = t;
    return TAQ_OK;
}
