/* team - the team rules (DOMAIN.md 4, seed 000 §5, §10): per WeChat account
 * a post a day, life posts a week and at most so many group broadcasts a
 * month (tally.c counts them), and no promotional text posted twice, by
 * one account or several (compared folded: shared/fold.h); per team a
 * script training a week, a daily work log, a weekly and a monthly plan. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "finding.h"
#include "fold.h"
#include "hash.h"
#include "rules.h"
#include "tally.h"

/* s_count - the post (once counted as was) in its account's tallies, with
 * sign +1 or -1 */
static int s_count(cx_t *cx, const Ledger__PostSeen *p, const char *branch,
                   const Ledger__PartyRef *agent, int sign)
{
    date_t day = date_of(p->time_ms);
    int rc = tally_count(cx, tally_rule("posts.daily"), p->account, branch, agent, day,
                         p->time_ms, sign);
    if (rc == 0)
        rc = tally_count(cx, tally_rule("posts.weekly_life"), p->account, branch, agent, day,
                         p->time_ms, p->kind == LEDGER__POST_KIND__POST_LIFE ? sign : 0);
    if (rc == 0 && p->broadcast)
        rc = tally_count(cx, tally_rule("posts.monthly_broadcasts"), p->account, branch, agent,
                         day, p->time_ms, sign);
    return rc;
}

/* s_duplicate - a promotional text seen before (folded), from this post or
 * another: the later post is the finding */
static int s_duplicate(cx_t *cx, const Ledger__SocialPost *p, uint64_t fold_hash,
                       const char *branch, const Ledger__PartyRef *agent)
{
    char key[40];
    snprintf(key, sizeof key, "tx:%016" PRIx64, fold_hash);
    rec_t *r = recset_get(&cx->set, key, &ledger__text_seen__descriptor);
    if (!r)
        return -1;
    const Ledger__TextSeen *first = (const Ledger__TextSeen *)r->msg;
    if (!*first->post || !strcmp(first->post, p->code)) {
        Ledger__TextSeen ts = LEDGER__TEXT_SEEN__INIT;
        ts.post = p->code;
        ts.account = p->wechat_account;
        ts.seq = cx->e->seq;
        ts.time_ms = p->time_ms;
        recset_replace(r, recset_copy(&ts.base));
        return 0;
    }
    char when[20], reason[400], month[8];
    check_time(when, first->time_ms);
    snprintf(reason, sizeof reason, "%s on %s repeats the promotional text %s posted on %s (%s)",
             p->code, p->wechat_account, first->post, first->account, when);
    uint64_t ev[2] = { first->seq, cx->e->seq };
    verdict_t v = { .rule = "posts.duplicate_text", .subject_kind =
                    LEDGER__SUBJECT_KIND__SUBJECT_POST, .subject = p->code, .period = "",
                    .branch = branch, .month = check_month(month, p->time_ms),
                    .at_ms = p->time_ms, .agent = agent, .evidence = ev, .n_evidence = 2,
                    .reason = reason };
    return finding_judge(cx, &v, 1);
}

int team_post(cx_t *cx, const Ledger__SocialPost *p)
{
    if (!p->wechat_account || !*p->wechat_account)
        return 0;
    const Ledger__StaffEntry *st = check_staff(cx, p->staff_code);
    const char *branch = st ? st->branch : "";
    Ledger__PartyRef agent = LEDGER__PARTY_REF__INIT;
    agent.kind = LEDGER__PARTY_KIND__PARTY_STAFF;
    agent.code = p->staff_code;
    agent.id = p->staff_id;
    const Ledger__PartyRef *who = p->staff_code && *p->staff_code ? &agent : NULL;

    char key[160];
    snprintf(key, sizeof key, "p:%s", p->code);
    if (strlen(key) > 128)
        return 0;
    rec_t *r = recset_get(&cx->set, key, &ledger__post_seen__descriptor);
    if (!r)
        return -1;
    int rc = 0;
    const Ledger__PostSeen *was = (const Ledger__PostSeen *)r->msg;
    if (*was->account)   /* an amendment: take back what the post counted as */
        rc = s_count(cx, was, branch, who, -1);
    Ledger__PostSeen now = LEDGER__POST_SEEN__INIT;
    now.account = p->wechat_account;
    now.time_ms = p->time_ms;
    now.kind = p->kind;
    now.broadcast = p->broadcast;
    now.seq = cx->e->seq;
    /* Promotional texts on the account's moments; a broadcast goes to a
     * group and is the same for every account by design. */
    if (p->kind == LEDGER__POST_KIND__POST_PROMOTION && !p->broadcast && p->text && *p->text) {
        char *folded = fold_text(p->text, strlen(p->text));
        if (folded && *folded)
            now.fold_hash = hash_text(folded);
        free(folded);
    }
    if (rc == 0)
        rc = s_count(cx, &now, branch, who, 1);
    if (rc == 0 && now.fold_hash && now.fold_hash != was->fold_hash)
        rc = s_duplicate(cx, p, now.fold_hash, branch, who);
    recset_replace(r, recset_copy(&now.base));
    return rc;
}

int team_work(cx_t *cx, const Ledger__WorkRecord *w)
{
    const char *rule;
    switch (w->kind) {
    case LEDGER__WORK_KIND__WORK_SCRIPT_TRAINING: rule = "training.weekly_script"; break;
    case LEDGER__WORK_KIND__WORK_DAILY_LOG:       rule = "work.daily_log"; break;
    case LEDGER__WORK_KIND__WORK_WEEKLY_PLAN:     rule = "work.weekly_plan"; break;
    case LEDGER__WORK_KIND__WORK_MONTHLY_PLAN:    rule = "work.monthly_plan"; break;
    default: return 0;
    }
    date_t day;
    err_t ignored;
    if (date_parse(&day, w->date, &ignored) < 0)
        return 0;   /* ledgerd checks the date; nothing to count without one */
    if (w->version > 1)
        return 0;   /* counted once, when added: an amendment is not counted again */
    char subject[160];
    snprintf(subject, sizeof subject, "%s/%s", w->branch, w->team);
    return tally_count(cx, tally_rule(rule), subject, w->branch, NULL, day,
                       date_start_ms(day), 1);
}
