/* ctl - the plumbing every ledgerctl command shares: connecting with a
 * Hello, one request at a time with ledgerd's errors printed verbatim, and
 * command-line parsing whose every complaint names the option and points at
 * the command's --help; and show and list, the same for every kind of
 * record but for how one record is printed. Commands decide what to send
 * and how to show it. */
#define _GNU_SOURCE   /* open_memstream */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "ctl.h"
#include "date.h"
#include "fields.h"
#include "frame.h"
#include "money.h"
#include "xmalloc.h"

const char *ctl_program = "ledgerctl";

const char *const ctl_roles[] = {
    "", "presale", "aftersale", "group-leader", "supervisor", "responsible",
    "checker", "finance", "planner", "editor", NULL
};
const char *const ctl_statuses[] = {
    "", "open", "paid", "shipped", "completed", "cancelled", NULL
};
const char *const ctl_channel_types[] = {
    "", "company", "staff", "promotion", "referral", NULL
};
const char *const ctl_assist_types[] = {
    "", "outside", "transfer", "proactive", "solution", NULL
};
const char *const ctl_party_kinds[] = { "", "staff", "customer", "partner", NULL };

/* ctl_enum_name - table lookup that survives values newer than the table */
const char *ctl_enum_name(const char *const names[], int v)
{
    for (int i = 0; names[i]; i++)
        if (i == v)
            return names[i];
    return "?";
}

/* ctl_usage - one line on stderr, pointing at the command's help */
int ctl_usage(const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (cmd && *cmd)
        fprintf(stderr, "%s: %s: %s; see '%s %s --help'\n", ctl_program, cmd, msg, ctl_program,
                cmd);
    else
        fprintf(stderr, "%s: %s; see '%s --help'\n", ctl_program, msg, ctl_program);
    return CTL_USAGE;
}

/* ctl_group - dispatch on the subcommand name */
int ctl_group(ctl_t *ctl, const char *group, const ctl_cmd_t *cmds,
              const char *help, int argc, char **argv)
{
    if (argc < 2)
        return ctl_usage(group, "missing subcommand");
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        fputs(help, stdout);
        fputs("\nCommands:\n", stdout);
        int width = 8;   /* the longest name sets the column */
        for (const ctl_cmd_t *c = cmds; c->name; c++)
            if ((int)strlen(c->name) > width)
                width = (int)strlen(c->name);
        for (const ctl_cmd_t *c = cmds; c->name; c++)
            printf("  %s %-*s  %s\n", group, width, c->name, c->summary);
        printf("\nSee '%s %s COMMAND --help' for a command's options.\n", ctl_program, group);
        return CTL_OK;
    }
    for (const ctl_cmd_t *c = cmds; c->name; c++)
        if (!strcmp(c->name, name))
            return c->run(ctl, argc - 1, argv + 1);
    return ctl_usage(group, "unknown subcommand '%s'", name);
}

/* ctl_opt_next - getopt_long with the complaints made uniform */
int ctl_opt_next(ctl_opts_t *o)
{
    if (!o->started) {
        optind = 0;   /* glibc: a full reset, as each command parses afresh */
        opterr = 0;
        o->started = 1;
    }
    int c = getopt_long(o->argc, o->argv, ":h", o->opts, NULL);
    const char *bad = optind > 0 && optind <= o->argc ? o->argv[optind - 1] : "?";
    switch (c) {
    case 'h':
        fputs(o->usage, stdout);
        o->rc = CTL_OK;
        return CTL_OPT_STOP;
    case ':':
        o->rc = ctl_usage(o->cmd, "option '%s' needs a value", bad);
        return CTL_OPT_STOP;
    case '?':
        if (optopt && optopt != '?')
            o->rc = ctl_usage(o->cmd, "unknown option '-%c'", optopt);
        else
            o->rc = ctl_usage(o->cmd, "unknown option '%s'", bad);
        return CTL_OPT_STOP;
    }
    return c;
}

/* ctl_opt_operands - operands are what getopt left after the options */
int ctl_opt_operands(ctl_opts_t *o, int min, int max, const char *names)
{
    int n = o->argc - optind;
    if (n < min)
        return ctl_usage(o->cmd, "missing %s", names);
    if (n > max)
        return ctl_usage(o->cmd, "unexpected argument '%s'", o->argv[optind + max]);
    return 0;
}

