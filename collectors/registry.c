/* The table of collectors (tmux's cmd_table[] idea). */
#include <string.h>

#include "collector.h"

extern const struct collector trading_collector;
extern const struct collector deposit_collector;
extern const struct collector expert_collector;

const struct collector *const collector_table[] = {
    &trading_collector,
    &deposit_collector,
    &expert_collector,
};
const size_t collector_count = sizeof(collector_table) / sizeof(collector_table[0]);

const struct collector *collector_find(const char *name)
{
	size_t kind = strcspn(name, "."); /* "trading.city1" is a trading source */
	for (size_t i = 0; i < collector_count; i++)
		if (strlen(collector_table[i]->name) == kind &&
		    strncmp(collector_table[i]->name, name, kind) == 0)
			return collector_table[i];
	return NULL;
}
