/* fields - records read from the command line and printed, driven by their
 * protobuf-c descriptors: one option per settable field (--inviter CODE for
 * inviter_code, --paid TIME for paid_ms, --amount YUAN for a sint64, --kind
 * seller for PARTNER_SELLER, --active/--no-active for a bool), one JSON
 * member or show line per field, list cells by field name. Which kinds
 * exist, and which fields a list shows, is cmd_record.c's business. */
#ifndef LEDGERCTL_FIELDS_H
#define LEDGERCTL_FIELDS_H

#include <getopt.h>
#include <protobuf-c/protobuf-c.h>
#include "out.h"

#define FIELDS_MAX 48   /* options of one kind, far above any record's */

/* How an option sets its field. */
enum {
    FIELDS_VALUE,     /* parsed by the field's type */
    FIELDS_TRUE,      /* --broadcast */
    FIELDS_FALSE,     /* --no-broadcast */
    FIELDS_POSTING    /* --posting ACCOUNT:YUAN, appended to a repeated Posting */
};

typedef struct {
    const ProtobufCFieldDescriptor *field;   /* the field it sets */
    int mode;                                /* FIELDS_VALUE ... */
    char name[48];                           /* option name, without "--" */
} fields_opt_t;

/* The options of one kind; longopts' val is FIELDS_OPT0 + index into opt. */
#define FIELDS_OPT0 512
typedef struct {
    const ProtobufCMessageDescriptor *desc;     /* the record's message */
    fields_opt_t opt[FIELDS_MAX];               /* settable fields */
    size_t n;                                   /* how many */
    struct option longopts[FIELDS_MAX + 2];     /* for ctl_opt_next, with --help */
} fields_spec_t;

/* An option as typed, kept until the zone is known (times wait for Hello). */
typedef struct {
    int val;            /* longopts val */
    const char *text;   /* optarg, or NULL for a flag */
} fields_arg_t;

/* fields_spec_init - the options of desc's settable fields; code only when
 * with_code (adds); ids, versions and ledger times never */
void fields_spec_init(fields_spec_t *s, const ProtobufCMessageDescriptor *desc, int with_code);

/* fields_help - one line per option of s, with the value it takes */
void fields_help(FILE *f, const fields_spec_t *s);

/* fields_new - an empty message of desc (bools named "active" start true);
 * caller frees with protobuf_c_message_free_unpacked(m, NULL) */
ProtobufCMessage *fields_new(const ProtobufCMessageDescriptor *desc);

/* fields_apply - set the options in args onto m, in order; a repeated field's
 * first option replaces what m held. Strings are copied: m stays freeable
 * with protobuf_c_message_free_unpacked. 0, or CTL_USAGE naming the option. */
int fields_apply(const char *cmd, ProtobufCMessage *m, const fields_spec_t *s,
                 const fields_arg_t *args, size_t n);

/* fields_set_string - replace a string member, freeing the old copy */
void fields_set_string(char **slot, const char *text);

/* fields_oneof - the message in parent's oneof member numbered id, or NULL
 * when another member (or none) is set */
ProtobufCMessage *fields_oneof(const ProtobufCMessage *parent, unsigned id);

/* fields_oneof_take - that message, now the caller's; the oneof is cleared */
ProtobufCMessage *fields_oneof_take(ProtobufCMessage *parent, unsigned id);

/* fields_oneof_put - set parent's member id to m (still the caller's) */
void fields_oneof_put(ProtobufCMessage *parent, unsigned id, ProtobufCMessage *m);

/* fields_enum_name - PARTNER_SELLER as typed and shown: "seller"; "" for 0 */
const char *fields_enum_name(char *out, size_t n, const ProtobufCEnumDescriptor *e, int v);

/* fields_json - m as a JSON object: sint64 as <name>_fen, *_ms also as an
 * ISO local time <name>, enums by name, messages nested */
void fields_json(out_json_t *j, const char *key, const ProtobufCMessage *m);

/* fields_show - m as "key  value" lines for people (ids but the record's
 * own left out: the codes say it) */
void fields_show(const ProtobufCMessage *m);

/* fields_table - list headings for the named fields (NULL-ended);
 * caller frees with out_table_destroy */
out_table_t *fields_table(const ProtobufCMessageDescriptor *desc, const char *const *cols);

/* fields_row - one row of m's named fields */
void fields_row(out_table_t *t, const char *const *cols, const ProtobufCMessage *m);

#endif
