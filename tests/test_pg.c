/*
 * Tests of the PostgreSQL tracker backend against a real server.
 *
 * ctest starts a throwaway server first (tests/pg_server.sh, fixture taq_pg)
 * and stops it last; TAQ_TEST_PGSTATE names the file holding its socket
 * folder and port. Trusted unix-socket connections as user postgres set
 * things up (through psql); each case works in a database of its own. The
 * role taq_secret needs a SCRAM password over 127.0.0.1, for the cases that
 * check that a password never shows up in any output. The cases that run
 * the real taqmpi binary need the whole program to link.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "taq/cli.h"
#include "taq/timeutil.h"
#include "taq/tracker.h"
#include "tracker_scenarios.h"

#define TAQMPI TAQ_BINARY_DIR "/src/taqmpi"

static char server_dir[1024]; /* socket folder */
static int server_port;
static char secret[128]; /* taq_secret's password */

static int32_t day(int d)
{
    return taq_days_from_civil(2020, 8, d);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    return s;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strdup("");
    char *text = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&text, &cap, '\0', f);
    fclose(f);
    if (n < 0) {
        free(text);
        return strdup("");
    }
    return text;
}

/* ---- the server ---------------------------------------------------------- */

/* Read the fixture's state (once). Fails the case when there is no server. */
static void server(void)
{
    if (server_port)
        return;
    const char *state = getenv("TAQ_TEST_PGSTATE");
    CU_ASSERT_PTR_NOT_NULL_FATAL(state);
    FILE *f = fopen(state, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_FATAL(fscanf(f, "%1023s %d", server_dir, &server_port) == 2);
    fclose(f);
    char *p = xasprintf("%s/secret", server_dir);
    char *s = slurp(p);
    snprintf(secret, sizeof secret, "%s", s);
    free(s);
    free(p);
    CU_ASSERT_FATAL(strlen(secret) > 8);
}

/* Run SQL through psql as the trusted superuser in database db. OUT: output (free). */
static char *psql(const char *db, const char *sql, int *status)
{
    char *file = xasprintf("%s/taq_test_sql.%ld", server_dir, (long)getpid());
    FILE *f = fopen(file, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(sql, f);
    fclose(f);
    char *cmd = xasprintf("psql -X -q -At -v ON_ERROR_STOP=1 -h '%s' -p %d -U postgres -d '%s' "
                          "-f '%s' 2>&1",
                          server_dir, server_port, db, file);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    char *out = NULL;
    size_t cap = 0;
    if (getdelim(&out, &cap, '\0', p) < 0) {
        free(out);
        out = strdup("");
    }
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    unlink(file);
    free(file);
    free(cmd);
    return out;
}

/* psql that must succeed; returns its output with the trailing newline cut (free). */
static char *sql_ok(const char *db, const char *sql)
{
    int st;
    char *out = psql(db, sql, &st);
    if (st != 0)
        fprintf(stderr, "psql failed: %s\n%s\n", sql, out);
    CU_ASSERT_EQUAL(st, 0);
    size_t n = strlen(out);
    if (n && out[n - 1] == '\n')
        out[n - 1] = '\0';
    return out;
}

/* A new empty database for this case. OUT *name (free). Returns its conninfo (free). */
static char *fresh_db(const char *tag, char **name)
{
    server();
    *name = xasprintf("taq_%s_%ld", tag, (long)getpid());
    char *sql = xasprintf("DROP DATABASE IF EXISTS \"%s\" WITH (FORCE);\n"
                          "CREATE DATABASE \"%s\";\n",
                          *name, *name);
    free(sql_ok("postgres", sql));
    free(sql);
    return xasprintf("host=%s port=%d user=postgres dbname=%s", server_dir, server_port, *name);
}

static void drop_db(char *name)
{
    char *sql = xasprintf("DROP DATABASE IF EXISTS \"%s\" WITH (FORCE);\n", name);
    free(sql_ok("postgres", sql));
    free(sql);
    free(name);
}

/* A TCP port nobody listens on. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* ---- tracker helpers -------------------------------------------------------- */

/* ---- claim, finish, rerun ------------------------------------------------------ */

static void test_pg_run_skip_force(void)
{
    char *db, *ci = fresh_db("run", &db);
    const tracker_backend_t b = {taq_tracker_open_pg, ci};
    scenario_run_skip_force(&b);
    /* The seed's columns say the same. */
    char *seen = sql_ok(db, "SELECT job_id, job_status, updated_time IS NOT NULL FROM job_tracker");
    CU_ASSERT_STRING_EQUAL(seen, "job_2020-08-05|success|t");
    free(seen);
    drop_db(db);
    free(ci);
}

/* ---- two runs at once ------------------------------------------------------------ */

static void test_pg_concurrent_claim_is_busy(void)
{
    char *db, *ci = fresh_db("busy", &db);
    const tracker_backend_t b = {taq_tracker_open_pg, ci};
    scenario_concurrent_claim_is_busy(&b);
    drop_db(db);
    free(ci);
}

/* The server drops a dead session's advisory lock: the row is taken over. */
static void test_pg_stale_running_taken_over(void)
{
    char *db, *ci = fresh_db("stale", &db);
    const tracker_backend_t b = {taq_tracker_open_pg, ci};
    scenario_stale_running_taken_over(&b);
    drop_db(db);
    free(ci);
}

/* ---- hostile text ------------------------------------------------------------------ */

static void test_pg_hostile_job_name(void)
{
    char *db, *ci = fresh_db("evil", &db);
    const char *evil = "x'); DROP TABLE job_tracker; --\t\"quoted\"\\n\nnewline $1 $$ E'\\x00'";
    const char *bad = "bad'; DELETE FROM job_tracker; --\tthing\n";
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL_FATAL(taq_tracker_open_pg(ci, &t), TAQ_OK);
    taq_claim_t c;
    CU_ASSERT_EQUAL(taq_tracker_begin(t, evil, day(5), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_RUN);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, evil, day(5), TAQ_JOB_FAILED, NULL, "o'; --", bad),
                    TAQ_OK);
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "plain", day(5), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "plain", day(5), TAQ_JOB_SUCCESS, NULL, "o", ""), TAQ_OK);
    taq_job_row_t r = scenario_row_of(t, evil, day(5));
    CU_ASSERT_STRING_EQUAL(r.job, evil);
    CU_ASSERT_EQUAL(r.trade_dt, day(5));
    CU_ASSERT_STRING_EQUAL(r.error, bad);
    char id[TAQ_JOB_TEXT];
    snprintf(id, sizeof id, "%s_2020-08-05", evil);
    CU_ASSERT_STRING_EQUAL(r.job_id, id);
    taq_job_row_t *rows = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL(taq_tracker_list(t, NULL, 0, 0, 0, &rows, &n), TAQ_OK);
    CU_ASSERT_EQUAL(n, 2);
    free(rows);
    taq_tracker_close(&t);
    char *count = sql_ok(db, "SELECT count(*) FROM job_tracker");
    CU_ASSERT_STRING_EQUAL(count, "2");
    free(count);
    drop_db(db);
    free(ci);
}

