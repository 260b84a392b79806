/* log - one line per message on stderr: time, program, level, text.
 * log_fatal exits 1 (the process cannot work); log_panic aborts (a bug). */
#ifndef LEDGER_LOG_H
#define LEDGER_LOG_H

void log_init(const char *program);
void log_quiet(int quiet);   /* 1: drop info lines */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void log_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