/* ctl_parse_money - yuan as typed, into fen */
int ctl_parse_money(const char *cmd, const char *opt, const char *text, int64_t *out)
{
    err_t err;
    if (money_parse(out, text, &err) < 0)
        return ctl_usage(cmd, "%s: %s", opt, err.msg);   /* the message quotes text */
    return 0;
}

/* ctl_parse_time - local time in the ledger's zone (ctl_open set it) */
int ctl_parse_time(const char *cmd, const char *opt, const char *text, int64_t *out_ms)
{
    err_t err;
    if (date_parse_time(out_ms, text, &err) < 0)
        return ctl_usage(cmd, "%s: %s", opt, err.msg);
    return 0;
}

/* ctl_parse_date - a calendar date, checked before it is sent */
int ctl_parse_date(const char *cmd, const char *opt, const char *text)
{
    err_t err;
    date_t d;
    if (date_parse(&d, text, &err) < 0)
        return ctl_usage(cmd, "%s: %s", opt, err.msg);
    return 0;
}

/* ctl_parse_uint - decimal digits only, within min..max */
int ctl_parse_uint(const char *cmd, const char *opt, const char *text,
                   uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!*text || *text < '0' || *text > '9' || *end || errno || v < min || v > max)
        return ctl_usage(cmd, "%s: '%s' is not a whole number from %llu to %llu",
                         opt, text, (unsigned long long)min, (unsigned long long)max);
    *out = v;
    return 0;
}

/* ctl_parse_enum - exact names from the table; the message lists them */
int ctl_parse_enum(const char *cmd, const char *opt, const char *const names[],
                   const char *text, int *out)
{
    char list[256] = "";
    for (int i = 1; names[i]; i++) {
        if (!strcmp(names[i], text)) {
            *out = i;
            return 0;
        }
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", i > 1 ? "|" : "", names[i]);
    }
    return ctl_usage(cmd, "%s: '%s' is not one of %s", opt, text, list);
}

/* ctl_parse_party - KIND:CODE; the code is left to ledgerd to check */
int ctl_parse_party(const char *cmd, const char *opt, char *text, Ledger__PartyRef *out)
{
    char *colon = strchr(text, ':');
    if (!colon || !colon[1])
        return ctl_usage(cmd, "%s: '%s' is not KIND:CODE (staff:S-00001, customer:C-00001 "
                         "or partner:P-00001)",
                         opt, text);
    *colon = '\0';
    int kind;
    int rc = ctl_parse_enum(cmd, opt, ctl_party_kinds, text, &kind);
    *colon = ':';
    if (rc)
        return rc;
    out->kind = kind;
    out->code = colon + 1;
    return 0;
}

/* ctl_result_get - NOT_FOUND is an answer here, so not ctl_call, which
 * would print it */
int ctl_result_get(ctl_result_t *out, ctl_t *ctl, const char *kind, const char *key,
                   const ProtobufCMessageDescriptor *desc)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__ResultGet req = LEDGER__RESULT_GET__INIT;
    err_t err;

    memset(out, 0, sizeof *out);
    ctl_meta_read(ctl, &meta);
    req.meta = &meta;
    req.kind = (char *)kind;
    req.key = (char *)key;
    if (client_call(ctl->client, FRAME_RESULT_GET, &req.base, &ledger__result__descriptor,
                    (ProtobufCMessage **)&out->result, &err) < 0) {
        out->result = NULL;
        return err.code == ERR(NOT_FOUND) ? CTL_OK : ctl_report(ctl, &err);
    }
    const ProtobufCBinaryData *p = &out->result->payload;
    out->payload = codec_unpack(desc, p->len ? p->data : (const uint8_t *)"", p->len, &err);
    if (!out->payload) {
        fprintf(stderr, "%s: %s result %s (version %llu, by %s): the payload is not "
                "a %s: %s%s%s: %s\n", ctl_program, out->result->kind, out->result->key,
                (unsigned long long)out->result->version, out->result->owner, desc->name,
                err_code_name(err.code), err.field[0] ? " " : "", err.field, err.msg);
        ctl_result_fini(out);
        return CTL_REJECTED;
    }
    return CTL_OK;
}

