#include "catalog.h"

#include <string.h>

#define CC (LABEL_CENTER | LABEL_CATEGORY)
#define CCK (LABEL_CENTER | LABEL_CATEGORY | LABEL_KIND)

/* One row per metric. The exposition name is the Prometheus one (its naming
 * guide: counts without "_count", amounts with their unit "_yuan", rates
 * "_ratio"); the JSON API keeps the catalogue's name. */
#define BASE(n, zh, en, u, k, l, src, st, expo)                                                    \
	{                                                                                          \
		.name = n, .name_zh = zh, .name_en = en, .unit = u, .kind = k, .labels = l,        \
		.source = src, .stream = st, .exposition = expo                                    \
	}
#define RATE(n, zh, en, l, num, den, expo)                                                         \
	{                                                                                          \
		.name = n, .name_zh = zh, .name_en = en, .unit = "", .kind = METRIC_RATE,          \
		.total = TOTAL_RATIO, .labels = l, .numerator = num, .denominator = den,           \
		.exposition = expo                                                                 \
	}
/* A stock: its flows are measure columns of the same name in two streams. */
#define STOCK(n, zh, en, u, k, l, src, st, expo)                                                   \
	{                                                                                          \
		.name = n, .name_zh = zh, .name_en = en, .unit = u, .kind = k, .labels = l,        \
		.total = TOTAL_STOCK, .source = src, .stream = st, .exposition = expo              \
	}
#define C METRIC_COUNT
#define A METRIC_AMOUNT
#define SR (LABEL_CENTER | LABEL_CATEGORY | LABEL_SCOPE | LABEL_ROLE)