/* ---- schema ------------------------------------------------------------------------- */

static const char *const full_columns =
    "attempt,blank,error_text,finished_time,host,job,job_id,job_status,lines,output_path,quotes,"
    "ranks,rejects,slurm_job_id,started_time,superseded,trade_dt,trades,updated_time,version";

static void test_pg_schema_upgrade_from_seed(void)
{
    char *db, *ci = fresh_db("seed", &db);
    /* The seed's table: three columns, no key, rows already in it. */
    free(sql_ok(
        db, "CREATE TABLE job_tracker (job_id VARCHAR(100), job_status VARCHAR(20),"
            " updated_time TIMESTAMP);\n"
            "INSERT INTO job_tracker VALUES ('seed_2020-08-04', 'success',"
            " '2020-08-04 12:00:00'), ('seed_2020-08-05', 'failed', '2020-08-05 12:00:00');\n"));
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL_FATAL(taq_tracker_open_pg(ci, &t), TAQ_OK);
    char *cols = sql_ok(db, "SELECT string_agg(column_name, ',' ORDER BY column_name)"
                            " FROM information_schema.columns WHERE table_name = 'job_tracker'");
    CU_ASSERT_STRING_EQUAL(cols, full_columns);
    free(cols);
    char *ver = sql_ok(db, "SELECT max(version) FROM taq_schema_version");
    CU_ASSERT_STRING_EQUAL(ver, "2");
    free(ver);
    /* The seed rows survived and read back as rows. */
    taq_job_row_t r = scenario_row_of(t, "seed", day(4));
    CU_ASSERT_STRING_EQUAL(r.job_id, "seed_2020-08-04");
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_SUCCESS);
    CU_ASSERT_EQUAL(r.updated, (double)(day(4) * 86400 + 12 * 3600));
    CU_ASSERT_EQUAL(r.attempt, 0);
    /* Their statuses count: success is skipped, failed runs as attempt 2. */
    taq_claim_t c;
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "seed", day(4), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_DONE);
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "seed", day(5), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_RUN);
    CU_ASSERT_EQUAL(scenario_row_of(t, "seed", day(5)).attempt, 2);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "seed", day(5), TAQ_JOB_SUCCESS, NULL, "o", ""), TAQ_OK);
    taq_tracker_close(&t);
    /* Reopening an up-to-date schema changes nothing. */
    CU_ASSERT_EQUAL_FATAL(taq_tracker_open_pg(ci, &t), TAQ_OK);
    taq_tracker_close(&t);
    char *hist = sql_ok(db, "SELECT string_agg(version::text, ',' ORDER BY version)"
                            " FROM taq_schema_version");
    CU_ASSERT_STRING_EQUAL(hist, "1,2");
    free(hist);
    char *rows = sql_ok(db, "SELECT count(*) FROM job_tracker");
    CU_ASSERT_STRING_EQUAL(rows, "2");
    free(rows);
    /* A schema newer than this program is refused, clearly, and left alone. */
    free(sql_ok(db, "INSERT INTO taq_schema_version (version) VALUES (99)"));
    CU_ASSERT_EQUAL(taq_tracker_open_pg(ci, &t), TAQ_ERR_TRACKER);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "schema version 99 is newer"));
    drop_db(db);
    free(ci);
}

