/* ctl - what every ledgerctl command shares: global options, the connection
 * to ledgerd (opened with a Hello, which also sets the ledger's time zone),
 * option parsing with uniform usage errors, printing ledgerd's errors with
 * the exit codes, the command-line names of the protocol's enums, and the
 * show and list commands of the record groups (staff, customer, order).
 * Each cmd_*.c file owns one command group and its output. */
#ifndef LEDGERCTL_CTL_H
#define LEDGERCTL_CTL_H

#include <getopt.h>
#include <stdint.h>
#include "client.h"
#include "out.h"
#include "request.pb-c.h"

enum {
    CTL_OK = 0,           /* done */
    CTL_REJECTED = 1,     /* ledgerd answered with an error */
    CTL_USAGE = 2,        /* bad command line, or input the client can check */
    CTL_UNREACHABLE = 3,  /* no reply within --timeout */
    CTL_REFUSED = 4       /* ledgerd refused the certificate's key (or there was none) */
};

/* ctl_program - the program named in messages: "ledgerctl" unless another
 * client built on these commands (ledger-finance) says otherwise */
extern const char *ctl_program;

#define CTL_ENDPOINT "tcp://127.0.0.1:7401"   /* --endpoint, env LEDGER_ENDPOINT */
#define CTL_EVENTS   "tcp://127.0.0.1:7402"   /* --events, env LEDGER_EVENTS */
#define CTL_TIMEOUT  5000                     /* --timeout, ms */

typedef struct {
    const char *endpoint;       /* ledgerd's ROUTER */
    const char *events;         /* ledgerd's PUB */
    const char *actor;          /* meta.actor */
    int timeout_ms;             /* per request */
    int json;                   /* --json: machine output */
    const char *idem;           /* --idempotency-key, or NULL for a random one */
    client_t *client;           /* opened by ctl_open */
    Ledger__HelloReply *hello;  /* ledgerd's answer to the opening Hello */
    const char *write_key;      /* idempotency key of the write in flight */
} ctl_t;

/* A command: argv[0] is its own name ("add"); returns an exit code. */
typedef int (*ctl_run_fn)(ctl_t *ctl, int argc, char **argv);

typedef struct {
    const char *name;     /* "add" */
    ctl_run_fn run;       /* does it */
    const char *summary;  /* one line for the group's --help */
} ctl_cmd_t;

/* ctl_main - a client program: the global options (--endpoint, --events,
 * --cert, --actor, --timeout, --json, --idempotency-key, --help printing usage),
 * then the command named next from commands (ended by a NULL name); its
 * exit code */
int ctl_main(int argc, char **argv, const char *usage, const ctl_cmd_t *commands);

/* ctl_group - run the subcommand named by argv[1] from cmds (ended by a
 * NULL name); group --help lists them under help */
int ctl_group(ctl_t *ctl, const char *group, const ctl_cmd_t *cmds,
              const char *help, int argc, char **argv);

/* Option parsing: long options only, every command gets --help. */
#define CTL_OPTS_END { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
#define CTL_OPT_STOP (-2)   /* help printed or usage error: return o.rc */

typedef struct {
    int argc;                    /* the command's arguments ... */
    char **argv;                 /* ... argv[0] is its name */
    const char *cmd;             /* "staff add", for messages */
    const char *usage;           /* printed by --help */
    const struct option *opts;   /* ended by CTL_OPTS_END */
    int rc;                      /* exit code after CTL_OPT_STOP */
    int started;                 /* getopt has been reset */
} ctl_opts_t;

/* ctl_opt_next - the next option's val, -1 at the end (operands then start
 * at argv[optind]), or CTL_OPT_STOP */
int ctl_opt_next(ctl_opts_t *o);

/* ctl_opt_operands - check the operand count is min..max; names them in the
 * message ("CODE"); 0 or CTL_USAGE */
int ctl_opt_operands(ctl_opts_t *o, int min, int max, const char *names);

/* ctl_usage - "ledgerctl: CMD: ...; see 'ledgerctl CMD --help'"; returns CTL_USAGE */
int ctl_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Value parsers: 0, or CTL_USAGE after naming the option and the value. */
int ctl_parse_money(const char *cmd, const char *opt, const char *text, int64_t *out);
int ctl_parse_time(const char *cmd, const char *opt, const char *text, int64_t *out_ms);
int ctl_parse_date(const char *cmd, const char *opt, const char *text);
int ctl_parse_uint(const char *cmd, const char *opt, const char *text,
                   uint64_t min, uint64_t max, uint64_t *out);