int ctl_result_each(ctl_t *ctl, const char *kind, const char *prefix,
                    int (*take)(void *arg, const Ledger__Result *r), void *arg)
{
    uint8_t token[256];
    ProtobufCBinaryData page = { 0, NULL };
    int rc, stop = 0;
    do {
        Ledger__Meta meta = LEDGER__META__INIT;
        Ledger__ResultList req = LEDGER__RESULT_LIST__INIT;
        Ledger__ResultListReply *rep = NULL;
        ctl_meta_read(ctl, &meta);
        req.meta = &meta;
        req.kind = (char *)kind;
        req.key_prefix = (char *)prefix;
        req.limit = 1000;
        req.page_token = page;
        if ((rc = ctl_call(ctl, FRAME_RESULT_LIST, &req.base,
                           &ledger__result_list_reply__descriptor, (ProtobufCMessage **)&rep)))
            return rc;
        for (size_t i = 0; i < rep->n_results && !stop; i++)
            stop = take(arg, rep->results[i]);
        page.len = rep->next_page_token.len < sizeof token ? rep->next_page_token.len : 0;
        if (page.len)   /* an empty token may come as NULL */
            memcpy(token, rep->next_page_token.data, page.len);
        page.data = token;
        ledger__result_list_reply__free_unpacked(rep, NULL);
    } while (page.len && !stop);
    return CTL_OK;
}

int ctl_records_each(ctl_t *ctl, Ledger__EntityKind kind, const char *branch,
                     int (*take)(void *arg, const Ledger__Record *r), void *arg)
{
    uint8_t token[256];
    ProtobufCBinaryData page = { 0, NULL };
    int rc, stop = 0;
    do {
        Ledger__Meta meta = LEDGER__META__INIT;
        Ledger__List req = LEDGER__LIST__INIT;
        Ledger__ListReply *rep = NULL;
        ctl_meta_read(ctl, &meta);
        req.meta = &meta;
        req.kind = kind;
        req.branch = (char *)(branch ? branch : "");
        req.limit = 1000;
        req.page_token = page;
        if ((rc = ctl_call(ctl, FRAME_LIST, &req.base, &ledger__list_reply__descriptor,
                           (ProtobufCMessage **)&rep)))
            return rc;
        for (size_t i = 0; i < rep->n_records && !stop; i++)
            stop = take(arg, rep->records[i]);
        page.len = rep->next_page_token.len < sizeof token ? rep->next_page_token.len : 0;
        if (page.len)
            memcpy(token, rep->next_page_token.data, page.len);
        page.data = token;
        ledger__list_reply__free_unpacked(rep, NULL);
    } while (page.len && !stop);
    return CTL_OK;
}

/* ctl_result_fini - the result and its unpacked payload */
void ctl_result_fini(ctl_result_t *a)
{
    if (a->payload)
        protobuf_c_message_free_unpacked(a->payload, NULL);
    if (a->result)
        ledger__result__free_unpacked(a->result, NULL);
    a->payload = NULL;
    a->result = NULL;
}

/* ctl_party_json - {kind, code, id}, or null when absent */
void ctl_party_json(out_json_t *j, const char *key, const Ledger__PartyRef *p)
{
    if (!p) {
        out_json_null(j, key);
        return;
    }
    out_json_object(j, key);
    out_json_str(j, "kind", ctl_enum_name(ctl_party_kinds, p->kind));
    out_json_str(j, "code", p->code);
    out_json_uint(j, "id", p->id);
    out_json_end(j);
}

/* ctl_report - ledgerd's error as "ledgerctl: CODE field: message" */
int ctl_report(ctl_t *ctl, const err_t *err)
{
    if (err->code == ERR(TIMEOUT)) {
        fprintf(stderr, "%s: no reply from %s within %d ms (is ledgerd running?)\n",
                ctl_program, ctl->endpoint, ctl->timeout_ms);
        if (ctl->write_key)
            fprintf(stderr, "%s: the write may still be applied; repeat it with "
                    "--idempotency-key %s to be sure it is applied once\n", ctl_program,
                    ctl->write_key);
        return CTL_UNREACHABLE;
    }
    if (err->code == ERR(UNAUTHENTICATED)) {
        fprintf(stderr, "%s: %s\n", ctl_program, err->msg);
        return CTL_REFUSED;
    }
    if (err->field[0])
        fprintf(stderr, "%s: %s %s: %s\n", ctl_program, err_code_name(err->code), err->field,
                err->msg);
    else
        fprintf(stderr, "%s: %s: %s\n", ctl_program, err_code_name(err->code), err->msg);
    return CTL_REJECTED;
}

