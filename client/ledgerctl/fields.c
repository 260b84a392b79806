/* fields - the record kinds of record.proto on the command line and on
 * stdout, from their protobuf-c descriptors rather than written per kind.
 * A field's name and type say how it is typed and shown: *_code is a
 * reference (--inviter for inviter_code), int64 *_ms a ledger-local time,
 * sint64 money in yuan, enums by their value names lowercased with the
 * enum's prefix dropped. Messages built here are freed by protobuf-c. */
#define _GNU_SOURCE   /* open_memstream */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "date.h"
#include "fields.h"
#include "money.h"
#include "xmalloc.h"

#define MEMBER(m, off, type) (*(type *)((char *)(m) + (off)))

/* s_ends - s ends with suffix */
static int s_ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* s_is_time - int64 *_ms: a time */
static int s_is_time(const ProtobufCFieldDescriptor *f)
{
    return f->type == PROTOBUF_C_TYPE_INT64 && s_ends(f->name, "_ms");
}

/* s_is_posting - repeated ledger.Posting */
static int s_is_posting(const ProtobufCFieldDescriptor *f)
{
    return f->type == PROTOBUF_C_TYPE_MESSAGE && f->label == PROTOBUF_C_LABEL_REPEATED &&
           !strcmp(((const ProtobufCMessageDescriptor *)f->descriptor)->short_name, "Posting");
}

/* s_is_id - uint64 *_id: filled by ledgerd from a code */
static int s_is_id(const ProtobufCFieldDescriptor *f)
{
    return (f->type == PROTOBUF_C_TYPE_UINT64 && s_ends(f->name, "_id")) ||
           (f->label == PROTOBUF_C_LABEL_REPEATED && s_ends(f->name, "_ids"));
}

/* s_set - a oneof member counts as present only when its case says so */
static int s_set(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    return !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ||
           MEMBER(m, f->quantifier_offset, uint32_t) == f->id;
}

/* s_elem_size - bytes per element of a repeated field */
static size_t s_elem_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4;
    }
}

/* s_option_name - inviter_code -> inviter, paid_ms -> paid, attendee_codes ->
 * attendee, unit_cost -> unit-cost */
static void s_option_name(char *out, size_t n, const char *field)
{
    snprintf(out, n, "%s", field);
    size_t len = strlen(out);
    static const char *const drop[] = { "_codes", "_code", "_ms", NULL };
    for (const char *const *d = drop; *d; d++)
        if (strcmp(out, *d + 1) && s_ends(out, *d)) {
            out[len - strlen(*d)] = '\0';
            break;
        }
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = '-';
}

/* s_add_opt - one option of the spec */
static void s_add_opt(fields_spec_t *s, const ProtobufCFieldDescriptor *f, int mode,
                      const char *name)
{
    if (s->n >= FIELDS_MAX)
        return;
    fields_opt_t *o = &s->opt[s->n];
    o->field = f;
    o->mode = mode;
    snprintf(o->name, sizeof o->name, "%s", name);
    s->longopts[s->n] = (struct option){ o->name, mode == FIELDS_TRUE || mode == FIELDS_FALSE
                                                  ? no_argument : required_argument,
                                         NULL, FIELDS_OPT0 + (int)s->n };
    s->n++;
}

/* fields_spec_init - what a clerk may set: not ids, versions, ledger times,
 * nor messages but postings (the approval chain has commands of its own) */
void fields_spec_init(fields_spec_t *s, const ProtobufCMessageDescriptor *desc, int with_code)
{
    char name[48], neg[56];
    memset(s, 0, sizeof *s);
    s->desc = desc;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (!strcmp(f->name, "id") || !strcmp(f->name, "version") ||
            !strcmp(f->name, "created_ms") || !strcmp(f->name, "updated_ms") ||
            f->type == PROTOBUF_C_TYPE_UINT64 || s_is_id(f) ||
            (!with_code && !strcmp(f->name, "code")))
            continue;
        if (s_is_posting(f)) {
            s_add_opt(s, f, FIELDS_POSTING, "posting");
            continue;
        }
        if (f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_BYTES)
            continue;
        s_option_name(name, sizeof name, f->name);
        if (f->type == PROTOBUF_C_TYPE_BOOL && f->label != PROTOBUF_C_LABEL_REPEATED) {
            s_add_opt(s, f, FIELDS_TRUE, name);
            snprintf(neg, sizeof neg, "no-%s", name);
            s_add_opt(s, f, FIELDS_FALSE, neg);
        } else
            s_add_opt(s, f, FIELDS_VALUE, name);
    }
    s->longopts[s->n] = (struct option){ "help", no_argument, NULL, 'h' };
}