/* clang-format off */
const struct metric_def catalog_metrics[] = {
    BASE("deals_count", "交易宗数", "deals", "宗", C, CC, "trading", "deals", "ggzy_deals"),
    BASE("deal_amount", "成交额", "deal amount", "元", A, CC, "trading", "deals",
	 "ggzy_deal_amount_yuan"),
    BASE("budget_amount", "预算金额", "budget amount", "元", A, CC, "trading", "deals",
	 "ggzy_budget_amount_yuan"),
    BASE("savings_amount", "节约资金", "savings against budget", "元", A, CC, "trading", "deals",
	 "ggzy_savings_amount_yuan"),
    BASE("reserve_amount", "底价金额", "reserve price amount", "元", A, CC, "trading", "deals",
	 "ggzy_reserve_amount_yuan"),
    BASE("premium_amount", "溢价金额", "premium over reserve price", "元", A, CC, "trading",
	 "deals", "ggzy_premium_amount_yuan"),
    BASE("fully_electronic_count", "全流程电子化宗数", "fully electronic deals", "宗", C, CC,
	 "trading", "deals", "ggzy_fully_electronic_deals"),
    BASE("opened_count", "开标宗数", "deals with a bid opening", "宗", C, CC, "trading", "deals",
	 "ggzy_opened_deals"),
    BASE("remote_opening_count", "不见面开标宗数", "remote bid openings", "宗", C, CC, "trading",
	 "deals", "ggzy_remote_opening_deals"),
    BASE("service_fee_amount", "交易服务费", "service-fee revenue", "元", A, CC, "trading", "deals",
	 "ggzy_service_fee_amount_yuan"),
    BASE("cancelled_count", "流标废标终止宗数", "cancelled deals", "宗", C, CC, "trading", "deals",
	 "ggzy_cancelled_deals"),
    BASE("evaluations_count", "评标场次", "evaluation sessions", "次", C, CC, "expert",
	 "evaluations", "ggzy_evaluations"),
    BASE("remote_evaluations_count", "远程异地评标场次", "remote evaluations", "次", C, SR,
	 "expert", "evaluations", "ggzy_remote_evaluations"),
    BASE("expert_draws_count", "抽取专家人次", "experts drawn", "人次", C, LABEL_CENTER, "expert",
	 "assignments", "ggzy_expert_draws"),
    BASE("expert_attended_count", "专家到场人次", "experts attended", "人次", C, LABEL_CENTER,
	 "expert", "assignments", "ggzy_expert_attendances"),
    BASE("expert_fee_amount", "专家评审费", "expert fees", "元", A, LABEL_CENTER, "expert",
	 "assignments", "ggzy_expert_fee_amount_yuan"),
    BASE("expert_fee_online_amount", "线上支付专家费", "expert fees paid online", "元", A,
	 LABEL_CENTER, "expert", "assignments", "ggzy_expert_fee_online_amount_yuan"),
    BASE("expert_reviews_count", "专家考评人次", "expert reviews", "人次", C, LABEL_CENTER,
	 "expert", "assignments", "ggzy_expert_reviews"),
    BASE("expert_violations_count", "专家不良行为处理人次", "expert violations handled", "人次", C,
	 LABEL_CENTER, "expert", "assignments", "ggzy_expert_violations"),
    BASE("deposits_count", "保证金笔数", "deposits received", "笔", C, CCK, "deposit",
	 "deposit_received", "ggzy_deposits"),
    BASE("deposit_amount", "保证金金额", "deposit amount", "元", A, CCK, "deposit",
	 "deposit_received", "ggzy_deposit_amount_yuan"),
    BASE("refunds_count", "保证金退还笔数", "deposits refunded", "笔", C, CCK, "deposit",
	 "deposit_refunded", "ggzy_refunds"),
    BASE("refund_amount", "保证金退还金额", "refund amount", "元", A, CCK, "deposit",
	 "deposit_refunded", "ggzy_refund_amount_yuan"),
    BASE("remitted_count", "没收及上缴国库保证金笔数", "deposits forfeited or remitted", "笔", C,
	 CCK, "deposit", "deposit_refunded", "ggzy_remitted_deposits"),
    BASE("remitted_amount", "没收及上缴国库保证金金额", "amount forfeited or remitted", "元", A,
	 CCK, "deposit", "deposit_refunded", "ggzy_remitted_amount_yuan"),
    {.name = "remote_evaluated_deals_count", .name_zh = "远程异地评标项目宗数",
     .name_en = "remotely evaluated deals", .unit = "宗", .kind = C,
     .labels = LABEL_CENTER | LABEL_CATEGORY | LABEL_SCOPE, .source = "trading",
     .stream = "remote_evaluated", .also_source = "expert",
     .exposition = "ggzy_remote_evaluated_deals"},
    {.name = "remote_evaluated_deal_amount", .name_zh = "远程异地评标项目成交额",
     .name_en = "deal amount of remotely evaluated deals", .unit = "元", .kind = A,
     .labels = LABEL_CENTER | LABEL_CATEGORY | LABEL_SCOPE, .source = "trading",
     .stream = "remote_evaluated", .also_source = "expert",
     .exposition = "ggzy_remote_evaluated_deal_amount_yuan"},
    {.name = "experts_participating_count", .name_zh = "参评专家人数",
     .name_en = "experts who took part", .unit = "名", .kind = C, .total = TOTAL_DISTINCT,
     .labels = LABEL_CENTER, .source = "expert", .stream = "assignments",
     .distinct_of = "expert_attended_count", .exposition = "ggzy_experts_participating"},
    STOCK("expert_pool_count", "入库评标专家人数", "experts in the pool", "名", C, LABEL_CENTER,
	  "expert", "expert_enrolled, expert_left", "ggzy_expert_pool"),
    STOCK("deposit_held_count", "在途保证金笔数", "deposits held", "笔", C, CCK, "deposit",
	  "deposit_received, deposit_released", "ggzy_deposits_held"),
    STOCK("deposit_held_amount", "保证金在途余额", "deposits held amount", "元", A, CCK, "deposit",
	  "deposit_received, deposit_released", "ggzy_deposit_held_amount_yuan"),
    RATE("savings_rate", "节约率", "savings rate", CC, "savings_amount", "budget_amount",
	 "ggzy_savings_ratio"),
    RATE("premium_rate", "溢价率", "premium rate", CC, "premium_amount", "reserve_amount",
	 "ggzy_premium_ratio"),
    RATE("e_bid_rate", "全流程电子化率", "full e-bidding rate", CC, "fully_electronic_count",
	 "deals_count", "ggzy_e_bid_ratio"),
    RATE("remote_opening_rate", "不见面开标率", "remote bid-opening rate", CC,
	 "remote_opening_count", "opened_count", "ggzy_remote_opening_ratio"),
    RATE("remote_evaluation_rate", "远程异地评标率", "remote evaluation rate", CC,
	 "remote_evaluations_count", "evaluations_count", "ggzy_remote_evaluation_ratio"),
    RATE("expert_attendance_rate", "专家到场率", "expert attendance rate", LABEL_CENTER,
	 "expert_attended_count", "expert_draws_count", "ggzy_expert_attendance_ratio"),
    RATE("expert_fee_online_rate", "专家费线上支付率", "expert fees paid online rate",
	 LABEL_CENTER, "expert_fee_online_amount", "expert_fee_amount",
	 "ggzy_expert_fee_online_ratio"),
    {.name = "liquidity_released_amount", .name_zh = "释放企业流动资金",
     .name_en = "liquidity released by guarantees", .unit = "元", .kind = A, .labels = CCK,
     .numerator = "deposit_amount", .exclude_kind = "cash",
     .exposition = "ggzy_liquidity_released_amount_yuan"},
};
/* clang-format on */
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

