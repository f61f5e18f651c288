/* The evaluation-expert source (评标专家系统): evaluation sessions, expert
 * draws, and the expert pool (optional relation experts) as its in- and
 * outflows. */
#include "collector.h"

#define SQL(file) "collectors/expert/" file

static const struct stream_def expert_streams[] = {
    {.name = "evaluations", .id = 2, .sql = SQL("evaluations.sql")},
    {.name = "assignments", .id = 3, .sql = SQL("assignments.sql")},
    {.name = "expert_enrolled",
     .id = 7,
     .sql = SQL("enrolled.sql"),
     .optional_relation = "experts"},
    {.name = "expert_left", .id = 8, .sql = SQL("left.sql"), .optional_relation = "experts"},
};

const struct collector expert_collector = {
    .name = "expert",
    .title_zh = "评标专家系统",
    .title_en = "evaluation-expert system",
    .streams = expert_streams,
    .nstreams = sizeof(expert_streams) / sizeof(expert_streams[0]),
};