/* s_enum_prefix - how much of every value name the enum's names share, up
 * to an underscore: "PARTNER_" */
static size_t s_enum_prefix(const ProtobufCEnumDescriptor *e)
{
    if (e->n_values < 2)
        return 0;
    const char *first = e->values[0].name;
    size_t n = strlen(first);
    for (unsigned i = 1; i < e->n_values; i++) {
        size_t k = 0;
        while (k < n && first[k] == e->values[i].name[k])
            k++;
        n = k;
    }
    while (n > 0 && first[n - 1] != '_')
        n--;
    return n;
}

/* fields_enum_name - lowercased, prefix dropped, '-' for '_' */
const char *fields_enum_name(char *out, size_t n, const ProtobufCEnumDescriptor *e, int v)
{
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(e, v);
    if (v == 0 || !ev) {
        snprintf(out, n, v == 0 ? "" : "%d", v);
        return out;
    }
    size_t skip = s_enum_prefix(e), k = 0;
    for (const char *p = ev->name + skip; *p && k + 1 < n; p++)
        out[k++] = *p == '_' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    out[k] = '\0';
    return out;
}

/* s_enum_list - "referrer|promoter|seller|distributor" */
static void s_enum_list(char *out, size_t n, const ProtobufCEnumDescriptor *e)
{
    char name[64];
    size_t len = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < e->n_values && len < n; i++)
        if (e->values[i].value != 0)
            len += snprintf(out + len, n - len, "%s%s", len ? "|" : "",
                            fields_enum_name(name, sizeof name, e, e->values[i].value));
}

/* s_meta - what an option's value looks like, and what it means */
static void s_meta(const fields_opt_t *o, char *value, size_t vn, char *meaning, size_t mn)
{
    const ProtobufCFieldDescriptor *f = o->field;
    *value = *meaning = '\0';
    if (o->mode == FIELDS_POSTING) {
        snprintf(value, vn, "ACCOUNT:YUAN");
        snprintf(meaning, mn, "a posting, negative to credit; repeat (2 or more, sum zero)");
        return;
    }
    if (o->mode == FIELDS_TRUE || o->mode == FIELDS_FALSE) {
        snprintf(meaning, mn, "%s %s", f->name, o->mode == FIELDS_TRUE ? "yes" : "no");
        return;
    }
    switch (f->type) {
    case PROTOBUF_C_TYPE_SINT64:
        snprintf(value, vn, "YUAN");
        snprintf(meaning, mn, "money, e.g. 12.50");
        break;
    case PROTOBUF_C_TYPE_ENUM:
        for (size_t k = 0; k + 1 < vn && (value[k] = o->name[k]); k++)
            value[k] = value[k] == '-' ? '_' : (char)(value[k] - 'a' + 'A');
        value[vn - 1] = '\0';
        s_enum_list(meaning, mn, f->descriptor);
        break;
    case PROTOBUF_C_TYPE_INT64:
        if (s_is_time(f)) {
            snprintf(value, vn, "TIME");
            snprintf(meaning, mn, "\"YYYY-MM-DD HH:MM[:SS]\", ledger-local%s",
                     f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF ? "; \"\" clears" : "");
        } else
            snprintf(value, vn, "N");
        break;
    default:
        if (s_ends(f->name, "_codes")) {
            snprintf(value, vn, "CODE");
            snprintf(meaning, mn, "repeat for each; the first replaces the list");
        } else if (s_ends(f->name, "_code") || !strcmp(f->name, "code")) {
            snprintf(value, vn, "CODE");
        } else if (!strcmp(f->name, "branch")) {
            snprintf(value, vn, "BRANCH");
        } else if (!strcmp(f->name, "date")) {
            snprintf(value, vn, "DATE");
            snprintf(meaning, mn, "YYYY-MM-DD, ledger-local");
        } else
            snprintf(value, vn, "TEXT");
    }
}

