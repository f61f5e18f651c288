/* utf8 — checking and repairing UTF-8 text. JSON (jansson) refuses invalid
 * UTF-8, and text reaches the daemon's answers from clients and from
 * PostgreSQL messages (a Chinese server message cut at a buffer's end ends
 * mid-character): whatever goes into a JSON answer passes through here. */
#ifndef GGZY_UTF8_H
#define GGZY_UTF8_H

#include <stdbool.h>

/* Whether S (NUL terminated) is valid UTF-8: no overlongs, no surrogates,
 * nothing above U+10FFFF. */
bool utf8_valid(const char *s);
/* Replaces every byte of S that is not part of valid UTF-8 with '?', in
 * place. */
void utf8_scrub(char *s);

#endif
