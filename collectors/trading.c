/* The trading source (交易系统): deals and the centre hierarchy. */
#include "collector.h"

#define SQL(file) "collectors/trading/" file

static const struct stream_def trading_streams[] = {
    {.name = "deals", .id = 1, .sql = SQL("deals.sql")},
};

const struct collector trading_collector = {
    .name = "trading",
    .title_zh = "交易系统",
    .title_en = "trading system",
    .streams = trading_streams,
    .nstreams = sizeof(trading_streams) / sizeof(trading_streams[0]),
    .centers_sql = SQL("centers.sql"),
};