static void test_pg_schema_created_when_missing(void)
{
    char *db, *ci = fresh_db("new", &db);
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL_FATAL(taq_tracker_open_pg(ci, &t), TAQ_OK);
    taq_tracker_close(&t);
    char *cols = sql_ok(db, "SELECT string_agg(column_name, ',' ORDER BY column_name)"
                            " FROM information_schema.columns WHERE table_name = 'job_tracker'");
    CU_ASSERT_STRING_EQUAL(cols, full_columns);
    free(cols);
    char *pk = sql_ok(db, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON"
                          " a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                          " WHERE i.indrelid = 'job_tracker'::regclass AND i.indisprimary");
    CU_ASSERT_STRING_EQUAL(pk, "job_id");
    free(pk);
    drop_db(db);
    free(ci);
}

/* ---- connection errors and passwords ------------------------------------------------ */

static void test_pg_unreachable_names_host_and_port(void)
{
    server();
    int port = free_port();
    char *ci = xasprintf("host=127.0.0.1 port=%d dbname=taq user=taq connect_timeout=5", port);
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL(taq_tracker_open_pg(ci, &t), TAQ_ERR_TRACKER);
    CU_ASSERT_PTR_NULL(t);
    char *want = xasprintf("host 127.0.0.1 port %d", port);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), want));
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "cannot connect"));
    CU_ASSERT_PTR_NULL(strchr(taq_errmsg(), '\n'));
    free(want);
    free(ci);
    /* A unix socket folder with no server in it: the folder is the host. */
    CU_ASSERT_EQUAL(taq_tracker_open_pg("host=/nonexistent/sock port=5999", &t), TAQ_ERR_TRACKER);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "host /nonexistent/sock port 5999"));
    /* A URI, and defaults from the environment. */
    ci = xasprintf("postgresql://127.0.0.1:%d/taq", port);
    CU_ASSERT_EQUAL(taq_tracker_open_pg(ci, &t), TAQ_ERR_TRACKER);
    want = xasprintf("port %d", port);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), want));
    free(want);
    free(ci);
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    setenv("PGHOST", "127.0.0.1", 1);
    setenv("PGPORT", ps, 1);
    CU_ASSERT_EQUAL(taq_tracker_open_pg("", &t), TAQ_ERR_TRACKER);
    CU_ASSERT_EQUAL(taq_tracker_open_pg(NULL, &t), TAQ_ERR_TRACKER);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "host 127.0.0.1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), ps));
    unsetenv("PGHOST");
    unsetenv("PGPORT");
}

