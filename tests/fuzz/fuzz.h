/* The entry point every fuzz target defines: libFuzzer calls it, and so
 * does replay_main.c for the corpus replays of the gcc builds. */
#ifndef GGZY_FUZZ_H
#define GGZY_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
