/* date - the ledger's one time zone, local dates and times, and calendar
 * arithmetic. Zone rules come from the system's tz database through TZ and
 * mktime/localtime_r; date_add_days/months are pure calendar arithmetic.
 * The zone is process-wide: set it once at startup, before any threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "date.h"
#include "log.h"

#define DATE_ZONE_MAX 64    /* longest IANA name is about 32 bytes */
#define DATE_ZONEINFO "/usr/share/zoneinfo"

static char s_zone[DATE_ZONE_MAX + 1];  /* "" until the first zone is in force */

/* s_zone_name_ok - a plain relative name: components of [A-Za-z0-9._+-],
 * none empty, "." or ".." (so it cannot leave the zoneinfo directory) */
static int s_zone_name_ok(const char *zone)
{
    size_t len = 0;
    for (const char *c = zone; *c; c++, len++) {
        int ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                 (*c >= '0' && *c <= '9') || strchr("._+-/", *c);
        if (!ok)
            return 0;
    }
    if (len == 0 || len > DATE_ZONE_MAX)
        return 0;
    for (const char *c = zone; ; ) {
        size_t n = strcspn(c, "/");
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return 0;
        if (!c[n])
            return 1;
        c += n + 1;
    }
}

/* s_zone_file_ok - the zone is a regular file in TZif format */
static int s_zone_file_ok(const char *zone)
{
    const char *dir = getenv("TZDIR");
    char path[4096];
    struct stat st;
    char magic[4];

    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : DATE_ZONEINFO, zone);
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    /* zoneinfo also holds zone.tab, tzdata.zi...: only TZif files are zones */
    int ok = fread(magic, 1, sizeof magic, f) == sizeof magic &&
             memcmp(magic, "TZif", 4) == 0;
    fclose(f);
    return ok;
}

/* s_apply - put zone in force for mktime/localtime_r */
static void s_apply(const char *zone)
{
    if (setenv("TZ", zone, 1) < 0)
        log_fatal("date: setenv TZ=%s: out of memory", zone);
    tzset();
    snprintf(s_zone, sizeof s_zone, "%s", zone);
}

/* s_ensure_zone - before any date_zone_set the zone is UTC, whatever the
 * environment said, so that date_zone() tells the truth */
static void s_ensure_zone(void)
{
    if (!s_zone[0])
        s_apply("UTC");
}

/* date_zone_set - validate an IANA name against the installed database */
int date_zone_set(const char *zone, err_t *err)
{
    if (!zone || !*zone)
        return err_set(err, ERR(INVALID), "", "a time zone name is required");
    if (!s_zone_name_ok(zone))
        return err_set(err, ERR(INVALID), "", "\"%.64s\" is not a time zone name "
                       "(like Asia/Shanghai)", zone);
    if (!s_zone_file_ok(zone))
        return err_set(err, ERR(INVALID), "", "time zone %s is not installed", zone);
    s_apply(zone);
    return 0;
}

/* date_zone - the zone in force: the last one set, else "UTC" */
const char *date_zone(void)
{
    return s_zone[0] ? s_zone : "UTC";
}

/* s_digits - n decimal digits at s into *out; 0 if any is not a digit */
static int s_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* s_is_leap - Gregorian leap year */
static int s_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* date_days_in_month - 28..31; a month outside 1..12 is a caller's bug */
int date_days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m < 1 || m > 12)
        log_panic("date_days_in_month: month %d", m);
    return m == 2 && s_is_leap(y) ? 29 : days[m - 1];
}

/* s_parse_date - the "YYYY-MM-DD" at text (at least 10 bytes checked by caller) */
static int s_parse_date(date_t *out, const char *text, err_t *err)
{
    date_t d;
    if (text[4] != '-' || text[7] != '-' || !s_digits(text, 4, &d.y) ||
        !s_digits(text + 5, 2, &d.m) || !s_digits(text + 8, 2, &d.d))
        return err_set(err, ERR(INVALID), "", "\"%.32s\" is not a date (YYYY-MM-DD)", text);
    if (d.y < 1970 || d.m < 1 || d.m > 12 || d.d < 1 || d.d > date_days_in_month(d.y, d.m))
        return err_set(err, ERR(INVALID), "", "%.10s is not a date in the calendar "
                       "(years 1970 to 9999)", text);
    *out = d;
    return 0;
}

/* date_parse - strict "YYYY-MM-DD" that exists in the calendar */
int date_parse(date_t *out, const char *text, err_t *err)
{
    if (!text || strlen(text) != 10)
        return err_set(err, ERR(INVALID), "", "\"%.32s\" is not a date (YYYY-MM-DD)",
                       text ? text : "");
    return s_parse_date(out, text, err);
}

/* s_local_tm - the broken-down local time of a time_t in the zone */
static struct tm s_local_tm(time_t t)
{
    struct tm tm;
    s_ensure_zone();
    if (!localtime_r(&t, &tm))
        log_panic("date: localtime_r(%lld) failed", (long long)t);
    return tm;
}