int ctl_parse_enum(const char *cmd, const char *opt, const char *const names[],
                   const char *text, int *out);
/* ctl_parse_party - "staff:S-00001" or "customer:C-00001"; code points into text */
int ctl_parse_party(const char *cmd, const char *opt, char *text, Ledger__PartyRef *out);

/* Enum names as typed and shown; index = enum value, [0] = "" (unset). */
extern const char *const ctl_roles[];
extern const char *const ctl_statuses[];
extern const char *const ctl_channel_types[];
extern const char *const ctl_assist_types[];
extern const char *const ctl_party_kinds[];

/* ctl_enum_name - the name of v, "" for 0, "?" if not in the table */
const char *ctl_enum_name(const char *const names[], int v);

/* ctl_open - connect and say Hello (sets the ledger's zone for dates);
 * CTL_OK, CTL_UNREACHABLE, CTL_REJECTED or CTL_USAGE (bad endpoint) */
int ctl_open(ctl_t *ctl);
void ctl_close(ctl_t *ctl);

/* ctl_start - begin a command that has no options but --help (sets o->opts):
 * check min..max operands, then ctl_open; 0 to go on, or CTL_OPT_STOP with
 * the exit code in o->rc */
int ctl_start(ctl_t *ctl, ctl_opts_t *o, int min, int max, const char *names);

/* ctl_meta_read / ctl_meta_write - fill a request's meta; writes carry the
 * --idempotency-key or a fresh random one */
void ctl_meta_read(ctl_t *ctl, Ledger__Meta *meta);
void ctl_meta_write(ctl_t *ctl, Ledger__Meta *meta);

/* ctl_report - print ledgerd's error (or the timeout) on stderr; the exit
 * code: CTL_UNREACHABLE for a timeout, CTL_REFUSED for a refused key,
 * else CTL_REJECTED */
int ctl_report(ctl_t *ctl, const err_t *err);

/* ctl_call - one request; on failure prints ledgerd's error or the timeout
 * and returns the exit code. On CTL_OK caller frees *out with
 * protobuf_c_message_free_unpacked(*out, NULL). */
int ctl_call(ctl_t *ctl, uint8_t type, const ProtobufCMessage *req,
             const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **out);

/* ctl_call_wait - ctl_call that waits wait_ms for its reply (a long job such
 * as a backup), on a connection of its own; the Hello keeps --timeout */
int ctl_call_wait(ctl_t *ctl, int wait_ms, uint8_t type, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **out);

/* ctl_get - Get one record by code; caller frees *out as above */
int ctl_get(ctl_t *ctl, Ledger__EntityKind kind, const char *code,
            Ledger__GetReply **out);

/* A kind of record as its command group shows it; rec is a Ledger__Staff,
 * Ledger__Customer or Ledger__Order to match kind. */
typedef struct {
    Ledger__EntityKind kind;                        /* what Get and List ask for */
    const char *name;                               /* "customer": the group */
    const char *plural;                             /* "customers": JSON array, messages */
    void (*json)(out_json_t *j, const void *rec);   /* as a JSON value */
    void (*show)(const void *rec);                  /* as pairs, for show */
    out_table_t *(*table)(void);                    /* the list's headings */
    void (*row)(out_table_t *t, const void *rec);   /* as a list row */
    /* The kinds of record.proto leave the four above NULL and are printed
     * from their descriptor (fields.h); List then offers the filters the
     * kind has: --branch, --customer, --order. */
    const ProtobufCMessageDescriptor *desc;         /* the record's message */
    const char *const *columns;                     /* list columns, NULL-ended */
} ctl_record_t;

/* ctl_get_record - ctl_get that also checks the reply holds a record of
 * rec's kind (CTL_REJECTED, said on stderr, if not); caller frees *out */
int ctl_get_record(ctl_t *ctl, const ctl_record_t *rec, const char *code,
                   Ledger__GetReply **out);

/* ctl_show - `GROUP show CODE`: one record as pairs or JSON; an exit code */
int ctl_show(ctl_t *ctl, const ctl_record_t *rec, const char *usage,
             int argc, char **argv);

/* ctl_list - `GROUP list`: --branch, --limit, --all, --page-token (and for
 * orders --customer, --from, --to; for record.proto kinds --customer and
 * --order where the kind has them); a table or JSON; an exit code */