/* fields_help - aligned like the hand-written usages */
void fields_help(FILE *f, const fields_spec_t *s)
{
    char value[32], meaning[256], left[96];
    for (size_t i = 0; i < s->n; i++) {
        s_meta(&s->opt[i], value, sizeof value, meaning, sizeof meaning);
        snprintf(left, sizeof left, "--%s%s%s", s->opt[i].name, *value ? " " : "", value);
        if (*meaning)
            fprintf(f, "  %-24s %s\n", left, meaning);
        else
            fprintf(f, "  %s\n", left);
    }
}

/* fields_new - all defaults, as LEDGER__X__INIT would be */
ProtobufCMessage *fields_new(const ProtobufCMessageDescriptor *desc)
{
    ProtobufCMessage *m = xmalloc(desc->sizeof_message);
    protobuf_c_message_init(desc, m);
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc,
                                                                                      "active");
    if (f && f->type == PROTOBUF_C_TYPE_BOOL)
        MEMBER(m, f->offset, protobuf_c_boolean) = 1;
    return m;
}

/* fields_set_string - the empty default is protobuf-c's, never freed */
void fields_set_string(char **slot, const char *text)
{
    if (*slot && *slot != protobuf_c_empty_string)
        free(*slot);
    *slot = xstrdup(text);
}

/* s_append - one more element of a repeated field; returns its slot */
static void *s_append(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    size_t *n = &MEMBER(m, f->quantifier_offset, size_t);
    void **arr = &MEMBER(m, f->offset, void *);
    size_t size = s_elem_size(f);
    *arr = xrealloc(*arr, (*n + 1) * size);
    void *slot = (char *)*arr + *n * size;
    memset(slot, 0, size);
    (*n)++;
    return slot;
}

/* s_clear - empty a repeated field of strings or messages */
static void s_clear(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    size_t *n = &MEMBER(m, f->quantifier_offset, size_t);
    void **arr = &MEMBER(m, f->offset, void *);
    for (size_t i = 0; i < *n; i++) {
        if (f->type == PROTOBUF_C_TYPE_STRING)
            free(((char **)*arr)[i]);
        else if (f->type == PROTOBUF_C_TYPE_MESSAGE)
            protobuf_c_message_free_unpacked(((ProtobufCMessage **)*arr)[i], NULL);
    }
    free(*arr);
    *arr = NULL;
    *n = 0;
}

/* s_posting - ACCOUNT:YUAN; the amount after the last colon may be negative */
static int s_posting(const char *cmd, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                     const char *text)
{
    const char *colon = strrchr(text, ':');
    const ProtobufCMessageDescriptor *pd = f->descriptor;
    int64_t fen;
    if (!colon || colon == text || !colon[1])
        return ctl_usage(cmd, "--posting: '%s' is not ACCOUNT:YUAN", text);
    int rc = ctl_parse_money(cmd, "--posting YUAN", colon + 1, &fen);
    if (rc)
        return rc;
    ProtobufCMessage *p = fields_new(pd);
    const ProtobufCFieldDescriptor *acc = protobuf_c_message_descriptor_get_field_by_name(
        pd, "account_code");
    const ProtobufCFieldDescriptor *amt = protobuf_c_message_descriptor_get_field_by_name(
        pd, "amount");
    char *code = xstrdup(text);
    code[colon - text] = '\0';
    MEMBER(p, acc->offset, char *) = code;
    MEMBER(p, amt->offset, int64_t) = fen;
    *(ProtobufCMessage **)s_append(m, f) = p;
    return 0;
}