/* ctl_call - client_call with the outcome turned into an exit code */
int ctl_call(ctl_t *ctl, uint8_t type, const ProtobufCMessage *req,
             const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **out)
{
    err_t err;
    int rc = client_call(ctl->client, type, req, reply_desc, out, &err);
    int code = rc < 0 ? ctl_report(ctl, &err) : CTL_OK;
    ctl->write_key = NULL;
    return code;
}

/* ctl_call_wait - a client of its own, since a client's wait is fixed when
 * it is made; the request's meta strings belong to ctl->client, kept open */
int ctl_call_wait(ctl_t *ctl, int wait_ms, uint8_t type, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **out)
{
    client_t *opened = ctl->client;
    int timeout_ms = ctl->timeout_ms;
    ctl->client = client_new(ctl->endpoint, ctl->actor, wait_ms);
    if (!ctl->client) {
        ctl->client = opened;
        return ctl_usage(NULL, "--endpoint: cannot use '%s': %s", ctl->endpoint,
                         strerror(errno));
    }
    ctl->timeout_ms = wait_ms;   /* ctl_report names the wait that ran out */
    int rc = ctl_call(ctl, type, req, reply_desc, out);
    client_destroy(&ctl->client);
    ctl->client = opened;
    ctl->timeout_ms = timeout_ms;
    return rc;
}

/* ctl_open - the Hello tells the zone that dates are typed and shown in */
int ctl_open(ctl_t *ctl)
{
    if (ctl->client)
        return CTL_OK;
    ctl->client = client_new(ctl->endpoint, ctl->actor, ctl->timeout_ms);
    if (!ctl->client)
        return ctl_usage(NULL, "--endpoint: cannot use '%s': %s",
                         ctl->endpoint, strerror(errno));
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__Hello req = LEDGER__HELLO__INIT;
    ctl_meta_read(ctl, &meta);
    req.meta = &meta;
    int rc = ctl_call(ctl, FRAME_HELLO, &req.base, &ledger__hello_reply__descriptor,
                      (ProtobufCMessage **)&ctl->hello);
    if (rc)
        return rc;
    if (ctl->hello->protocol_version != FRAME_VERSION)
        fprintf(stderr, "%s: warning: ledgerd speaks protocol %u, this client %d\n",
                ctl_program, ctl->hello->protocol_version, FRAME_VERSION);
    err_t err;
    if (date_zone_set(ctl->hello->time_zone, &err) < 0) {
        fprintf(stderr, "%s: warning: the ledger's time zone %s is not installed "
                "here (%s); times are in UTC\n", ctl_program, ctl->hello->time_zone, err.msg);
        date_zone_set("UTC", &err);
    }
    return CTL_OK;
}

/* ctl_close - drops the connection and the Hello */
void ctl_close(ctl_t *ctl)
{
    if (ctl->hello)
        protobuf_c_message_free_unpacked(&ctl->hello->base, NULL);
    ctl->hello = NULL;
    client_destroy(&ctl->client);
}

/* ctl_start - with no options the first answer is the end or a stop */
int ctl_start(ctl_t *ctl, ctl_opts_t *o, int min, int max, const char *names)
{
    static const struct option none[] = { CTL_OPTS_END };
    o->opts = none;
    if (ctl_opt_next(o) != -1)
        return CTL_OPT_STOP;
    if ((o->rc = ctl_opt_operands(o, min, max, names)) || (o->rc = ctl_open(ctl)))
        return CTL_OPT_STOP;
    return 0;
}

/* ctl_meta_read - reads carry no idempotency key */
void ctl_meta_read(ctl_t *ctl, Ledger__Meta *meta)
{
    client_meta(ctl->client, meta, "");
    ctl->write_key = NULL;
}

/* ctl_meta_write - remembered so a timeout can say how to retry safely */
void ctl_meta_write(ctl_t *ctl, Ledger__Meta *meta)
{
    client_meta(ctl->client, meta, ctl->idem);
    ctl->write_key = meta->idempotency_key;
}