/* Everything written to stderr between capture_begin and capture_end. */
typedef struct capture {
    int saved;
    char *path;
} capture_t;

static capture_t capture_begin(void)
{
    capture_t c;
    c.path = xasprintf("%s/taq_test_stderr.%ld", server_dir, (long)getpid());
    fflush(stderr);
    c.saved = dup(2);
    int fd = open(c.path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0 && c.saved >= 0);
    dup2(fd, 2);
    close(fd);
    return c;
}

static char *capture_end(capture_t *c)
{
    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    char *text = slurp(c->path);
    unlink(c->path);
    free(c->path);
    return text;
}

/* Texts that must never contain a secret: the last error and all the log lines. */
static void assert_hidden(const char *text, const char *const *secrets, int n)
{
    for (int i = 0; i < n; i++) {
        if (strstr(text, secrets[i]))
            fprintf(stdout, "\nsecret '%s' leaked in: %s\n", secrets[i], text);
        CU_ASSERT_PTR_NULL(strstr(text, secrets[i]));
    }
}

/* Open must fail; its error must name the host and hide the secrets. */
static void assert_refused(const char *ci, const char *const *secrets, int n)
{
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL(taq_tracker_open_pg(ci, &t), TAQ_ERR_TRACKER);
    CU_ASSERT_PTR_NULL(t);
    assert_hidden(taq_errmsg(), secrets, n);
}

/* Open must work; a claimed and finished date's row must hold no secret. */
static void assert_clean_rows(const char *ci, const char *const *secrets, int n)
{
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL_FATAL(taq_tracker_open_pg(ci, &t), TAQ_OK);
    taq_claim_t c;
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "pw", day(5), 1, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_RUN);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "pw", day(5), TAQ_JOB_SUCCESS, NULL, "o", ""), TAQ_OK);
    taq_job_row_t *rows = NULL;
    size_t nrows = 0;
    CU_ASSERT_EQUAL(taq_tracker_list(t, NULL, 0, 0, 0, &rows, &nrows), TAQ_OK);
    CU_ASSERT(nrows >= 1);
    for (size_t i = 0; i < nrows; i++) {
        const char *texts[] = {rows[i].job_id,  rows[i].job,    rows[i].host, rows[i].slurm_job_id,
                               rows[i].version, rows[i].output, rows[i].error};
        for (size_t k = 0; k < sizeof texts / sizeof *texts; k++)
            assert_hidden(texts[k], secrets, n);
    }
    free(rows);
    taq_tracker_close(&t);
}

#define KV "host=127.0.0.1 port=%d dbname=taq_secret user=taq_secret password=%s"