bool catalog_has_column(const struct metric_def *m)
{
	return !catalog_is_derived(m) && m->total != TOTAL_DISTINCT;
}

const char *catalog_total_name(enum metric_total total)
{
	switch (total) {
	case TOTAL_SUM: return "sum";
	case TOTAL_RATIO: return "ratio";
	case TOTAL_DISTINCT: return "distinct";
	case TOTAL_STOCK: return "stock";
	}
	return "?";
}

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

/* Label values the source contract allows (SPEC §2), with the names the
 * reports and the page write. Centres are open-ended (the store's
 * hierarchy). */
static const struct label_value category_values[] = {
    {"engineering", "工程建设", "engineering"},
    {"gov_procurement", "政府采购", "government procurement"},
    {"land_mineral", "土地使用权和矿业权", "land use and mining rights"},
    {"state_property", "国有产权", "state-owned property"},
    {"medical", "医药采购", "medical procurement"},
    {"other", "其他", "other"},
    {NULL, NULL, NULL},
};
static const struct label_value kind_values[] = {
    {"cash", "现金保证金", "cash"},
    {"e_guarantee", "电子保函", "electronic guarantee"},
    {"e_commitment", "电子承诺", "electronic commitment"},
    {"insurance", "保证保险", "guarantee insurance"},
    {NULL, NULL, NULL},
};
static const struct label_value scope_values[] = {
    {"intra_province", "省内远程异地", "within the province"},
    {"cross_province", "跨省远程异地", "across provinces"},
    {NULL, NULL, NULL},
};
static const struct label_value role_values[] = {
    {"host", "主场", "host venue"},
    {"guest", "副场", "guest venue"},
    {NULL, NULL, NULL},
};
static const struct label_value *const known_values[LABEL_COUNT] = {
    [1] = category_values, [2] = kind_values, [3] = scope_values, [4] = role_values};

const struct label_value *catalog_label_values(int label_index)
{
	return label_index >= 0 && label_index < LABEL_COUNT ? known_values[label_index] : NULL;
}

const char *catalog_label_value_code(unsigned label, const char *text)
{
	int l = catalog_label_index(label);
	if (l < 0)
		return NULL;
	if (!known_values[l])
		return text;
	for (const struct label_value *v = known_values[l]; v->value; v++)
		if (strcmp(v->value, text) == 0 || strcmp(v->name_zh, text) == 0)
			return v->value;
	return NULL;
}

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
		if (m->also_source) {
			out[1] = m->also_source;
			return 2;
		}
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
	if (!known_values[l])
		return true;
	for (const struct label_value *v = known_values[l]; v->value; v++)
		if (strcmp(v->value, value) == 0)
			return true;
	return false;
}