/* ctl_get - one record by code */
int ctl_get(ctl_t *ctl, Ledger__EntityKind kind, const char *code, Ledger__GetReply **out)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__Get req = LEDGER__GET__INIT;
    ctl_meta_read(ctl, &meta);
    req.meta = &meta;
    req.kind = kind;
    req.code = (char *)code;
    return ctl_call(ctl, FRAME_GET, &req.base, &ledger__get_reply__descriptor,
                    (ProtobufCMessage **)out);
}

/* s_got - the record a Get reply holds, or NULL if it is not of kind */
static const void *s_got(const Ledger__GetReply *got, Ledger__EntityKind kind)
{
    switch (got->record_case) {
    case LEDGER__GET_REPLY__RECORD_STAFF:
        return kind == LEDGER__ENTITY_KIND__ENTITY_STAFF ? got->staff : NULL;
    case LEDGER__GET_REPLY__RECORD_CUSTOMER:
        return kind == LEDGER__ENTITY_KIND__ENTITY_CUSTOMER ? got->customer : NULL;
    case LEDGER__GET_REPLY__RECORD_ORDER:
        return kind == LEDGER__ENTITY_KIND__ENTITY_ORDER ? got->order : NULL;
    default:   /* the rest are numbered as EntityKind */
        return (int)got->record_case == (int)kind ? fields_oneof(&got->base, kind) : NULL;
    }
}

/* ctl_get_record - a reply of another kind is said, not trusted */
int ctl_get_record(ctl_t *ctl, const ctl_record_t *rec, const char *code,
                   Ledger__GetReply **out)
{
    int rc = ctl_get(ctl, rec->kind, code, out);
    if (rc == CTL_OK && !s_got(*out, rec->kind)) {
        fprintf(stderr, "%s: ledgerd sent no %s record for %s\n", ctl_program, rec->name, code);
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        rc = CTL_REJECTED;
    }
    return rc;
}

/* ctl_show - Get by code, printed by the record's own functions */
int ctl_show(ctl_t *ctl, const ctl_record_t *rec, const char *usage,
             int argc, char **argv)
{
    char cmd[64];
    snprintf(cmd, sizeof cmd, "%s show", rec->name);
    ctl_opts_t o = { argc, argv, cmd, usage };
    Ledger__GetReply *got = NULL;
    int rc;

    if (ctl_start(ctl, &o, 1, 1, "CODE"))
        return o.rc;
    if ((rc = ctl_get_record(ctl, rec, argv[optind], &got)))
        return rc;
    const void *record = s_got(got, rec->kind);
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        if (rec->json)
            rec->json(&j, record);
        else
            fields_json(&j, NULL, record);
    } else if (rec->show)
        rec->show(record);
    else
        fields_show(record);
    protobuf_c_message_free_unpacked(&got->base, NULL);
    return CTL_OK;
}

typedef struct {
    ctl_t *ctl;                 /* for --json */
    const ctl_record_t *rec;    /* how a record prints */
    out_json_t json;            /* the open array of records */
    out_table_t *table;         /* rows for people */
} s_list_t;

/* s_listed - a List reply's i-th record of kind, or NULL past the end */
static const void *s_listed(const Ledger__ListReply *r, Ledger__EntityKind kind, size_t i)
{
    switch (kind) {
    case LEDGER__ENTITY_KIND__ENTITY_STAFF:
        return i < r->n_staff ? r->staff[i] : NULL;
    case LEDGER__ENTITY_KIND__ENTITY_CUSTOMER:
        return i < r->n_customers ? r->customers[i] : NULL;
    case LEDGER__ENTITY_KIND__ENTITY_ORDER:
        return i < r->n_orders ? r->orders[i] : NULL;
    default:   /* Record's members are numbered as EntityKind */
        return i < r->n_records ? fields_oneof(&r->records[i]->base, kind) : NULL;
    }
}

/* s_list_page - one page into the table or the JSON array */
static void s_list_page(s_list_t *l, const Ledger__ListReply *r)
{
    const void *rec;
    for (size_t i = 0; (rec = s_listed(r, l->rec->kind, i)); i++) {
        if (l->ctl->json && l->rec->json)
            l->rec->json(&l->json, rec);
        else if (l->ctl->json)
            fields_json(&l->json, NULL, rec);
        else if (l->rec->row)
            l->rec->row(l->table, rec);
        else
            fields_row(l->table, l->rec->columns, rec);
    }
}

