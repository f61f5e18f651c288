/* The evaluation-expert source (评标专家系统): evaluation sessions and expert draws. */
#include "collector.h"

#define SQL(file) "collectors/expert/" file

static const struct stream_def expert_streams[] = {
    {.name = "evaluations", .id = 2, .sql = SQL("evaluations.sql")},
    {.name = "assignments", .id = 3, .sql = SQL("assignments.sql")},
};

const struct collector expert_collector = {
    .name = "expert",
    .title_zh = "评标专家系统",
    .title_en = "evaluation-expert system",
    .streams = expert_streams,
    .nstreams = sizeof(expert_streams) / sizeof(expert_streams[0]),
};
