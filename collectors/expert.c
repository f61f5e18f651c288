/* The evaluation-expert source (评标专家系统): evaluation sessions and expert draws. */
#include "collector.h"

#define SQL(file) "collectors/expert/" file

static const struct stream_def expert_streams[] = {
    {.name = "evaluations",
     .changed_days_sql = SQL("evaluations.changed_days.sql"),
     .months_sql = SQL("evaluations.months.sql"),
     .recompute_sql = SQL("evaluations.recompute.sql")},
    {.name = "assignments",
     .changed_days_sql = SQL("assignments.changed_days.sql"),
     .months_sql = SQL("assignments.months.sql"),
     .recompute_sql = SQL("assignments.recompute.sql")},
};

const struct collector expert_collector = {
    .name = "expert",
    .title_zh = "评标专家系统",
    .title_en = "evaluation-expert system",
    .streams = expert_streams,
    .nstreams = sizeof(expert_streams) / sizeof(expert_streams[0]),
};