/* s_hex - bytes as lowercase hex; caller frees */
static char *s_hex(const uint8_t *data, size_t len)
{
    char *out = xmalloc(2 * len + 1);
    for (size_t i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", data[i]);
    out[2 * len] = '\0';
    return out;
}

/* s_list_pages - with all, follow next_page_token to the end; *next_out
 * gets a following page's token as hex ("" if none; caller frees) */
static int s_list_pages(ctl_t *ctl, Ledger__List *req, int all, s_list_t *l,
                        char **next_out)
{
    Ledger__Meta meta = LEDGER__META__INIT;
    ProtobufCBinaryData given = req->page_token;   /* the caller's, restored */
    uint8_t *token = NULL;
    int rc;

    ctl_meta_read(ctl, &meta);
    req->meta = &meta;
    *next_out = NULL;
    for (;;) {
        Ledger__ListReply *r = NULL;
        rc = ctl_call(ctl, FRAME_LIST, &req->base, &ledger__list_reply__descriptor,
                      (ProtobufCMessage **)&r);
        if (rc)
            break;
        s_list_page(l, r);
        size_t n = r->next_page_token.len;
        if (n == 0 || !all) {
            *next_out = s_hex(r->next_page_token.data, n);
            protobuf_c_message_free_unpacked(&r->base, NULL);
            break;
        }
        /* Copied: the token dies with its reply, freed before the next call. */
        free(token);
        token = xmalloc(n);
        memcpy(token, r->next_page_token.data, n);
        req->page_token.data = token;
        req->page_token.len = n;
        protobuf_c_message_free_unpacked(&r->base, NULL);
    }
    free(token);
    req->page_token = given;
    req->meta = NULL;
    return rc;
}

/* s_parse_token - even-length hex, as s_list_pages prints it, into
 * req->page_token, a buffer the caller frees */
static int s_parse_token(const char *cmd, const char *text, Ledger__List *req)
{
    size_t n = strlen(text);
    if (n % 2 || strspn(text, "0123456789abcdefABCDEF") != n)
        return ctl_usage(cmd, "--page-token: '%s' is not a token printed by ledgerctl", text);
    uint8_t *data = xmalloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        sscanf(text + 2 * i, "%2x", &v);
        data[i] = (uint8_t)v;
    }
    free(req->page_token.data);   /* an earlier --page-token */
    req->page_token.data = data;
    req->page_token.len = n / 2;
    return 0;
}

enum { OPT_CUSTOMER = 256, OPT_BRANCH, OPT_FROM, OPT_TO, OPT_LIMIT, OPT_ALL, OPT_TOKEN,
       OPT_ORDER };

static const struct option s_list_opts[] = {
    { "branch", required_argument, NULL, OPT_BRANCH },
    { "limit", required_argument, NULL, OPT_LIMIT },
    { "all", no_argument, NULL, OPT_ALL },
    { "page-token", required_argument, NULL, OPT_TOKEN },
    CTL_OPTS_END
};

/* Only orders can be listed by customer and date (request.proto, List). */
static const struct option s_order_list_opts[] = {
    { "customer", required_argument, NULL, OPT_CUSTOMER },
    { "branch", required_argument, NULL, OPT_BRANCH },
    { "from", required_argument, NULL, OPT_FROM },
    { "to", required_argument, NULL, OPT_TO },
    { "limit", required_argument, NULL, OPT_LIMIT },
    { "all", no_argument, NULL, OPT_ALL },
    { "page-token", required_argument, NULL, OPT_TOKEN },
    CTL_OPTS_END
};

/* s_record_list_opts - the filters a record.proto kind has (as ledgerd
 * decides: by its branch, customer_id and order_id fields) into out */
static void s_record_list_opts(const ProtobufCMessageDescriptor *d, struct option *out)
{
    static const struct {
        const char *field;
        struct option opt;
    } filters[] = {
        { "branch", { "branch", required_argument, NULL, OPT_BRANCH } },
        { "customer_id", { "customer", required_argument, NULL, OPT_CUSTOMER } },
        { "order_id", { "order", required_argument, NULL, OPT_ORDER } },
    };
    int n = 0;
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++)
        if (protobuf_c_message_descriptor_get_field_by_name(d, filters[i].field))
            out[n++] = filters[i].opt;
    for (const struct option *o = s_list_opts + 1; ; o++) {   /* after --branch */
        out[n++] = *o;
        if (!o->name)
            break;
    }
}