static void test_pg_password_never_shown(void)
{
    server();
    const char *wrong = "Wr0ngPassw0rd-zq";
    const char *odd = "Sekr1t%zzPW"; /* a bad %-escape: libpq quotes the raw token back */
    const char *hidden[] = {secret, wrong, "Wr@ngP", "Sekr1t", "zzPW", "KVjunk-pw"};
    const int nh = (int)(sizeof hidden / sizeof *hidden);
    unsetenv("PGPASSWORD");
    int saved_level = taq_log_level_current;
    taq_log_level_current = TAQ_LOG_DEBUG; /* every log line is checked too */
    capture_t cap = capture_begin();
    /* 1. In a key=value conninfo: wrong, then right. */
    char *ci = xasprintf(KV, server_port, wrong);
    assert_refused(ci, hidden, nh);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "password authentication failed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "host 127.0.0.1"));
    free(ci);
    ci = xasprintf(KV, free_port(), secret); /* right password, nobody listening */
    assert_refused(ci, hidden, nh);
    free(ci);
    ci = xasprintf(KV, server_port, secret);
    assert_clean_rows(ci, hidden, nh);
    free(ci);
    ci = xasprintf("host=127.0.0.1 password=KVjunk-pw port=%d junk", server_port);
    assert_refused(ci, hidden, nh); /* malformed: libpq's complaint quotes parts of it */
    free(ci);
    /* 2. In a URI: wrong (percent-encoded), malformed, then right. */
    ci = xasprintf("postgresql://taq_secret:Wr%%40ngP@127.0.0.1:%d/taq_secret", server_port);
    assert_refused(ci, hidden, nh);
    free(ci);
    ci = xasprintf("postgresql://taq_secret:%s@127.0.0.1:%d/taq_secret", odd, server_port);
    assert_refused(ci, hidden, nh);
    free(ci);
    ci = xasprintf("postgresql://taq_secret:%s@127.0.0.1:%d/taq_secret", secret, server_port);
    assert_clean_rows(ci, hidden, nh);
    free(ci);
    /* 3. In PGPASSWORD: wrong, then right. */
    ci = xasprintf("host=127.0.0.1 port=%d dbname=taq_secret user=taq_secret", server_port);
    setenv("PGPASSWORD", wrong, 1);
    assert_refused(ci, hidden, nh);
    setenv("PGPASSWORD", secret, 1);
    assert_clean_rows(ci, hidden, nh);
    unsetenv("PGPASSWORD");
    /* And in a password file (~/.pgpass through PGPASSFILE). */
    char *pass = xasprintf("%s/pgpass.%ld", server_dir, (long)getpid());
    char *line = xasprintf("127.0.0.1:%d:taq_secret:taq_secret:%s\n", server_port, secret);
    int fd = open(pass, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, line, strlen(line)), (ssize_t)strlen(line));
    close(fd);
    setenv("PGPASSFILE", pass, 1);
    assert_clean_rows(ci, hidden, nh);
    setenv("PGPASSFILE", "/nonexistent", 1);
    unlink(pass);
    free(pass);
    free(line);
    free(ci);
    char *log = capture_end(&cap);
    taq_log_level_current = saved_level;
    assert_hidden(log, hidden, nh);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "tracker: PostgreSQL host 127.0.0.1"));
    free(log);
}

