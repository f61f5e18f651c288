#include "catalog.h"

#include <string.h>

#define CC (LABEL_CENTER | LABEL_CATEGORY)
#define CCK (LABEL_CENTER | LABEL_CATEGORY | LABEL_KIND)

#define BASE(n, zh, en, u, k, l, src, st)                                                          \
	{                                                                                          \
		.name = n, .name_zh = zh, .name_en = en, .unit = u, .kind = k, .labels = l,        \
		.source = src, .stream = st                                                        \
	}
#define RATE(n, zh, en, l, num, den)                                                               \
	{                                                                                          \
		.name = n, .name_zh = zh, .name_en = en, .unit = "", .kind = METRIC_RATE,          \
		.labels = l, .numerator = num, .denominator = den                                  \
	}

const struct metric_def catalog_metrics[] = {
    BASE("deals_count", "交易宗数", "deals", "宗", METRIC_COUNT, CC, "trading", "deals"),
    BASE("deal_amount", "成交额", "deal amount", "元", METRIC_AMOUNT, CC, "trading", "deals"),
    BASE("budget_amount", "预算金额", "budget amount", "元", METRIC_AMOUNT, CC, "trading", "deals"),
    BASE("savings_amount", "节约资金", "savings against budget", "元", METRIC_AMOUNT, CC, "trading",
	 "deals"),
    BASE("reserve_amount", "底价金额", "reserve price amount", "元", METRIC_AMOUNT, CC, "trading",
	 "deals"),
    BASE("premium_amount", "溢价金额", "premium over reserve price", "元", METRIC_AMOUNT, CC,
	 "trading", "deals"),
    BASE("fully_electronic_count", "全流程电子化宗数", "fully electronic deals", "宗", METRIC_COUNT,
	 CC, "trading", "deals"),
    BASE("opened_count", "开标宗数", "deals with a bid opening", "宗", METRIC_COUNT, CC, "trading",
	 "deals"),
    BASE("remote_opening_count", "不见面开标宗数", "remote bid openings", "宗", METRIC_COUNT, CC,
	 "trading", "deals"),
    BASE("service_fee_amount", "交易服务费", "service-fee revenue", "元", METRIC_AMOUNT, CC,
	 "trading", "deals"),
    BASE("cancelled_count", "流标废标终止宗数", "cancelled deals", "宗", METRIC_COUNT, CC,
	 "trading", "deals"),
    BASE("evaluations_count", "评标场次", "evaluation sessions", "次", METRIC_COUNT, CC, "expert",
	 "evaluations"),
    BASE("remote_evaluations_count", "远程异地评标场次", "remote evaluations", "次", METRIC_COUNT,
	 CC | LABEL_SCOPE | LABEL_ROLE, "expert", "evaluations"),
    BASE("expert_draws_count", "抽取专家人次", "experts drawn", "人次", METRIC_COUNT, LABEL_CENTER,
	 "expert", "assignments"),
    BASE("expert_attended_count", "专家到场人次", "experts attended", "人次", METRIC_COUNT,
	 LABEL_CENTER, "expert", "assignments"),
    BASE("expert_fee_amount", "专家评审费", "expert fees", "元", METRIC_AMOUNT, LABEL_CENTER,
	 "expert", "assignments"),
    BASE("expert_fee_online_amount", "线上支付专家费", "expert fees paid online", "元",
	 METRIC_AMOUNT, LABEL_CENTER, "expert", "assignments"),
    BASE("expert_reviews_count", "专家考评人次", "expert reviews", "人次", METRIC_COUNT,
	 LABEL_CENTER, "expert", "assignments"),
    BASE("expert_violations_count", "专家不良行为处理人次", "expert violations handled", "人次",
	 METRIC_COUNT, LABEL_CENTER, "expert", "assignments"),
    BASE("deposits_count", "保证金笔数", "deposits received", "笔", METRIC_COUNT, CCK, "deposit",
	 "deposit_received"),
    BASE("deposit_amount", "保证金金额", "deposit amount", "元", METRIC_AMOUNT, CCK, "deposit",
	 "deposit_received"),
    BASE("refunds_count", "保证金退还笔数", "deposits refunded", "笔", METRIC_COUNT, CCK, "deposit",
	 "deposit_refunded"),
    BASE("refund_amount", "保证金退还金额", "refund amount", "元", METRIC_AMOUNT, CCK, "deposit",
	 "deposit_refunded"),
    RATE("savings_rate", "节约率", "savings rate", CC, "savings_amount", "budget_amount"),
    RATE("premium_rate", "溢价率", "premium rate", CC, "premium_amount", "reserve_amount"),
    RATE("e_bid_rate", "全流程电子化率", "full e-bidding rate", CC, "fully_electronic_count",
	 "deals_count"),
    RATE("remote_opening_rate", "不见面开标率", "remote bid-opening rate", CC,
	 "remote_opening_count", "opened_count"),
    RATE("remote_evaluation_rate", "远程异地评标率", "remote evaluation rate", CC,
	 "remote_evaluations_count", "evaluations_count"),
    RATE("expert_attendance_rate", "专家到场率", "expert attendance rate", LABEL_CENTER,
	 "expert_attended_count", "expert_draws_count"),
    {.name = "liquidity_released_amount",
     .name_zh = "释放企业流动资金",
     .name_en = "liquidity released by guarantees",
     .unit = "元",
     .kind = METRIC_AMOUNT,
     .labels = CCK,
     .numerator = "deposit_amount",
     .exclude_kind = "cash"},
};
const size_t catalog_nmetrics = sizeof(catalog_metrics) / sizeof(catalog_metrics[0]);