/* ctl_list - one page or --all, as a table or one JSON object */
int ctl_list(ctl_t *ctl, const ctl_record_t *rec, const char *usage,
             int argc, char **argv)
{
    char cmd[64];
    snprintf(cmd, sizeof cmd, "%s list", rec->name);
    struct option record_opts[16];
    ctl_opts_t o = { argc, argv, cmd, usage,
                     rec->kind == LEDGER__ENTITY_KIND__ENTITY_ORDER ? s_order_list_opts
                                                                    : s_list_opts };
    Ledger__List req = LEDGER__LIST__INIT;
    s_list_t l = { .ctl = ctl, .rec = rec };
    char *next = NULL, *buf = NULL;
    size_t len = 0;
    FILE *mem = NULL;
    uint64_t limit = 0;
    int c, all = 0, rc = CTL_OK;

    req.kind = rec->kind;
    if (rec->desc) {
        s_record_list_opts(rec->desc, record_opts);
        o.opts = record_opts;
    }
    while ((c = ctl_opt_next(&o)) != -1) {
        switch (c) {
        case OPT_CUSTOMER: req.customer_code = optarg; break;
        case OPT_ORDER:    req.order_code = optarg; break;
        case OPT_BRANCH:   req.branch = optarg; break;
        case OPT_ALL:      all = 1; break;
        case OPT_FROM:
            rc = ctl_parse_date(o.cmd, "--from", optarg);
            req.from_date = optarg;
            break;
        case OPT_TO:
            rc = ctl_parse_date(o.cmd, "--to", optarg);
            req.to_date = optarg;
            break;
        case OPT_LIMIT: rc = ctl_parse_uint(o.cmd, "--limit", optarg, 1, 1000, &limit); break;
        case OPT_TOKEN: rc = s_parse_token(o.cmd, optarg, &req); break;
        default:        rc = o.rc;
        }
        if (rc || c == CTL_OPT_STOP)
            goto done;
    }
    req.limit = (uint32_t)limit;
    if ((rc = ctl_opt_operands(&o, 0, 0, "")) || (rc = ctl_open(ctl)))
        goto done;
    if (ctl->json) {
        /* Held back until the last page is in: an error prints no JSON. */
        mem = open_memstream(&buf, &len);
        out_json_init(&l.json, mem);
        out_json_object(&l.json, NULL);
        out_json_array(&l.json, rec->plural);
    } else
        l.table = rec->table ? rec->table() : fields_table(rec->desc, rec->columns);
    rc = s_list_pages(ctl, &req, all, &l, &next);
    if (ctl->json) {
        out_json_end(&l.json);
        out_json_str(&l.json, "next_page_token", next ? next : "");
        out_json_end(&l.json);
        fclose(mem);
        if (rc == CTL_OK)
            fwrite(buf, 1, len, stdout);
    } else if (rc == CTL_OK) {
        out_table_print(l.table, stdout);
        if (next && *next)
            fprintf(stderr, "%s: more %s follow: use --all, or --page-token %s\n", ctl_program,
                    rec->plural, next);
    }
done:
    out_table_destroy(&l.table);
    free(req.page_token.data);
    free(next);
    free(buf);
    return rc;
}

/* ctl_write - an amend that changed nothing has seq 0 */
int ctl_write(ctl_t *ctl, uint8_t type, const ProtobufCMessage *req,
              const char *verb, const char *what)
{
    Ledger__WriteReply *r = NULL;
    int rc = ctl_call(ctl, type, req, &ledger__write_reply__descriptor,
                      (ProtobufCMessage **)&r);
    if (rc)
        return rc;
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_uint(&j, "id", r->id);
        out_json_str(&j, "code", r->code);
        out_json_uint(&j, "version", r->version);
        out_json_uint(&j, "seq", r->seq);
        out_json_bool(&j, "changed", r->seq != 0);
        out_json_end(&j);
    } else if (r->seq == 0)
        printf("%s %s unchanged (id %llu, version %llu)\n", what, r->code,
               (unsigned long long)r->id, (unsigned long long)r->version);
    else
        printf("%s %s %s (id %llu, version %llu, seq %llu)\n", verb, what, r->code,
               (unsigned long long)r->id, (unsigned long long)r->version,
               (unsigned long long)r->seq);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return CTL_OK;
}

