/* The deposit source (保证金系统): deposits by receipt day and refunds by refund
 * day, two streams over one relation, so a refund moves only the refund
 * series, whatever year the deposit was received; and the outflow of the
 * deposits held (a stock whose inflow is the receipt). */
#include "collector.h"

#define SQL(file) "collectors/deposit/" file

static const struct stream_def deposit_streams[] = {
    {.name = "deposit_received", .id = 4, .sql = SQL("received.sql")},
    {.name = "deposit_refunded", .id = 5, .sql = SQL("refunded.sql")},
    {.name = "deposit_released", .id = 9, .sql = SQL("released.sql")},
};

const struct collector deposit_collector = {
    .name = "deposit",
    .title_zh = "保证金系统",
    .title_en = "bid-deposit system",
    .streams = deposit_streams,
    .nstreams = sizeof(deposit_streams) / sizeof(deposit_streams[0]),
};