const char *const catalog_label_names[LABEL_COUNT] = {"center", "category", "kind", "scope",
						      "role"};

const struct metric_def *catalog_find(const char *name)
{
	for (size_t i = 0; i < catalog_nmetrics; i++)
		if (strcmp(catalog_metrics[i].name, name) == 0)
			return &catalog_metrics[i];
	return NULL;
}

bool catalog_is_derived(const struct metric_def *m) { return m->numerator != NULL; }

unsigned catalog_label_bit(const char *name)
{
	for (int i = 0; i < LABEL_COUNT; i++)
		if (strcmp(catalog_label_names[i], name) == 0)
			return 1u << i;
	return 0;
}

const char *catalog_kind_name(enum metric_kind kind)
{
	switch (kind) {
	case METRIC_COUNT: return "count";
	case METRIC_AMOUNT: return "amount";
	case METRIC_RATE: return "rate";
	}
	return "?";
}

/* Label values the source contract allows (SPEC §2). */
static const char *const known_values[LABEL_COUNT][8] = {
    [0] = {NULL},
    [1] = {"engineering", "gov_procurement", "land_mineral", "state_property", "medical", "other",
	   NULL},
    [2] = {"cash", "e_guarantee", "e_commitment", "insurance", NULL},
    [3] = {"intra_province", "cross_province", NULL},
    [4] = {"host", "guest", NULL},
};

int catalog_label_index(unsigned label)
{
	for (int l = 0; l < LABEL_COUNT; l++)
		if (label == 1u << l)
			return l;
	return -1;
}

size_t catalog_sources(const struct metric_def *m, const char *out[2])
{
	if (!catalog_is_derived(m)) {
		out[0] = m->source;
		return 1;
	}
	size_t n = 0;
	const char *parts[2] = {m->numerator, m->denominator};
	for (int i = 0; i < 2; i++) {
		const struct metric_def *p = parts[i] ? catalog_find(parts[i]) : NULL;
		if (p && p->source && (n == 0 || strcmp(out[0], p->source) != 0))
			out[n++] = p->source;
	}
	return n;
}

bool catalog_label_value_known(unsigned label, const char *value)
{
	int l = catalog_label_index(label);
	if (l < 0)
		return false;
	if (!known_values[l][0])
		return true;
	for (const char *const *k = known_values[l]; *k; k++)
		if (strcmp(*k, value) == 0)
			return true;
	return false;
}