/* ctl_time - "-" for an unset time */
const char *ctl_time(char *out, size_t n, int64_t ms)
{
    if (ms == 0)
        snprintf(out, n, "-");
    else
        out_time(out, n, ms);
    return out;
}

/* ---- the program: global options, then one command ----------------------- */

enum { OPT_ENDPOINT = 256, OPT_EVENTS, OPT_ACTOR, OPT_TIMEOUT, OPT_JSON, OPT_IDEM, OPT_CERT };

/* s_env - an environment variable, or def when unset or empty */
static const char *s_env(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

/* s_options - global options up to the command name; 0 or an exit code,
 * with *done set when --help was answered */
static int s_options(ctl_t *ctl, int argc, char **argv, const char *usage, int *done)
{
    static const struct option opts[] = {
        { "endpoint", required_argument, NULL, OPT_ENDPOINT },
        { "events", required_argument, NULL, OPT_EVENTS },
        { "actor", required_argument, NULL, OPT_ACTOR },
        { "cert", required_argument, NULL, OPT_CERT },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "json", no_argument, NULL, OPT_JSON },
        { "idempotency-key", required_argument, NULL, OPT_IDEM },
        CTL_OPTS_END
    };
    int c, rc;
    uint64_t v;

    /* "+": stop at the command name; its options are its own. */
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        const char *bad = argv[optind - 1];
        switch (c) {
        case OPT_ENDPOINT: ctl->endpoint = optarg; break;
        case OPT_EVENTS:   ctl->events = optarg; break;
        case OPT_ACTOR:    ctl->actor = optarg; break;
        case OPT_CERT:     setenv("LEDGER_CERT", optarg, 1); break;   /* client.c reads it */
        case OPT_JSON:     ctl->json = 1; break;
        case OPT_IDEM:     ctl->idem = optarg; break;
        case OPT_TIMEOUT:
            if ((rc = ctl_parse_uint(NULL, "--timeout", optarg, 1, 3600000, &v)))
                return rc;
            ctl->timeout_ms = (int)v;
            break;
        case 'h':
            fputs(usage, stdout);
            *done = 1;
            return CTL_OK;
        case ':':
            return ctl_usage(NULL, "option '%s' needs a value", bad);
        default:
            if (optopt && optopt != '?')
                return ctl_usage(NULL, "unknown option '-%c'", optopt);
            return ctl_usage(NULL, "unknown option '%s'", bad);
        }
    }
    if (!*ctl->actor)
        return ctl_usage(NULL, "--actor: the name must not be empty");
    if (ctl->idem && !*ctl->idem)
        return ctl_usage(NULL, "--idempotency-key: the key must not be empty");
    return CTL_OK;
}

int ctl_main(int argc, char **argv, const char *usage, const ctl_cmd_t *commands)
{
    ctl_t ctl = {
        .endpoint = s_env("LEDGER_ENDPOINT", CTL_ENDPOINT),
        .events = s_env("LEDGER_EVENTS", CTL_EVENTS),
        .actor = s_env("LEDGER_ACTOR", s_env("USER", ctl_program)),
        .timeout_ms = CTL_TIMEOUT,
    };
    int done = 0;

    out_init();
    int rc = s_options(&ctl, argc, argv, usage, &done);
    if (rc || done)
        return rc;
    if (optind >= argc)
        return ctl_usage(NULL, "missing command");
    const char *name = argv[optind];
    if (!strcmp(name, "help")) {
        fputs(usage, stdout);
        return CTL_OK;
    }
    const ctl_cmd_t *cmd = NULL;
    for (const ctl_cmd_t *c = commands; c->name; c++)
        if (!strcmp(c->name, name))
            cmd = c;
    if (!cmd)
        return ctl_usage(NULL, "unknown command '%s'", name);
    rc = cmd->run(&ctl, argc - optind, argv + optind);
    ctl_close(&ctl);
    return rc;
}