/* s_value - one option's text into its field */
static int s_value(const char *cmd, ProtobufCMessage *m, const fields_opt_t *o, const char *text)
{
    const ProtobufCFieldDescriptor *f = o->field;
    char opt[64];
    int rc = 0;
    snprintf(opt, sizeof opt, "--%s", o->name);
    void *slot = f->label == PROTOBUF_C_LABEL_REPEATED ? s_append(m, f)
                                                       : (char *)m + f->offset;
    int present = 1;
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING:
        if (f->label == PROTOBUF_C_LABEL_REPEATED)
            *(char **)slot = xstrdup(text);
        else
            fields_set_string(slot, text);
        break;
    case PROTOBUF_C_TYPE_SINT64:
        rc = ctl_parse_money(cmd, opt, text, slot);
        break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *e = f->descriptor;
        char name[64], list[256], typed[64];
        /* '-' and '_' both accepted: self-made, self_made */
        snprintf(typed, sizeof typed, "%s", text);
        for (char *p = typed; *p; p++)
            if (*p == '_')
                *p = '-';
        for (unsigned i = 0; i < e->n_values; i++) {
            int v = e->values[i].value;
            fields_enum_name(name, sizeof name, e, v);
            if (v != 0 && !strcmp(name, typed)) {
                *(int *)slot = v;
                return 0;
            }
        }
        s_enum_list(list, sizeof list, e);
        return ctl_usage(cmd, "%s: '%s' is not one of %s", opt, text, list);
    }
    case PROTOBUF_C_TYPE_BOOL:
        *(protobuf_c_boolean *)slot = o->mode == FIELDS_TRUE;
        break;
    case PROTOBUF_C_TYPE_INT64:
        if (s_is_time(f)) {
            if (!*text && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) {
                *(int64_t *)slot = 0;
                present = 0;
            } else
                rc = ctl_parse_time(cmd, opt, text, slot);
            break;
        }
        __attribute__((fallthrough));   /* a plain number */
    default: {
        char *end;
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (!*text || *end || errno)
            return ctl_usage(cmd, "%s: '%s' is not a whole number", opt, text);
        if (s_elem_size(f) == 8)
            *(int64_t *)slot = v;
        else
            *(int32_t *)slot = (int32_t)v;
    }
    }
    if (rc == 0 && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
        MEMBER(m, f->quantifier_offset, uint32_t) = present ? f->id : 0;
    return rc;
}

/* fields_apply - touched marks the repeated fields already replaced */
int fields_apply(const char *cmd, ProtobufCMessage *m, const fields_spec_t *s,
                 const fields_arg_t *args, size_t n)
{
    int touched[FIELDS_MAX] = { 0 };
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)(args[i].val - FIELDS_OPT0);
        if (k >= s->n)
            continue;
        const fields_opt_t *o = &s->opt[k];
        if (o->field->label == PROTOBUF_C_LABEL_REPEATED && !touched[k]) {
            s_clear(m, o->field);
            touched[k] = 1;
        }
        int rc = o->mode == FIELDS_POSTING ? s_posting(cmd, m, o->field, args[i].text)
                                           : s_value(cmd, m, o, args[i].text);
        if (rc)
            return rc;
    }
    return 0;
}

/* s_oneof_field - parent's member numbered id, if it is a set message */
static const ProtobufCFieldDescriptor *s_oneof_field(const ProtobufCMessage *parent,
                                                     unsigned id)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(parent->descriptor, id);
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
        return NULL;
    return f;
}

/* fields_oneof - GetReply, Record and Event hold one record in a oneof */
ProtobufCMessage *fields_oneof(const ProtobufCMessage *parent, unsigned id)
{
    const ProtobufCFieldDescriptor *f = s_oneof_field(parent, id);
    if (!f || !s_set(parent, f))
        return NULL;
    return MEMBER(parent, f->offset, ProtobufCMessage *);
}

/* fields_oneof_take - so the record outlives its reply */
ProtobufCMessage *fields_oneof_take(ProtobufCMessage *parent, unsigned id)
{
    ProtobufCMessage *m = fields_oneof(parent, id);
    if (m) {
        const ProtobufCFieldDescriptor *f = s_oneof_field(parent, id);
        MEMBER(parent, f->offset, ProtobufCMessage *) = NULL;
        MEMBER(parent, f->quantifier_offset, uint32_t) = 0;
    }
    return m;
}

/* fields_oneof_put - a member id the parent lacks is a bug */
void fields_oneof_put(ProtobufCMessage *parent, unsigned id, ProtobufCMessage *m)
{
    const ProtobufCFieldDescriptor *f = s_oneof_field(parent, id);
    assert(f);
    MEMBER(parent, f->offset, ProtobufCMessage *) = m;
    MEMBER(parent, f->quantifier_offset, uint32_t) = id;
}