/* --tracker keeps a copy and blanks the argv string, so `ps` does not show it. */
static void test_pg_cli_tracker_blanks_argv(void)
{
    char a0[] = "taqmpi", a1[] = "--tracker", a2[] = "host=h password=pw-in-argv",
         a3[] = "--tracker=postgresql://u:pw2@h/db";
    char *argv[] = {a0, a1, a2, NULL};
    taq_config_t cfg;
    CU_ASSERT_EQUAL_FATAL(taq_cli_parse(3, argv, &cfg), TAQ_OK);
    CU_ASSERT_STRING_EQUAL(cfg.tracker, "host=h password=pw-in-argv");
    CU_ASSERT_PTR_NULL(strstr(a2, "pw-in-argv"));
    CU_ASSERT_EQUAL(strlen(a2), strlen("host=h password=pw-in-argv"));
    char *argv2[] = {a0, a3, NULL};
    CU_ASSERT_EQUAL_FATAL(taq_cli_parse(2, argv2, &cfg), TAQ_OK);
    CU_ASSERT_STRING_EQUAL(cfg.tracker, "postgresql://u:pw2@h/db");
    CU_ASSERT_PTR_NULL(strstr(a3, "pw2"));
    CU_ASSERT(strncmp(a3, "--tracker=", 10) == 0);
    char *argv3[] = {a0, NULL};
    CU_ASSERT_EQUAL_FATAL(taq_cli_parse(1, argv3, &cfg), TAQ_OK);
    CU_ASSERT_PTR_NULL(cfg.tracker);
    /* A conninfo split by the shell, or a misspelt option: the error echoes no password. */
    char b1[] = "host=h", b2[] = "password=pw-split", b3[] = "--trackr=postgresql://u:pw-typo@h";
    char *argv4[] = {a0, a1, b1, b2, NULL};
    CU_ASSERT_EQUAL(taq_cli_parse(4, argv4, &cfg), TAQ_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "unexpected argument 'password=***'"));
    char *argv5[] = {a0, b3, NULL};
    CU_ASSERT_EQUAL(taq_cli_parse(2, argv5, &cfg), TAQ_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "unknown option '--trackr=***'"));
}

/* ---- the real binary (needs the whole program to link) ------------------------------ */