/* s_floor_div - floor(a / b) for b > 0 */
static int64_t s_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

/* date_parse_time - date, date + HH:MM, or date + HH:MM:SS, local, into ms.
 * A local time a clock change skips does not exist and is refused. */
int date_parse_time(int64_t *out_ms, const char *text, err_t *err)
{
    size_t len = text ? strlen(text) : 0;
    date_t d;
    int hh = 0, mm = 0, ss = 0;

    if (len != 10 && len != 16 && len != 19)
        return err_set(err, ERR(INVALID), "", "\"%.32s\" is not a time (YYYY-MM-DD, "
                       "YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS)", text ? text : "");
    if (s_parse_date(&d, text, err) < 0)
        return -1;
    if (len == 10) {
        *out_ms = date_start_ms(d);
        return 0;
    }
    if ((text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
        !s_digits(text + 11, 2, &hh) || !s_digits(text + 14, 2, &mm) ||
        (len == 19 && (text[16] != ':' || !s_digits(text + 17, 2, &ss))))
        return err_set(err, ERR(INVALID), "", "\"%.32s\" is not a time (YYYY-MM-DDTHH:MM"
                       " or YYYY-MM-DDTHH:MM:SS)", text);
    if (hh > 23 || mm > 59 || ss > 59)
        return err_set(err, ERR(INVALID), "", "%.32s is not a time of day", text + 11);

    s_ensure_zone();
    struct tm tm = { .tm_year = d.y - 1900, .tm_mon = d.m - 1, .tm_mday = d.d,
                     .tm_hour = hh, .tm_min = mm, .tm_sec = ss, .tm_isdst = -1 };
    time_t t = mktime(&tm);
    struct tm back = s_local_tm(t);
    /* mktime moves a skipped time (a DST gap) to another hour: refuse it */
    if (back.tm_year != d.y - 1900 || back.tm_mon != d.m - 1 || back.tm_mday != d.d ||
        back.tm_hour != hh || back.tm_min != mm || back.tm_sec != ss)
        return err_set(err, ERR(INVALID), "", "%.19s does not exist in time zone %s",
                       text, date_zone());
    *out_ms = (int64_t)t * 1000;
    return 0;
}

/* date_start_ms - the first instant of the local date; where midnight is
 * skipped by a clock change, mktime (glibc) moves forward to the day's start */
int64_t date_start_ms(date_t d)
{
    s_ensure_zone();
    struct tm tm = { .tm_year = d.y - 1900, .tm_mon = d.m - 1, .tm_mday = d.d,
                     .tm_isdst = -1 };
    return (int64_t)mktime(&tm) * 1000;
}

/* date_of - the local date of a time */
date_t date_of(int64_t ms)
{
    struct tm tm = s_local_tm((time_t)s_floor_div(ms, 1000));
    return (date_t){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };
}

/* date_format - "2026-03-01" */
void date_format(char *out, size_t n, date_t d)
{
    snprintf(out, n, "%04d-%02d-%02d", d.y, d.m, d.d);
}

/* date_format_time - "2026-03-01 10:00:00", local */
void date_format_time(char *out, size_t n, int64_t ms)
{
    struct tm tm = s_local_tm((time_t)s_floor_div(ms, 1000));
    snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* s_days_from_civil - days since 1970-01-01 (H. Hinnant's algorithm) */
static int64_t s_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = s_floor_div(y, 400);
    int64_t yoe = y - era * 400;                                  /* 0..399 */
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* 0..146096 */
    return era * 146097 + doe - 719468;
}

/* s_civil_from_days - the inverse of s_days_from_civil */
static date_t s_civil_from_days(int64_t z)
{
    z += 719468;
    int64_t era = s_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    return (date_t){ (int)(yoe + era * 400 + (m <= 2)), m, d };
}

int64_t date_day_number(date_t d)
{
    return s_days_from_civil(d.y, d.m, d.d);
}

date_t date_from_day_number(int64_t n)
{
    return s_civil_from_days(n);
}

/* date_add_days - calendar arithmetic; n may be negative */
date_t date_add_days(date_t d, int n)
{
    return s_civil_from_days(s_days_from_civil(d.y, d.m, d.d) + n);
}

/* date_add_months - the same day n months on, clamped to the month's length */
date_t date_add_months(date_t d, int n)
{
    int64_t months = (int64_t)d.y * 12 + (d.m - 1) + n;
    date_t r = { (int)s_floor_div(months, 12), (int)(months - s_floor_div(months, 12) * 12) + 1,
                 d.d };
    int last = date_days_in_month(r.y, r.m);
    if (r.d > last)
        r.d = last;
    return r;
}

/* date_cmp - <0, 0, >0 */
int date_cmp(date_t a, date_t b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    return (a.d > b.d) - (a.d < b.d);
}
