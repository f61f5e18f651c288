/* log — levelled log lines on stderr, systemd style (no syslog, no files).
 *
 * A disabled level costs one integer comparison: the macros test the level
 * before evaluating their arguments. */
#ifndef GGZY_LOG_H
#define GGZY_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_current_level;

/* Parses "error" | "warn" | "info" | "debug"; returns -1 when unknown. */
int log_level_parse(const char *name);
void log_set_level(enum log_level level);
void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_at(lvl, ...)                                                                           \
	do {                                                                                       \
		if ((lvl) <= log_current_level)                                                    \
			log_write((lvl), __VA_ARGS__);                                             \
	} while (0)
#define log_error(...) log_at(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)

#endif