/* Run a shell command in dir with stdout+stderr to dir/log; returns the exit status. */
static int run(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run(const char *dir, const char *fmt, ...)
{
    char *cmd = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&cmd, fmt, ap) < 0)
        abort();
    va_end(ap);
    char *full = xasprintf("cd '%s' && (%s) > log 2>&1", dir, cmd);
    int st = system(full);
    free(full);
    free(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *log_of(const char *dir)
{
    char *p = xasprintf("%s/log", dir);
    char *text = slurp(p);
    free(p);
    return text;
}

static void assert_binary_exists(void)
{
    struct stat st;
    if (stat(TAQMPI, &st) != 0)
        fprintf(stdout, "\n%s is not built (the program does not link yet?)\n", TAQMPI);
    CU_ASSERT_EQUAL_FATAL(stat(TAQMPI, &st), 0);
}

static void test_pg_binary_status_hides_password(void)
{
    server();
    assert_binary_exists();
    char *dir = taq_test_tmpdir("pgbin");
    const char *wrong = "Wr0ngPassw0rd-bin";
    CU_ASSERT_EQUAL(run(dir,
                        "%s status --tracker 'host=127.0.0.1 port=%d dbname=taq_secret "
                        "user=taq_secret password=%s'",
                        TAQMPI, server_port, wrong),
                    2);
    char *log = log_of(dir);
    CU_ASSERT_PTR_NULL(strstr(log, wrong));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "host 127.0.0.1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "password authentication failed"));
    free(log);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_pg_binary_unreachable_is_exit_2(void)
{
    server();
    assert_binary_exists();
    char *dir = taq_test_tmpdir("pgbin");
    CU_ASSERT_EQUAL_FATAL(run(dir, "cp -r '%s/data' data", TAQ_SOURCE_DIR), 0);
    int port = free_port();
    CU_ASSERT_EQUAL(run(dir, "%s -n 1 %s --tracker 'postgresql://u:S3CRETbin@127.0.0.1:%d/db'",
                        TAQ_MPIEXEC, TAQMPI, port),
                    2);
    char *log = log_of(dir);
    char *want = xasprintf("host 127.0.0.1 port %d", port);
    CU_ASSERT_PTR_NULL(strstr(log, "S3CRETbin"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, want));
    free(want);
    free(log);
    /* Nothing was processed: no output file, and no journal either. */
    CU_ASSERT_NOT_EQUAL(run(dir, "ls out/*.h5"), 0);
    CU_ASSERT_NOT_EQUAL(run(dir, "test -e out/taq_tracker.journal"), 0);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_pg_binary_run_rerun_status(void)
{
    server();
    assert_binary_exists();
    char *dir = taq_test_tmpdir("pgbin");
    CU_ASSERT_EQUAL_FATAL(run(dir, "cp -r '%s/data' data", TAQ_SOURCE_DIR), 0);
    /* --tracker with the password in PGPASSWORD: both dates done. */
    CU_ASSERT_EQUAL(run(dir,
                        "PGPASSWORD='%s' %s -n 2 %s --tracker 'host=127.0.0.1 port=%d "
                        "dbname=taq_secret user=taq_secret' --job bin%ld",
                        secret, TAQ_MPIEXEC, TAQMPI, server_port, (long)getpid()),
                    0);
    char *log = log_of(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "2 date(s) done, 0 skipped"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "tracker: PostgreSQL host 127.0.0.1"));
    CU_ASSERT_PTR_NULL(strstr(log, secret));
    free(log);
    CU_ASSERT_NOT_EQUAL(run(dir, "test -e out/taq_tracker.journal"), 0);
    CU_ASSERT_NOT_EQUAL(run(dir, "grep -r -a -F '%s' out", secret), 0);
    /* The PG* environment alone selects PostgreSQL: the rerun skips both dates. */
    CU_ASSERT_EQUAL(run(dir,
                        "PGHOST=127.0.0.1 PGPORT=%d PGDATABASE=taq_secret PGUSER=taq_secret "
                        "PGPASSWORD='%s' %s -n 2 %s --job bin%ld",
                        server_port, secret, TAQ_MPIEXEC, TAQMPI, (long)getpid()),
                    0);
    log = log_of(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "0 date(s) done, 2 skipped"));
    free(log);
    /* status with the password in a URI: the rows, and never the password. */
    CU_ASSERT_EQUAL(run(dir,
                        "%s status --job bin%ld --tracker "
                        "'postgresql://taq_secret:%s@127.0.0.1:%d/taq_secret'",
                        TAQMPI, (long)getpid(), secret, server_port),
                    0);
    log = log_of(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "_2020-08-05"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "_2020-08-06"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "success"));
    CU_ASSERT_PTR_NULL(strstr(log, secret));
    free(log);
    taq_test_rmtree(dir);
    free(dir);
}

int main(int argc, char **argv)
{
    /* Only what a case sets: nothing from the caller's environment or ~/.pgpass. */
    const char *vars[] = {"PGHOST",     "PGHOSTADDR", "PGPORT",        "PGDATABASE", "PGUSER",
                          "PGPASSWORD", "PGSERVICE",  "PGSERVICEFILE", "PGOPTIONS"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        unsetenv(vars[i]);
    setenv("PGPASSFILE", "/nonexistent", 1);
    static const taq_case_t cases[] = {
        TAQ_CASE(test_pg_run_skip_force),
        TAQ_CASE(test_pg_concurrent_claim_is_busy),
        TAQ_CASE(test_pg_stale_running_taken_over),
        TAQ_CASE(test_pg_hostile_job_name),
        TAQ_CASE(test_pg_schema_upgrade_from_seed),
        TAQ_CASE(test_pg_schema_created_when_missing),
        TAQ_CASE(test_pg_unreachable_names_host_and_port),
        TAQ_CASE(test_pg_password_never_shown),
        TAQ_CASE(test_pg_cli_tracker_blanks_argv),
        TAQ_CASE(test_pg_binary_status_hides_password),
        TAQ_CASE(test_pg_binary_unreachable_is_exit_2),
        TAQ_CASE(test_pg_binary_run_rerun_status),
    };
    return taq_test_main(argc, argv, "pg", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
