/* rows_cursor (the `next` / `after` of GET /api/v1/rows), table-driven:
 * sort keys that must come back as they went, and texts that are not
 * cursors. */
#include <stdlib.h>
#include <string.h>

#include "rows_cursor.h"
#include "unit.h"

static const struct {
	const char *source;
	long stream;
	const char *key;
} round_trips[] = {
    {"trading", 1, "D00000001"},
    {"deposit", 4, "B0 new 1"},							 /* a space */
    {"trading.city-1", 6, "a,b\"c\\d"},						 /* JSON escapes */
    {"", 3, "3f2a9c0d5e6b7a8190ffeeddccbbaa998877665544332211aabbccddeeff0011"}, /* a person */
    {"expert", 32767, "标段(包)编号-7"},					 /* UTF-8 */
    {"x", 2, ""},								 /* an empty key */
    {"y", 5, "=+/?&#%"}, /* characters of URLs */
};

static const char *const refused[] = {
    "",				/* empty */
    "not a cursor",		/* spaces, not base64url */
    "WzEsMiwzXQ",		/* [1,2,3]: the source is not a string */
    "WyJhIiwxXQ",		/* ["a",1]: two items */
    "WyJhIiwxLCJiIiwyXQ",	/* ["a",1,"b",2]: four */
    "WyJhIiwwLCJiIl0",		/* ["a",0,"b"]: stream 0 */
    "WyJhIiwzMjc2OCwiYiJd",	/* ["a",32768,"b"]: beyond a smallint */
    "WyJhIiwtMSwiYiJd",		/* ["a",-1,"b"] */
    "WyJhIiwxLjUsImIiXQ",	/* ["a",1.5,"b"]: not an integer */
    "WyJhXHUwMDAwYiIsMSwiYyJd", /* ["a\u0000b",1,"c"]: a NUL */
    "eyJhIjoxfQ",		/* {"a":1} */
    "WyJhIiwxLCJiIl0=",		/* padding is not base64url's */
    "WyJhIiwxLCJiIl0A",		/* trailing garbage after the JSON */
    "W",			/* one character: no byte */
    "WyJhIi+xLCJiIl0",		/* '+' of base64, not base64url */
};

int main(void)
{
	for (size_t i = 0; i < sizeof(round_trips) / sizeof(round_trips[0]); i++) {
		char *text = rows_cursor_encode(round_trips[i].source, round_trips[i].stream,
						round_trips[i].key);
		CHECK(strspn(text,
			     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
			  strlen(text),
		      "%s is base64url", text);
		struct rows_cursor c;
		bool ok = rows_cursor_decode(text, &c);
		CHECK(ok, "round trip %zu: %s", i, text);
		CHECK(ok && strcmp(c.source, round_trips[i].source) == 0 &&
			  c.stream == round_trips[i].stream &&
			  strcmp(c.key, round_trips[i].key) == 0,
		      "round trip %zu gives back its key", i);
		free(text);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct rows_cursor c;
		CHECK(!rows_cursor_decode(refused[i], &c), "refused: '%s'", refused[i]);
	}
	/* A key too long to come back in a query value. */
	char key[400];
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	char *text = rows_cursor_encode("trading", 1, key);
	struct rows_cursor c;
	CHECK(!rows_cursor_decode(text, &c), "a key longer than a query value is refused");
	free(text);
	return UNIT_DONE();
}
