/* cmd_quote - `ledgerctl quote --distributor D --product P [--qty N]`: the
 * price a distributor pays now: its tier from its cumulative purchases (as
 * ledger-commission keeps them, result distributor.total), the unit price
 * of the product at that tier under this month's policy, and how far the
 * next tier is. The arithmetic is shared/tiers.c, the workers' own. */
#include <stdio.h>
#include <string.h>
#include "commission.pb-c.h"
#include "ctl.h"
#include "date.h"
#include "frame.h"
#include "money.h"
#include "tiers.h"

static const char s_usage[] =
    "usage: ledgerctl quote --distributor PARTNER --product PRODUCT [--qty N]\n"
    "\n"
    "The unit price a distributor pays for a product now: the tier of its\n"
    "purchases completed so far (net of refunds), this month's policy, and how\n"
    "much more it must buy to reach the next tier.\n"
    "\n"
    "  --distributor PARTNER  the distributor's partner code\n"
    "  --product PRODUCT      the product code\n"
    "  --qty N                quantity, for the line's total (default 1)\n";

static const char *const s_tier_names[] = { "normal", "advanced", "gold" };

int cmd_quote(ctl_t *ctl, int argc, char **argv)
{
    enum { OPT_DISTRIBUTOR = 256, OPT_PRODUCT, OPT_QTY };
    static const struct option opts[] = {
        { "distributor", required_argument, NULL, OPT_DISTRIBUTOR },
        { "product", required_argument, NULL, OPT_PRODUCT },
        { "qty", required_argument, NULL, OPT_QTY },
        CTL_OPTS_END };
    ctl_opts_t o = { argc, argv, "quote", s_usage, opts };
    const char *dist = NULL, *product = NULL;
    uint64_t qty = 1;
    int c, rc;
    while ((c = ctl_opt_next(&o)) != -1) {
        if (c == CTL_OPT_STOP)
            return o.rc;
        if (c == OPT_DISTRIBUTOR)
            dist = optarg;
        else if (c == OPT_PRODUCT)
            product = optarg;
        else if ((rc = ctl_parse_uint(o.cmd, "--qty", optarg, 1, 1000000, &qty)))
            return rc;
    }
    if ((rc = ctl_opt_operands(&o, 0, 0, "")))
        return rc;
    if (!dist || !product)
        return ctl_usage(o.cmd, "--distributor and --product are required");
    if ((rc = ctl_open(ctl)))
        return rc;

    Ledger__GetReply *pg = NULL, *gg = NULL;
    Ledger__PolicyReply *pol = NULL;
    ctl_result_t total = { 0 };
    if ((rc = ctl_get(ctl, LEDGER__ENTITY_KIND__ENTITY_PARTNER, dist, &pg)))
        goto done;
    if (pg->record_case != LEDGER__GET_REPLY__RECORD_PARTNER ||
        pg->partner->kind != LEDGER__PARTNER_KIND__PARTNER_DISTRIBUTOR) {
        fprintf(stderr, "ledgerctl: quote: %s is not a distributor\n", dist);
        rc = CTL_REJECTED;
        goto done;
    }
    if ((rc = ctl_get(ctl, LEDGER__ENTITY_KIND__ENTITY_PRODUCT, product, &gg)))
        goto done;
    if (gg->record_case != LEDGER__GET_REPLY__RECORD_PRODUCT || !gg->product->list_price) {
        fprintf(stderr, "ledgerctl: quote: product %s has no list price\n", product);
        rc = CTL_REJECTED;
        goto done;
    }
    if ((rc = ctl_result_get(&total, ctl, "distributor.total", dist,
                             &ledger__distributor_total__descriptor)))
        goto done;
    int64_t cumulative = total.payload ? ((Ledger__DistributorTotal *)total.payload)->cumulative : 0;

    char month[8];
    date_t today = date_of(ctl->hello->ledger_time_ms);
    snprintf(month, sizeof month, "%04d-%02d", today.y, today.m);
    Ledger__Meta meta = LEDGER__META__INIT;
    Ledger__PolicyGet req = LEDGER__POLICY_GET__INIT;
    ctl_meta_read(ctl, &meta);
    req.meta = &meta;
    req.month = month;
    if ((rc = ctl_call(ctl, FRAME_POLICY_GET, &req.base, &ledger__policy_reply__descriptor,
                       (ProtobufCMessage **)&pol)))
        goto done;
    const Ledger__Policy *policy = pol->version->policy;
    tier_t tier;
    tiers_of(&tier, policy, cumulative);
    int64_t unit = tiers_unit_price(policy, &tier, gg->product->list_price);
    int64_t line = unit * (int64_t)qty;
    const char *name = tier.index >= 0 && tier.index < 3 ? s_tier_names[tier.index] : "";
    if (ctl->json) {
        out_json_t j;
        out_json_init(&j, stdout);
        out_json_object(&j, NULL);
        out_json_str(&j, "distributor", dist);
        out_json_str(&j, "product", product);
        out_json_int(&j, "cumulative_fen", cumulative);
        out_json_int(&j, "tier", tier.index);
        out_json_str(&j, "tier_name", name);
        out_json_int(&j, "factor_bp", tier.factor);
        out_json_int(&j, "list_price_fen", gg->product->list_price);
        out_json_int(&j, "unit_price_fen", unit);
        out_json_uint(&j, "qty", qty);
        out_json_int(&j, "line_fen", line);
        out_json_int(&j, "next_tier_from_fen", tier.next_from);
        out_json_int(&j, "to_next_fen", tier.to_next);
        out_json_str(&j, "policy_month", month);
        out_json_end(&j);
    } else {
        char a[32], b2[32], c2[32], d[32];
        money_format(a, sizeof a, cumulative);
        printf("distributor  %s (%s), purchases so far %s\n", dist, pg->partner->name, a);
        money_format(a, sizeof a, tier.from);
        printf("tier         %s%s%d (from %s, %lld.%02lld%% of the supply price)\n", name,
               *name ? ", " : "", tier.index, a, (long long)(tier.factor / 100),
               (long long)(tier.factor % 100));
        money_format(a, sizeof a, gg->product->list_price);
        money_format(b2, sizeof b2, unit);
        money_format(c2, sizeof c2, line);
        printf("price        %s: list %s, unit %s x %llu = %s\n", product, a, b2,
               (unsigned long long)qty, c2);
        if (tier.next_from) {
            money_format(a, sizeof a, tier.to_next);
            money_format(d, sizeof d, tier.next_from);
            printf("next tier    from %s: %s more to buy\n", d, a);
        } else {
            printf("next tier    none: the top tier\n");
        }
    }
done:
    ctl_result_fini(&total);
    if (pg)
        protobuf_c_message_free_unpacked(&pg->base, NULL);
    if (gg)
        protobuf_c_message_free_unpacked(&gg->base, NULL);
    if (pol)
        protobuf_c_message_free_unpacked(&pol->base, NULL);
    return rc;
}