/* s_json_one - one value (elem points at it) under key */
static void s_json_one(out_json_t *j, const char *key, const ProtobufCFieldDescriptor *f,
                       const void *elem)
{
    char name[64];
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING:
        out_json_str(j, key, *(char *const *)elem);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        out_json_bool(j, key, *(const protobuf_c_boolean *)elem);
        break;
    case PROTOBUF_C_TYPE_ENUM:
        out_json_str(j, key, fields_enum_name(name, sizeof name, f->descriptor,
                                              *(const int *)elem));
        break;
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
        out_json_uint(j, key, *(const uint64_t *)elem);
        break;
    case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
        out_json_uint(j, key, *(const uint32_t *)elem);
        break;
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
        out_json_int(j, key, *(const int64_t *)elem);
        break;
    case PROTOBUF_C_TYPE_MESSAGE:
        fields_json(j, key, *(ProtobufCMessage *const *)elem);
        break;
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = elem;
        out_json_hex(j, key, b->data, b->len);
        break;
    }
    case PROTOBUF_C_TYPE_FLOAT: case PROTOBUF_C_TYPE_DOUBLE:
        out_json_null(j, key);   /* the ledger has none: money is fen */
        break;
    default:
        out_json_int(j, key, *(const int32_t *)elem);
    }
}

/* fields_json - a NULL message prints null */
void fields_json(out_json_t *j, const char *key, const ProtobufCMessage *m)
{
    char k[80], iso[48];
    if (!m) {
        out_json_null(j, key);
        return;
    }
    out_json_object(j, key);
    for (unsigned i = 0; i < m->descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &m->descriptor->fields[i];
        int time = s_is_time(f), money = f->type == PROTOBUF_C_TYPE_SINT64;
        snprintf(k, sizeof k, money ? "%s_fen" : "%s", f->name);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = MEMBER(m, f->quantifier_offset, size_t);
            const char *arr = MEMBER(m, f->offset, const char *);
            out_json_array(j, k);
            for (size_t e = 0; e < n; e++)
                s_json_one(j, NULL, f, arr + e * s_elem_size(f));
            out_json_end(j);
            continue;
        }
        int set = s_set(m, f);
        if (!set && f->type == PROTOBUF_C_TYPE_MESSAGE)
            continue;   /* another member of a oneof */
        if (!set)
            out_json_null(j, k);
        else
            s_json_one(j, k, f, (const char *)m + f->offset);
        if (time) {   /* and the ISO form: paid_ms -> "paid" */
            int64_t ms = set ? MEMBER(m, f->offset, int64_t) : 0;
            snprintf(k, sizeof k, "%.*s", (int)strlen(f->name) - 3, f->name);
            if (ms == 0)
                out_json_null(j, k);
            else {
                out_iso(iso, sizeof iso, ms);
                out_json_str(j, k, iso);
            }
        }
    }
    out_json_end(j);
}

/* s_text - one value for people: yuan, local time, enum name, "-" for none */
static const char *s_text(char *out, size_t n, const ProtobufCFieldDescriptor *f,
                          const void *elem, int list);

/* s_text_msg - a nested message on one line: "account=A-1 amount=100.00" */
static const char *s_text_msg(char *out, size_t n, const ProtobufCMessage *m)
{
    char v[256];
    size_t len = 0;
    out[0] = '\0';
    for (unsigned i = 0; m && i < m->descriptor->n_fields && len < n; i++) {
        const ProtobufCFieldDescriptor *f = &m->descriptor->fields[i];
        if (s_is_id(f) || f->label == PROTOBUF_C_LABEL_REPEATED || !s_set(m, f))
            continue;
        char key[48];
        s_option_name(key, sizeof key, f->name);
        len += snprintf(out + len, n - len, "%s%s=%s", len ? " " : "", key,
                        s_text(v, sizeof v, f, (const char *)m + f->offset, 0));
    }
    return *out ? out : "-";
}

static const char *s_text(char *out, size_t n, const ProtobufCFieldDescriptor *f,
                          const void *elem, int list)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)elem;
        snprintf(out, n, "%s", s && *s ? s : "-");
        break;
    }
    case PROTOBUF_C_TYPE_SINT64:
        out_money(out, n, *(const int64_t *)elem);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        snprintf(out, n, "%s", *(const protobuf_c_boolean *)elem ? "yes" : "no");
        break;
    case PROTOBUF_C_TYPE_ENUM:
        fields_enum_name(out, n, f->descriptor, *(const int *)elem);
        if (!*out)
            snprintf(out, n, "-");
        break;
    case PROTOBUF_C_TYPE_INT64:
        if (s_is_time(f)) {
            ctl_time(out, n, *(const int64_t *)elem);
            if (list && n > 16)
                out[16] = '\0';   /* minutes are enough in a list */
        } else
            snprintf(out, n, "%lld", (long long)*(const int64_t *)elem);
        break;
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
        snprintf(out, n, "%llu", (unsigned long long)*(const uint64_t *)elem);
        break;
    case PROTOBUF_C_TYPE_MESSAGE:
        return s_text_msg(out, n, *(ProtobufCMessage *const *)elem);
    case PROTOBUF_C_TYPE_BYTES:
        snprintf(out, n, "(%zu bytes)", ((const ProtobufCBinaryData *)elem)->len);
        break;
    default:
        snprintf(out, n, "%d", *(const int32_t *)elem);
    }
    return out;
}