int ctl_list(ctl_t *ctl, const ctl_record_t *rec, const char *usage,
             int argc, char **argv);

/* ctl_write - send a write request (meta filled by ctl_meta_write) and print
 * its WriteReply: "added staff S-00001 ..." or JSON; an exit code */
int ctl_write(ctl_t *ctl, uint8_t type, const ProtobufCMessage *req,
              const char *verb, const char *what);

/* ctl_time - local time for people, "-" when ms is 0; out >= 32 */
const char *ctl_time(char *out, size_t n, int64_t ms);

/* A worker's result, as result.get gives it. */
typedef struct {
    Ledger__Result *result;     /* as stored: kind, key, owner, version */
    ProtobufCMessage *payload;  /* result->payload unpacked; NULL: no result */
} ctl_result_t;

/* ctl_result_get - result.get for (kind, key), its payload unpacked as desc.
 * CTL_OK with out->payload NULL when ledgerd holds no such result (nothing
 * printed); CTL_REJECTED after naming the result when its payload does not
 * decode; else ledgerd's error printed and its exit code. On CTL_OK the
 * caller frees with ctl_result_fini; on failure out holds nothing. */
int ctl_result_get(ctl_result_t *out, ctl_t *ctl, const char *kind, const char *key,
                   const ProtobufCMessageDescriptor *desc);
void ctl_result_fini(ctl_result_t *r);

/* ctl_result_each - result.list of kind, every page (keys starting with
 * prefix, "" for all), each result handed to take (valid only during the
 * call), which returns 1 to stop early. CTL_OK, or ledgerd's error printed
 * and its exit code. */
int ctl_result_each(ctl_t *ctl, const char *kind, const char *prefix,
                    int (*take)(void *arg, const Ledger__Result *r), void *arg);

/* ctl_records_each - list of a record.proto kind (only branch's records when
 * branch is not NULL), every page, each record handed to take (valid only
 * during the call), which returns 1 to stop early. CTL_OK, or ledgerd's
 * error printed and its exit code. */
int ctl_records_each(ctl_t *ctl, Ledger__EntityKind kind, const char *branch,
                     int (*take)(void *arg, const Ledger__Record *r), void *arg);

/* ctl_party_json - a PartyRef as {kind, code, id}, or null when absent */
void ctl_party_json(out_json_t *j, const char *key, const Ledger__PartyRef *p);

/* Records as JSON members (key NULL inside arrays); shared with tail. */
void cmd_staff_json(out_json_t *j, const char *key, const Ledger__Staff *s);
void cmd_customer_json(out_json_t *j, const char *key, const Ledger__Customer *c);
void cmd_order_json(out_json_t *j, const char *key, const Ledger__Order *o);

/* The command groups. */
int cmd_status(ctl_t *ctl, int argc, char **argv);
int cmd_keys(ctl_t *ctl, int argc, char **argv);
int cmd_staff(ctl_t *ctl, int argc, char **argv);
int cmd_customer(ctl_t *ctl, int argc, char **argv);
int cmd_order(ctl_t *ctl, int argc, char **argv);
int cmd_tail(ctl_t *ctl, int argc, char **argv);
int cmd_clock(ctl_t *ctl, int argc, char **argv);
int cmd_policy(ctl_t *ctl, int argc, char **argv);
int cmd_record(ctl_t *ctl, int argc, char **argv);   /* argv[0] names the kind */
int cmd_import(ctl_t *ctl, int argc, char **argv);
int cmd_backup(ctl_t *ctl, int argc, char **argv);
int cmd_cursor(ctl_t *ctl, int argc, char **argv);
int cmd_month(ctl_t *ctl, int argc, char **argv);
int cmd_statement(ctl_t *ctl, int argc, char **argv);
int cmd_statements(ctl_t *ctl, int argc, char **argv);
int cmd_payout(ctl_t *ctl, int argc, char **argv);
int cmd_quote(ctl_t *ctl, int argc, char **argv);
int cmd_pool(ctl_t *ctl, int argc, char **argv);
int cmd_findings(ctl_t *ctl, int argc, char **argv);
int cmd_finding(ctl_t *ctl, int argc, char **argv);
int cmd_close(ctl_t *ctl, int argc, char **argv);
int cmd_exceptions(ctl_t *ctl, int argc, char **argv);
int cmd_recovery(ctl_t *ctl, int argc, char **argv);   /* in cmd_exceptions.c */
int cmd_report(ctl_t *ctl, int argc, char **argv);

#endif