/* s_key - paid_ms -> paid, for people */
static const char *s_key(char *out, size_t n, const ProtobufCFieldDescriptor *f)
{
    snprintf(out, n, "%s", f->name);
    if (s_is_time(f))
        out[strlen(out) - 3] = '\0';
    return out;
}

/* fields_show - repeated messages one line per element: postings[0] */
void fields_show(const ProtobufCMessage *m)
{
    char key[80], v[1024];
    out_pairs_t *p = out_pairs_new();
    for (unsigned i = 0; i < m->descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &m->descriptor->fields[i];
        if (s_is_id(f))
            continue;
        s_key(key, sizeof key, f);
        if (f->label != PROTOBUF_C_LABEL_REPEATED) {
            out_pairs_add(p, key, "%s", s_set(m, f) ? s_text(v, sizeof v, f,
                          (const char *)m + f->offset, 0) : "-");
            continue;
        }
        size_t n = MEMBER(m, f->quantifier_offset, size_t);
        const char *arr = MEMBER(m, f->offset, const char *);
        if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            for (size_t e = 0; e < n; e++) {
                char k[96];
                snprintf(k, sizeof k, "%s[%zu]", key, e);
                out_pairs_add(p, k, "%s", s_text(v, sizeof v, f, arr + e * s_elem_size(f), 0));
            }
            if (n == 0)
                out_pairs_add(p, key, "-");
            continue;
        }
        char all[2048] = "", one[256];
        for (size_t e = 0, len = 0; e < n && len < sizeof all; e++)
            len += snprintf(all + len, sizeof all - len, "%s%s", e ? ", " : "",
                            s_text(one, sizeof one, f, arr + e * s_elem_size(f), 0));
        out_pairs_add(p, key, "%s", *all ? all : "-");
    }
    out_pairs_print(p, stdout);
    out_table_destroy(&p);
}

/* fields_table - INVITER for inviter_code, PAID for paid_ms; money right */
out_table_t *fields_table(const ProtobufCMessageDescriptor *desc, const char *const *cols)
{
    const char *heads[FIELDS_MAX];
    char buf[FIELDS_MAX][48];
    int n = 0;
    for (; cols[n] && n < FIELDS_MAX; n++) {
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(
            desc, cols[n]);
        int right = f && (f->type == PROTOBUF_C_TYPE_SINT64 ||
                          f->label == PROTOBUF_C_LABEL_REPEATED || f->type == PROTOBUF_C_TYPE_UINT64);
        char name[48];
        s_option_name(name, sizeof name, cols[n]);
        size_t k = 0;
        if (right)
            buf[n][k++] = '>';
        for (const char *p = name; *p && k + 2 < sizeof buf[n]; p++)
            buf[n][k++] = *p == '-' ? ' ' : (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        if (s_ends(cols[n], "_codes"))
            buf[n][k++] = 'S';   /* ATTENDEES: a count */
        buf[n][k] = '\0';
        heads[n] = buf[n];
    }
    return out_table_newv(n, heads);
}

/* fields_row - a repeated field shows its count, a time its minute */
void fields_row(out_table_t *t, const char *const *cols, const ProtobufCMessage *m)
{
    const char *cells[FIELDS_MAX];
    char buf[FIELDS_MAX][256];
    int n = 0;
    for (; cols[n] && n < FIELDS_MAX; n++) {
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(
            m->descriptor, cols[n]);
        if (!f)
            snprintf(buf[n], sizeof buf[n], "?");
        else if (f->label == PROTOBUF_C_LABEL_REPEATED)
            snprintf(buf[n], sizeof buf[n], "%zu", MEMBER(m, f->quantifier_offset, size_t));
        else if (!s_set(m, f))
            snprintf(buf[n], sizeof buf[n], "-");
        else
            s_text(buf[n], sizeof buf[n], f, (const char *)m + f->offset, 1);
        cells[n] = buf[n];
    }
    out_table_rowv(t, cells);
}
