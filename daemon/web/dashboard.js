/* ggzy-metricsd built-in page: reads the daemon's JSON API every 30 s and
 * draws the figures of one year and centre. Plain JS, no framework, nothing
 * loaded from elsewhere (the daemon's CSP allows only 'self').
 *
 * Names come from the daemon, never from this file: metric names, units and
 * kinds from /api/v1/metrics, label values' names (categories, deposit
 * kinds, ...) from its "labels", source names from /api/v1/status. This
 * file only says which figures to show and where, so a metric or a source
 * added to the daemon is named right here without a change.
 *
 * Money is never a binary float here: amounts arrive as decimal strings and
 * are scaled to 万元 / 亿元 with BigInt, rounded half-up to 2 decimals and
 * written without trailing zeros, exactly as the daemon's reports write them.
 * Floats are used only for the geometry of the charts.
 *
 * On a wall screen (1920x1080) the page rotates between two pages every
 * 20 s (body data-page / data-pages; "#page=2" pins one); on smaller screens
 * both pages follow each other and the page scrolls.
 *
 * For tests and operators the figures are also in data- attributes
 * (data-display, data-value, ...); <body data-state="ready" data-key="Y|C">
 * says the page shows year Y and centre C (empty: all centres). */
"use strict";

(function () {
	const REFRESH_MS = 30000;
	const ROTATE_MS = 20000;
	const WALL = "(min-width: 1700px) and (min-height: 1000px)";
	const SVGNS = "http://www.w3.org/2000/svg";

	/* Which figures, where and in what order. Names, units and kinds are
	 * the catalogue's; a metric the catalogue does not list is left out, one
	 * it lists as unavailable here is shown as 不可用 (never as 0).
	 *
	 * A headline card is one metric, or [count, amount] of one thing shown
	 * together, as the self-evaluation writes it ("远程异地评标22项6.17亿元").
	 * The remote evaluation sessions of the old card are the page-1 chart's
	 * (with the period's total in its caption): the wall screen's one row
	 * has room for ten cards. */
	const HEADLINES = ["deal_amount", "deals_count", "savings_amount", "liquidity_released_amount",
		"e_bid_rate", "remote_opening_rate", ["remote_evaluated_deals_count", "remote_evaluated_deal_amount"],
		"experts_participating_count", "deposit_held_amount", "service_fee_amount"];
	const BY_CATEGORY = {amount: "deal_amount", count: "deals_count"};
	const RATE_LINES = ["e_bid_rate", "remote_opening_rate"];
	const MONTHLY_COUNT = "remote_evaluations_count";
	const TODAY = ["opened_count", "deals_count", "deal_amount"];
	const DAILY = {bars: "deals_count", line: "opened_count", more: "deal_amount", days: 30};
	/* Deposits: [amount, count] per row; a row whose amount metric the
	 * catalogue does not list is left out. The held row is a stock: its
	 * value on the period's last day, said so in its row. */
	const DEPOSITS = [["deposit_amount", "deposits_count"], ["refund_amount", "refunds_count"],
		["remitted_amount", "remitted_count"], ["deposit_held_amount", "deposit_held_count"]];
	const DEPOSIT_KINDS = {metric: "deposit_amount", label: "kind"}; /* the share of each kind */
	const EXPERT_RATE = "expert_attendance_rate";
	const EXPERT_MORE = ["expert_fee_amount", "expert_fee_online_rate", "expert_violations_count",
		"experts_participating_count", "expert_pool_count"];

	/* The page's own words: alert states and how a target reads. */
	const ALERT_STATES = {
		firing: ["告警中", "firing"], pending: ["待确认", "pending"], resolved: ["已结束", "ended"],
	};
	const ALERT_KINDS = {GgzyTargetBehindPace: "进度落后", GgzyTargetMissed: "未完成目标"};
	const PALETTE = ["#4e9af1", "#36c2a3", "#f2b544", "#e46f6f", "#a98bea", "#8ea3b8", "#6fd0e0", "#d98fc0"];

	/* ---- exact decimals ------------------------------------------------ */

	/* "123.45", "-0.5", "5e-7", 12 -> {n, s}: the value n / 10^s. */
	function parseDec(v) {
		let t = String(v).trim();
		let exp = 0;
		const e = t.search(/[eE]/);
		if (e >= 0) {
			exp = parseInt(t.slice(e + 1), 10);
			t = t.slice(0, e);
		}
		let neg = false;
		if (t[0] === "-" || t[0] === "+") {
			neg = t[0] === "-";
			t = t.slice(1);
		}
		const dot = t.indexOf(".");
		let digits = t, s = 0;
		if (dot >= 0) {
			digits = t.slice(0, dot) + t.slice(dot + 1);
			s = t.length - dot - 1;
		}
		if (!/^[0-9]+$/.test(digits))
			throw new Error("not a decimal: " + v);
		s -= exp;
		let n = BigInt(digits);
		if (s < 0) {
			n *= 10n ** BigInt(-s);
			s = 0;
		}
		return {n: neg ? -n : n, s: s};
	}

	/* num / den rounded half away from zero (the daemon's half-up). */
	function divRound(num, den) {
		if (den < 0n) {
			num = -num;
			den = -den;
		}
		const neg = num < 0n;
		const a = neg ? -num : num;
		let q = a / den;
		if (2n * (a % den) >= den)
			q += 1n;
		return neg ? -q : q;
	}

	/* The integer r as r / 10^places, trailing zeros dropped. */
	function fixed(r, places) {
		const neg = r < 0n;
		const a = (neg ? -r : r).toString().padStart(places + 1, "0");
		const ip = a.slice(0, a.length - places);
		const fp = a.slice(a.length - places).replace(/0+$/, "");
		const out = fp ? ip + "." + fp : ip;
		return neg && out !== "0" ? "-" + out : out;
	}

	/* d × 10^shift, half-up to 2 decimals, as text. */
	function scaled(d, shift) {
		const k = shift + 2 - d.s;
		return fixed(k >= 0 ? d.n * 10n ** BigInt(k) : divRound(d.n, 10n ** BigInt(-k)), 2);
	}

	/* Two decimals on one scale: [x, y, s] with x / 10^s and y / 10^s. */
	function align(a, b) {
		const x = parseDec(a), y = parseDec(b);
		const s = Math.max(x.s, y.s);
		return [x.n * 10n ** BigInt(s - x.s), y.n * 10n ** BigInt(s - y.s), s];
	}

	/* -1, 0 or 1 as a < b, a = b, a > b, exactly. */
	function cmpDec(a, b) {
		const [x, y] = align(a, b);
		return x < y ? -1 : x > y ? 1 : 0;
	}

	/* a − b, exactly, as decimal text. */
	function subDec(a, b) {
		const [x, y, s] = align(a, b);
		return fixed(x - y, s);
	}

	/* The exact sum of decimal texts. */
	function sumDec(values) {
		let n = 0n, s = 0;
		for (const v of values) {
			if (v === null || v === undefined)
				continue;
			const d = parseDec(v);
			if (d.s > s) {
				n *= 10n ** BigInt(d.s - s);
				s = d.s;
			}
			n += d.n * 10n ** BigInt(s - d.s);
		}
		return fixed(n, s);
	}

	const UNIT_SHIFT = {"元": 0, "万元": -4, "亿元": -8, "%": 2};

	/* A figure written as the reports write it: "175.16亿元", "90.72%", "612宗". */
	function display(value, unit) {
		if (value === null || value === undefined)
			return "—";
		const shift = UNIT_SHIFT[unit];
		return (shift === undefined ? scaled(parseDec(value), 0) : scaled(parseDec(value), shift)) + unit;
	}

	/* "亿元|万元": the first unit from one of it up, else the second. */
	function amountUnit(value, units) {
		const [big, small] = (units || "亿元|万元").split("|");
		const d = parseDec(value === null || value === undefined ? "0" : value);
		const a = d.n < 0n ? -d.n : d.n;
		return a >= 10n ** BigInt(-(UNIT_SHIFT[big] || 0) + d.s) ? big : small;
	}

	/* 同比 (a - p) / p as a percentage with 2 decimals; null without p. */
	function yoyPercent(a, p) {
		if (a === null || a === undefined || p === null || p === undefined)
			return null;
		const [xn, yn] = align(a, p);
		if (yn === 0n)
			return null;
		return fixed(divRound((xn - yn) * 10000n, yn), 2);
	}

	/* 同比 of a rate in percentage points, (a − p) × 100, 2 decimals. */
	function yoyPoints(a, p) {
		if (a === null || a === undefined || p === null || p === undefined)
			return null;
		const [xn, yn, s] = align(a, p);
		const d = (xn - yn) * 100n;
		return fixed(s > 2 ? divRound(d, 10n ** BigInt(s - 2)) : d * 10n ** BigInt(2 - s), 2);
	}

	/* Percentage points as the reports write them: 提高0.26个百分点, 降低…, 持平. */
	function pointsText(pts) {
		if (pts === null || pts === undefined)
			return "—";
		const t = scaled(parseDec(pts), 0);
		return t === "0" ? "持平" : t.startsWith("-") ? "降低" + t.slice(1) + "个百分点" : "提高" + t + "个百分点";
	}

	/* ---- the catalogue ------------------------------------------------- */

	const metricOf = (name) => (state.catalog ? state.catalog.byName[name] || null : null);
	const known = (name) => metricOf(name) !== null;

	/* Why this daemon cannot give a metric's figures (a source not
	 * configured, an optional relation missing), or null: the catalogue's
	 * "unavailable". Such a metric is never asked for (the series API would
	 * answer 409) and is shown as 不可用 with the reason on hover. */
	const whyUnavailable = (name) => {
		const m = metricOf(name);
		return m && m.available === false ? m.unavailable || "unavailable" : null;
	};

	/* A stock's figure is its value on the period's last day (a balance, a
	 * pool), not a sum over the period: the page says on which day. */
	const isStock = (name) => (metricOf(name) || {}).total === "stock";

	/* The unit a figure of metric m is written in: rates in %, amounts by
	 * the catalogue's display unit ("亿元|万元": by size), counts in theirs. */
	function unitOf(m, value) {
		if (!m)
			return "";
		if (m.kind === "rate")
			return "%";
		const du = m.display_unit || m.unit || "";
		return du.includes("|") ? amountUnit(value, du) : du === "元" && m.kind === "amount" ? amountUnit(value) : du;
	}

	const show = (m, value) => display(value, unitOf(m, value));
	const nameZh = (name) => (metricOf(name) ? metricOf(name).name_zh : name);
	const nameEn = (name) => {
		const t = metricOf(name) ? metricOf(name).name_en || "" : "";
		return t ? t[0].toUpperCase() + t.slice(1) : "";
	};

	/* A label value's Chinese name, from the catalogue's labels. */
	function labelName(key, value) {
		/* A target over a union of values names each of them */
		if (Array.isArray(value))
			return value.map((v) => labelName(key, v)).join("、");
		const list = state.catalog && state.catalog.labels[key];
		const hit = Array.isArray(list) ? list.find((x) => x.value === value) : null;
		return hit ? hit.name_zh : value;
	}

	/* Have the sources a metric reads finished their first load? A kind
	 * ("trading") covers its named sources ("trading.hn2") too. */
	function sourcesLoaded(st, m) {
		if (!m)
			return false;
		for (const kind of m.sources || []) {
			const mine = st.sources.filter((s) => s.name === kind || s.name.startsWith(kind + "."));
			if (!mine.length || !mine.every((s) => s.first_poll_done))
				return false;
		}
		return true;
	}

	/* ---- DOM helpers --------------------------------------------------- */

	const $ = (id) => document.getElementById(id);

	function el(tag, attrs, ...kids) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {}))
			if (v !== null && v !== undefined)
				k === "class" ? (e.className = v) : e.setAttribute(k, v);
		for (const k of kids)
			if (k !== null && k !== undefined)
				e.append(k);
		return e;
	}

	function svg(tag, attrs, ...kids) {
		const e = document.createElementNS(SVGNS, tag);
		for (const [k, v] of Object.entries(attrs || {}))
			if (v !== null && v !== undefined)
				e.setAttribute(k, v);
		for (const k of kids)
			e.append(k);
		return e;
	}

	const en = (text) => (text ? el("span", {class: "en"}, text) : null);
	const str = (v) => (v === null || v === undefined ? "" : String(v));

	/* "2022-12-31T12:00:00+08:00" -> "2022-12-31 12:00:00" (the daemon
	 * writes times in the centre's zone; the browser's zone does not matter). */
	const shortTime = (t) => (t ? t.slice(0, 19).replace("T", " ") : "—");

	/* An instant (ms) as "YYYY-MM-DD HH:MM:SS" in the IANA zone tz (the
	 * centre's, from /api/v1/status), whatever the browser's own zone. */
	function zoneTime(ms, tz) {
		let parts;
		try {
			parts = new Intl.DateTimeFormat("en-GB", {
				timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
				hour: "2-digit", minute: "2-digit", second: "2-digit",
			}).formatToParts(new Date(ms));
		} catch (e) {
			return null; /* a zone this browser does not know */
		}
		const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
		return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + ":" + p.second;
	}

	/* "2022-12-31" minus n days. */
	function daysBefore(day, n) {
		const t = Date.parse(day + "T00:00:00Z") - n * 86400000;
		return new Date(t).toISOString().slice(0, 10);
	}

	/* ---- state and data ------------------------------------------------ */

	const state = {
		year: null, center: "", pin: null, status: null, catalog: null,
		busy: false, pending: false, choice: 0, data: null, page: 1, rotateTimer: null,
	};

	async function getJSON(url) {
		const r = await fetch(url, {cache: "no-store", headers: {Accept: "application/json"}});
		let body = null;
		try {
			body = await r.json();
		} catch (e) {
			/* a proxy's HTML error page: report the status */
		}
		if (!r.ok) {
			const msg = body && body.error ? body.error.message : r.statusText;
			const e = new Error(url.split("?")[0] + ": " + r.status + " " + msg);
			e.code = body && body.error ? body.error.code : null;
			e.reason = msg;
			throw e;
		}
		return body;
	}

	function query(params) {
		const q = new URLSearchParams();
		for (const [k, v] of Object.entries(params))
			if (v !== null && v !== undefined && v !== "")
				q.set(k, v);
		return q.toString();
	}

	function series(metric, from, to, step, extra) {
		return getJSON("/api/v1/series?" + query(Object.assign(
			{metric: metric, from: from, to: to, step: step, center: state.center}, extra || {})));
	}

	const first = (s) => (s && s.points.length ? s.points[0].value : null);

	/* A series the daemon cannot give is an answer, not a failed refresh:
	 * the catalogue says so before asking, and a 409 metric_unavailable
	 * (a daemon reloaded between the two) says the same. */
	async function orUnavailable(metric, ask) {
		const why = whyUnavailable(metric);
		if (why)
			return {metric: metric, unavailable: why};
		try {
			return await ask();
		} catch (e) {
			if (e.code === "metric_unavailable")
				return {metric: metric, unavailable: e.reason};
			throw e;
		}
	}

	/* A figure for the period and the same days a year before: {metric,
	 * cur, prev, unavailable}. Always one point over the whole period
	 * (step=year), never months added up: a distinct count (people counted
	 * once) or a stock (the value on the last day) is not a sum of its
	 * months, and the daemon computes each exactly over what is asked. */
	function pair(metric, period, prev) {
		return orUnavailable(metric, async () => {
			const [cur, old] = await Promise.all([
				series(metric, period.from, period.to, "year"), series(metric, prev.from, prev.to, "year")]);
			return {metric: metric, cur: first(cur), prev: first(old), unavailable: null};
		});
	}

	function setCatalog(raw) {
		state.catalog = {
			byName: Object.fromEntries(raw.metrics.map((m) => [m.name, m])),
			labels: raw.labels || {},
		};
	}

	async function load() {
		const year = state.year, center = state.center;
		const [status, catalog, report, alerts, ranking] = await Promise.all([
			getJSON("/api/v1/status"),
			getJSON("/api/v1/metrics"),
			getJSON("/api/v1/report?" + query({year: year, center: center})),
			getJSON("/api/v1/alerts"),
			/* the ranking alone failing leaves its panel saying so, not the page */
			getJSON("/api/v1/ranking?" + query({year: year, center: center})).catch((e) => ({error: e.message})),
		]);
		setCatalog(catalog); /* every refresh: a daemon upgraded under a wall screen */
		const categories = (state.catalog.labels.category || []).map((c) => c.value);
		const period = report.period, prev = report.previous_period;
		/* Monthly points of a stock are month-end values (the series API's
		 * point of a stock is its last day's), so a chart draws them as they
		 * come; nothing below adds points of a period up. */
		const month = (metric, extra) => orUnavailable(metric, () => series(metric, period.from, period.to, "month", extra));
		const perCategory = (metric) => !known(metric) ? Promise.resolve([]) : whyUnavailable(metric) ?
			Promise.resolve({metric, unavailable: whyUnavailable(metric)}) :
			Promise.all(categories.map((c) => month(metric, {category: c})));
		const maybe = (metric, f) => (known(metric) ? f(metric) : Promise.resolve(null));
		const today = status.today, from = daysBefore(today, DAILY.days - 1);
		const daily = (metric) => orUnavailable(metric, () => series(metric, from, today, "day"));
		const kinds = (state.catalog.labels[DEPOSIT_KINDS.label] || []).map((k) => k.value);
		const [amount, count, rates, remote, remoteTotal, heads, todays, days, deposits, byKind, expertRate, experts] =
			await Promise.all([
				perCategory(BY_CATEGORY.amount),
				perCategory(BY_CATEGORY.count),
				Promise.all(RATE_LINES.filter(known).map((m) => month(m))),
				maybe(MONTHLY_COUNT, (m) => month(m)),
				maybe(MONTHLY_COUNT, (m) => pair(m, period, prev)),
				Promise.all(HEADLINES.filter((h) => [].concat(h).every(known)).map((h) =>
					Promise.all([].concat(h).map((m) => pair(m, period, prev))))),
				Promise.all(TODAY.filter(known).map((m) => orUnavailable(m, () => series(m, today, today, "day")))),
				Promise.all([DAILY.bars, DAILY.line, DAILY.more].map((m) => maybe(m, daily))),
				Promise.all(DEPOSITS.filter(([a]) => known(a)).map(([a, c]) => Promise.all([
					pair(a, period, prev), known(c) ? pair(c, period, prev) : null]))),
				!known(DEPOSIT_KINDS.metric) ? [] : orUnavailable(DEPOSIT_KINDS.metric, () => Promise.all(kinds.map((k) =>
					series(DEPOSIT_KINDS.metric, period.from, period.to, "year", {[DEPOSIT_KINDS.label]: k})
						.then((s) => ({kind: k, value: first(s)}))))),
				maybe(EXPERT_RATE, (m) => {
					const r = metricOf(m);
					return Promise.all([pair(m, period, prev),
						r.numerator && known(r.numerator) ? pair(r.numerator, period, prev) : null,
						r.denominator && known(r.denominator) ? pair(r.denominator, period, prev) : null]);
				}),
				Promise.all(EXPERT_MORE.filter(known).map((m) => pair(m, period, prev))),
			]);
		return {
			year, center, status, report, alerts, ranking, categories, amount, count, rates, remote, remoteTotal,
			heads, todays, days, deposits, byKind, expertRate, experts,
		};
	}

	/* ---- header and footer --------------------------------------------- */

	function renderHeader(d) {
		const st = d.status;
		$("as-of").textContent = shortTime(st.as_of);
		$("as-of").setAttribute("datetime", st.as_of || "");
		document.body.dataset.asOf = st.as_of || "";
		document.body.dataset.nowFixed = String(!!st.now_fixed);
		/* Under --now the figures believe it is another day than the polls'
		 * clock: say which is which. */
		const replay = $("replay");
		replay.hidden = !st.now_fixed;
		replay.replaceChildren();
		if (st.now_fixed) {
			replay.append("回放时间 ", en("Replayed time"), " ",
				el("time", {datetime: st.now}, shortTime(st.now).slice(0, 16)), " (--now)");
			replay.title = "守护进程以 --now 回放：当前年度、进度与告警按此时间计算；数据截至为最近一次实际轮询的时间。" +
				" The daemon replays this time (--now): the current year, pace and alerts follow it;" +
				" data as of is the time of the last real poll.";
		}
		$("as-of-clock").textContent = st.now_fixed ? "(实际时钟 real clock)" : "";
		renderAge(st.as_of);
		const c = st.centers.find((x) => x.code === d.center);
		$("center-name").textContent = d.center ? (c ? c.name : d.center) : "全部中心 All centres";
		const p = d.report.period;
		$("period").textContent = d.year + " 年 · " + p.from + " — " + p.to +
			(p.closed ? " (全年 whole year)" : " (年初至今 year to date)");
		renderHealth(st, d);
	}

	/* How old the figures are, by this browser's clock; amber from 15
	 * minutes (a poll every minute by default), so a stalled daemon shows. */
	function renderAge(asOf) {
		const age = $("as-of-age");
		const ms = asOf ? Date.now() - Date.parse(asOf) : NaN;
		if (!(ms >= 0)) {
			age.textContent = "";
			return;
		}
		const min = Math.floor(ms / 60000);
		age.textContent = min < 1 ? "刚刚 just now" : min < 120 ? min + " 分钟前 min ago" :
			Math.floor(min / 60) + " 小时前 h ago";
		age.className = "age" + (min >= 15 ? " stale" : "");
	}

	function renderHealth(st, d) {
		const health = $("health");
		health.replaceChildren();
		const pill = (name, zh, up, title, extra) => el("span", {
			class: "pill " + (up ? "up" : "down") + (extra || ""), "data-source": name, "data-up": String(up), title: title,
		}, el("i", {class: "dot"}), zh);
		health.append(pill("store", "存储", st.store_up, st.store_error || "store up"));
		for (const s of st.sources)
			health.append(pill(s.name, s.title_zh || s.name, s.up, s.last_error || (s.title_en || s.name) + " up",
				s.first_poll_done ? "" : " loading"));
		if (d) {
			const n = alertsOf(d).filter((a) => a.state === "firing").length;
			health.append(el("span", {class: "pill alerts-pill " + (n ? "hot" : "calm"), "data-firing": String(n)},
				n ? "告警 " + n : "无告警", " ", en(n ? "firing" : "no alert")));
		}
	}

	function renderFooter(d) {
		const tz = d.status.timezone;
		const now = Date.now();
		const t = zoneTime(now, tz);
		const r = $("refreshed");
		r.textContent = t ? t.slice(11) : new Date(now).toTimeString().slice(0, 8);
		r.setAttribute("datetime", new Date(now).toISOString());
		r.dataset.epochMs = String(now);
		r.dataset.zone = t ? tz : "";
		$("refreshed-zone").textContent = t ? "(" + tz + ")" : "";
	}

	function setOptions(select, options, value) {
		const same = select.options.length === options.length &&
			options.every(([v, t], i) => select.options[i].value === v && select.options[i].text === t);
		if (!same)
			select.replaceChildren(...options.map(([v, t]) => el("option", {value: v}, t)));
		select.value = value;
	}

	function renderControls(st) {
		setOptions($("year"), st.years.slice().reverse().map((y) => [String(y), String(y)]), String(state.year));
		setOptions($("center"), [["", "全部中心 All centres"]].concat(st.centers.map((c) =>
			[c.code, "\u3000".repeat(c.depth) + c.name + " " + c.code])), state.center);
	}

	/* ---- headline figures ---------------------------------------------- */

	/* 同比 of metric m: a relative change for sums and counts, percentage
	 * points for rates. {text, trend, attrs}. */
	function yoyOf(m, a, p) {
		if (m && m.kind === "rate") {
			const pts = yoyPoints(a, p);
			const trend = pts === null || pts === "0" ? "flat" : pts.startsWith("-") ? "down" : "up";
			return {text: pointsText(pts), trend, attrs: {"data-yoy-points": pts === null ? "" : pts}};
		}
		const y = yoyPercent(a, p);
		const trend = y === null || y === "0" ? "flat" : y.startsWith("-") ? "down" : "up";
		return {
			text: y === null ? "—" : (trend === "up" ? "▲ " : trend === "down" ? "▼ " : "") + y.replace(/^-/, "") + "%",
			trend, attrs: {"data-yoy": y === null ? "" : y + "%"},
		};
	}

	const NA = "不可用";

	/* The day a stock's figure is on: the period's last day (today in the
	 * current year, Dec 31 of a closed one). */
	const stockDay = (d) => d.report.period.to;

	/* How a figure of the period reads beside its name, for a title: a
	 * stock on its day, a distinct count of people counted once. */
	function kindNote(d, metric) {
		const m = metricOf(metric);
		return isStock(metric) ? "截至 " + stockDay(d) :
			m && m.total === "distinct" ? "每人只计一次 each person once" : "";
	}

	/* One figure of a headline card, {m, unit, shown, prevShown, y, attrs,
	 * value, title}: its value and unit as the reports write them, the same
	 * days a year before, 同比, and the data- attributes the browser test
	 * reads. An unavailable one reads 不可用, with the daemon's reason. */
	function cardFigure(d, h) {
		const m = metricOf(h.metric);
		const na = h.unavailable || null;
		const unit = na ? "" : unitOf(m, h.cur);
		const shown = na ? NA : display(h.cur, unit), prevShown = na ? NA : display(h.prev, unit);
		const y = na ? {text: "—", trend: "flat", attrs: {}} : yoyOf(m, h.cur, h.prev);
		const attrs = Object.assign({
			"data-metric": h.metric, "data-value": str(h.cur), "data-display": shown,
			"data-previous": str(h.prev), "data-previous-display": prevShown,
			"data-name": m.name_zh, "data-unit": unit, "data-total-kind": m.total || "",
			"data-available": String(!na), "data-unavailable": na || "",
			"data-day": isStock(h.metric) ? stockDay(d) : null,
		}, y.attrs);
		const num = na || shown === "—" ? shown : shown.slice(0, shown.length - unit.length);
		const note = kindNote(d, h.metric);
		const title = na ? m.name_zh + " " + NA + " unavailable: " + na : m.name_zh + " " + shown +
			(note ? " (" + note + ")" : "") + " · 上年同期 " + prevShown + " · 同比 " + y.text;
		const value = [el("span", {class: "num"}, num), el("span", {class: "unit"}, na || shown === "—" ? "" : unit)];
		return {m, unit, shown, prevShown, y, attrs, value, title};
	}

	/* An unavailable card's foot: the daemon's reason (two lines; the whole
	 * of it on hover). */
	const whyFoot = (why) => el("div", {class: "kpi-foot"}, el("div", {class: "why", title: why}, why));

	function card(d, h) {
		const f = cardFigure(d, h);
		return el("div", Object.assign({
			class: "kpi" + (h.unavailable ? " unavailable" : " drillable"), "data-kind": f.m.kind, title: f.title,
			tabindex: h.unavailable ? null : "0",
		}, f.attrs),
		el("div", {class: "kpi-label"}, f.m.name_zh, el("div", {class: "en"}, nameEn(h.metric))),
		el("div", {class: "kpi-value"}, ...f.value),
		h.unavailable ? whyFoot(h.unavailable) : el("div", {class: "kpi-foot"},
			el("div", {class: "yoy " + f.y.trend}, "同比 " + f.y.text),
			el("div", {class: "prev"}, "上年同期 " + f.prevShown)));
	}

	/* The longest beginning the names share (a count's and an amount's
	 * names of one thing begin alike), else the first name. */
	function sharedName(names) {
		let n = 0;
		while (names.every((x) => x.length > n && x[n] === names[0][n]))
			n++;
		return n >= 2 ? names[0].slice(0, n) : names[0];
	}

	/* [count, amount] of one thing on one card, "22宗 6.17亿元", named by
	 * what their catalogue names share; each figure has its own attributes. */
	function pairCard(d, figs) {
		const fs = figs.map((h) => cardFigure(d, h));
		const why = (figs.find((h) => h.unavailable) || {}).unavailable;
		const label = sharedName(fs.map((f) => f.m.name_zh));
		const joined = (items) => items.flatMap((x, i) => (i ? [" · ", x] : [x]));
		return el("div", {
			class: "kpi pair" + (why ? " unavailable" : " drillable"), tabindex: why ? null : "0",
			"data-kind": "pair", "data-metric": figs[0].metric,
			"data-metrics": figs.map((h) => h.metric).join(","), "data-name": label,
			"data-available": String(!why), "data-unavailable": why || "", title: fs.map((f) => f.title).join("\n"),
		},
		el("div", {class: "kpi-label"}, label, el("div", {class: "en"}, nameEn(figs[0].metric))),
		el("div", {class: "kpi-value"}, ...fs.map((f) =>
			el("span", Object.assign({class: "kpi-part", title: f.title}, f.attrs), ...f.value))),
		why ? whyFoot(why) : el("div", {class: "kpi-foot"},
			el("div", {class: "yoy-line"}, "同比 ", ...joined(fs.map((f) => el("span", {class: "yoy " + f.y.trend}, f.y.text)))),
			el("div", {class: "prev"}, "上年同期 " + fs.map((f) => f.prevShown).join(" · "))));
	}

	function renderKpis(d) {
		$("kpis").replaceChildren(...d.heads.map((figs) => (figs.length > 1 ? pairCard(d, figs) : card(d, figs[0]))));
		fitValues();
	}

	/* A headline value wider than its card (a five-digit count, a large
	 * pair) is drawn smaller until it fits, rather than cut: the cards
	 * keep one row on the wall screen whatever the figures. */
	function fitValues() {
		for (const v of document.querySelectorAll(".kpi-value")) {
			v.style.fontSize = "";
			let size = parseFloat(getComputedStyle(v).fontSize);
			const floor = size * 0.6;
			while (v.scrollWidth > v.clientWidth + 0.5 && size > floor) {
				size -= 1;
				v.style.fontSize = size + "px";
			}
		}
	}

	/* ---- targets ------------------------------------------------------- */

	function paceOf(d, ind) {
		const center = d.center || null;
		return d.alerts.alerts.find((a) => a.year === d.year && a.center === center &&
			a.indicator === ind.name && a.alertname === "GgzyTargetBehindPace") || null;
	}

	/* A target's pace: its alert row, unless the metric's sources have not
	 * finished their first load (then the row is missing or old: not known). */
	function paceKnown(d, ind) {
		const pace = sourcesLoaded(d.status, metricOf(ind.metric)) ? paceOf(d, ind) : null;
		return pace && pace.pace_ratio !== null ? pace : null;
	}

	/* How a computed target reads: {reading, tone, zh, en}. A closed year
	 * is met or missed; the current year is met, exceeded (a ceiling,
	 * direction lower, passed) or judged by its pace, which may not be
	 * known yet. */
	function readTarget(d, ind, pace) {
		const lower = ind.direction === "lower";
		const loaded = sourcesLoaded(d.status, metricOf(ind.metric));
		const cmp = ind.actual === null || ind.actual === undefined || ind.target === null ? null :
			cmpDec(ind.actual, ind.target);
		const over = cmp !== null && cmp > 0, reached = cmp !== null && cmp >= 0;
		if (cmp === null && whyUnavailable(ind.metric)) /* not "no figure": none can be known here */
			return {reading: "unavailable", tone: "idle", zh: NA, en: "unavailable"};
		if (d.report.period.closed) {
			if (cmp === null)
				return {reading: "none", tone: "idle", zh: "无数据", en: "no figure"};
			if (lower)
				return over ? {reading: "missed", tone: "bad", zh: "超出上限", en: "over the ceiling"} :
					{reading: "met", tone: "good", zh: "未超上限", en: "within the ceiling"};
			return reached ? {reading: "met", tone: "good", zh: "已完成", en: "met"} :
				{reading: "missed", tone: "bad", zh: "未完成", en: "missed"};
		}
		if (lower && over)
			return {reading: "exceeded", tone: "bad", zh: "已超出上限", en: "ceiling exceeded"};
		if (!lower && reached)
			return {reading: "met", tone: "good", zh: "已完成", en: "met"};
		if (!pace)
			return loaded ? {reading: "unknown", tone: "idle", zh: "待评估", en: "not evaluated yet"} :
				{reading: "unknown", tone: "idle", zh: "数据源首次加载中", en: "sources loading"};
		if (pace.state === "firing")
			return {reading: "firing", tone: "bad", zh: lower ? "超进度告警" : "进度落后告警", en: "firing"};
		if (pace.state === "pending")
			return {reading: "pending", tone: "warn", zh: "待确认", en: "pending"};
		if (lower && pace.pace_ratio > 1)
			return {reading: "ahead", tone: "warn", zh: "超进度", en: "ahead of the ceiling's pace"};
		return {reading: "on-pace", tone: "good", zh: "进度正常", en: "on pace"};
	}

	function progress(completion, expectedShare, tone) {
		const bar = el("div", {class: "bar " + tone});
		const fill = el("div", {class: "fill"});
		fill.style.width = Math.max(0, Math.min(1, completion || 0)) * 100 + "%";
		bar.append(fill);
		if (expectedShare !== null && expectedShare > 0 && expectedShare < 1) {
			const mark = el("div", {class: "mark", title: "按进度应达 expected by now"});
			mark.style.left = expectedShare * 100 + "%";
			bar.append(mark);
		}
		return bar;
	}

	/* A ratio number of the API as a percentage text. */
	const pct = (r) => (r === null || r === undefined ? "—" : display(r, "%"));

	function renderTargets(d) {
		const r = d.report;
		const box = $("targets");
		box.replaceChildren();
		box.classList.toggle("dense", r.indicators.length > 6);
		const score = $("score");
		score.replaceChildren();
		if (r.targets) {
			$("targets-title").replaceChildren("年度目标 ", en("Annual targets"));
			score.append(el("span", {class: "total", "data-total": String(r.total_score)},
				"自评得分 ", en("Score"), " ", el("b", null, String(r.total_score)), " / " + r.max_score),
			el("span", {class: "grade grade-" + r.grade, "data-grade": r.grade}, r.grade));
		} else {
			$("targets-title").replaceChildren("全部指标 ", en("All figures"),
				el("span", {class: "note"}, "本年度本中心无目标 no targets for this year and centre"));
		}
		r.indicators.forEach((ind, line) => {
			const rows = !ind.manual && ind.metric && !ind.unavailable && known(ind.metric);
			const row = el("div", {
				class: "target" + (ind.manual ? " manual" : "") + (r.targets ? "" : " plain") + (rows ? " drillable" : ""),
				"data-line": String(line), tabindex: rows ? "0" : null,
				"data-indicator": ind.name, "data-metric": ind.metric || "",
				"data-display": ind.display, "data-target-display": ind.target_display || "",
				"data-completion": ind.completion === null ? "" : String(ind.completion),
				"data-direction": ind.direction || "",
			});
			const m = ind.metric ? metricOf(ind.metric) : null;
			const filter = Object.entries(ind.filter || {});
			const name = el("div", {class: "t-name", title: ind.name},
				el("span", {class: "t-title"}, ind.name),
				m && !r.targets ? en(nameEn(ind.metric)) : null,
				filter.length ? el("span", {class: "filter"}, filter.map(([k, v]) => labelName(k, v)).join(" · ")) : null);
			const figs = el("div", {class: "t-figs"},
				el("span", {class: "t-actual"}, ind.display),
				ind.target_display ? el("span", {class: "t-target"}, " / " + ind.target_display) : null);
			row.append(name, figs);
			const meta = el("div", {class: "t-meta"});
			if (r.targets && !ind.manual && ind.metric) {
				const pace = r.period.closed ? null : paceKnown(d, ind);
				const rd = readTarget(d, ind, pace);
				row.dataset.reading = rd.reading;
				row.dataset.tone = rd.tone;
				const share = pace && pace.expected !== null && ind.target !== null &&
					Number(ind.target) > 0 ? Number(pace.expected) / Number(ind.target) : null;
				row.append(progress(ind.completion, r.period.closed ? null : share, rd.tone));
				meta.append(el("span", {class: "badge " + rd.tone, "data-reading": rd.reading}, rd.zh + " ", en(rd.en)));
				if (rd.reading === "exceeded" || (rd.reading === "missed" && ind.direction === "lower"))
					meta.append(el("span", {class: "t-over", "data-over": subDec(ind.actual, ind.target)},
						"超出 " + display(subDec(ind.actual, ind.target), ind.display_unit)));
				meta.append(ind.direction === "lower" ?
					el("span", {class: "t-completion"}, "占上限 ", en("of the ceiling"), " " + pct(ind.completion)) :
					el("span", {class: "t-completion"}, "完成 ", en("done"), " " + pct(ind.completion)));
				if (!r.period.closed) {
					const p = el("span", {
						class: "t-pace", "data-known": String(!!pace),
						"data-pace-ratio": pace ? String(pace.pace_ratio) : "",
						"data-state": pace ? pace.state : "unknown",
					}, "进度 ", en("pace"), " ");
					if (pace)
						p.append(pct(pace.pace_ratio) + " · " + (ind.direction === "lower" ? "应不超过 " : "应达 ") +
							(pace.display && pace.display.expected ? pace.display.expected : "—"));
					else
						p.append(el("b", {class: "unknown"}, "未知"), " ", en("not yet known"));
					meta.append(p);
					if (pace)
						row.dataset.state = pace.state;
				}
				name.append(el("span", {class: "t-score"}, "得分 " + ind.score + "/" + ind.weight));
			} else if (ind.manual) {
				meta.append(el("span", {class: "badge manual"}, "人工填报 ", en("manual")));
				name.append(el("span", {class: "t-score"}, "得分 " + ind.score + "/" + ind.weight));
			}
			if (!ind.manual && ind.metric) {
				const prevShown = display(ind.previous_year, ind.display_unit === "" && m ? unitOf(m, ind.previous_year) : ind.display_unit);
				const isRate = m && m.kind === "rate";
				const yoy = isRate ? pointsText(ind.yoy_points) :
					ind.yoy === null || ind.yoy === undefined ? "—" : display(ind.yoy, "%");
				meta.append(el("span", {
					class: "t-yoy", "data-previous-display": prevShown,
					"data-yoy": isRate || ind.yoy === null || ind.yoy === undefined ? "" : display(ind.yoy, "%"),
					"data-yoy-points": isRate && ind.yoy_points !== null && ind.yoy_points !== undefined ? String(ind.yoy_points) : "",
				}, "上年同期 " + prevShown + " · 同比 " + yoy));
			}
			if (meta.childElementCount)
				row.append(meta);
			box.append(row);
		});
	}

	/* ---- charts -------------------------------------------------------- */

	const MONTHS = ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"];

	/* The smallest round step (1, 2, 2.5, 5 × 10^k) that covers max in n steps. */
	function niceStep(max, n) {
		const raw = max / n;
		const p = Math.pow(10, Math.floor(Math.log10(raw)));
		const f = raw / p;
		return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
	}

	function frame(box, label) {
		const w = Math.max(box.clientWidth, 240), h = Math.max(box.clientHeight, 120);
		box.dataset.drawn = box.clientWidth + "x" + box.clientHeight;
		const s = svg("svg", {width: w, height: h, viewBox: "0 0 " + w + " " + h, role: "img", "aria-label": label});
		box.replaceChildren(s); /* in place, so that text can be measured */
		return {s, w, h, left: 48, right: 10, top: 12, bottom: 22};
	}

	/* Text width as drawn (the svg is in the document). */
	function textWidth(f, cls, text) {
		const t = svg("text", {class: cls, x: -1000, y: -1000}, text);
		f.s.append(t);
		const w = t.getComputedTextLength();
		t.remove();
		return w;
	}

	/* A y axis from 0 to max (fixed) or to a round value above it. */
	function axis(f, max, fmt, fixedTop) {
		const want = fixedTop ? max : (max || 1) * 1.1; /* room for a bar's label */
		const step = niceStep(want, f.h < 180 ? 3 : 5);
		const top = fixedTop ? max : Math.max(step, Math.ceil(want / step) * step);
		const y = (v) => f.h - f.bottom - (v / top) * (f.h - f.top - f.bottom);
		for (let v = 0; v <= top + step / 2; v += step) {
			f.s.append(svg("line", {class: "grid", x1: f.left, x2: f.w - f.right, y1: y(v), y2: y(v)}));
			f.s.append(svg("text", {class: "tick", x: f.left - 6, y: y(v) + 4, "text-anchor": "end"}, fmt(v)));
		}
		return y;
	}

	/* x labels under n slots: every k-th one, k chosen so they never touch. */
	function xLabels(f, labels) {
		const n = labels.length;
		const bw = (f.w - f.left - f.right) / Math.max(n, 1);
		const widest = Math.max(0, ...labels.map((l) => textWidth(f, "tick", l)));
		const k = Math.max(1, Math.ceil((widest + 6) / bw));
		for (let i = 0; i < n; i++)
			if (i % k === 0)
				f.s.append(svg("text", {class: "tick", x: f.left + bw * (i + 0.5), y: f.h - 6, "text-anchor": "middle"}, labels[i]));
		return bw;
	}

	function monthLabels(f, n) {
		const bw = (f.w - f.left - f.right) / Math.max(n, 1);
		const long = Array.from({length: n}, (_, i) => MONTHS[i] || String(i + 1));
		return xLabels(f, long.map((l) => textWidth(f, "tick", l) + 6 <= bw ? l : l.replace("月", "")));
	}

	/* Stacked monthly bars: one series per category, values as the API gave
	 * them (decimal strings or integers), with the exact text on hover. */
	function stackedBars(box, list, cats, metric, scale, unitText) {
		const m = metricOf(metric);
		const f = frame(box, nameZh(metric));
		const n = list[0] ? list[0].points.length : 0;
		const totals = new Array(n).fill(0);
		const exact = Array.from({length: n}, (_, i) => sumDec(list.map((s) => s.points[i] ? s.points[i].value : null)));
		list.forEach((s) => s.points.forEach((p, i) => (totals[i] += Number(p.value || 0) / scale)));
		const y = axis(f, Math.max(...totals, 0), (v) => String(+v.toFixed(2)));
		const bw = monthLabels(f, n);
		const base = new Array(n).fill(0);
		list.forEach((s, ci) => s.points.forEach((p, i) => {
			const v = Number(p.value || 0) / scale;
			const y0 = y(base[i]), y1 = y(base[i] + v);
			base[i] += v;
			const cat = cats[ci];
			const text = p.start.slice(0, 7) + " " + labelName("category", cat) + " " + show(m, p.value) +
				(m.kind === "amount" ? " (" + p.value + "元)" : "") + " · 当月合计 " + show(m, exact[i]);
			f.s.append(svg("rect", {
				class: "bar-seg", x: f.left + bw * i + bw * 0.18, width: bw * 0.64,
				y: y1, height: Math.max(0, y0 - y1), fill: PALETTE[ci % PALETTE.length],
				"data-metric": metric, "data-category": cat, "data-month": p.start.slice(0, 7),
				"data-value": String(p.value),
			}, svg("title", null, text)));
		}));
		return unitText;
	}

	function lineChart(box, lines, label) {
		const f = frame(box, label);
		f.top = 30; /* room for the legend */
		const y = axis(f, 1, (v) => Math.round(v * 100) + "%", true);
		const n = lines[0] ? lines[0].data.points.length : 0;
		const bw = monthLabels(f, n);
		for (const ln of lines) {
			const pts = [];
			let path = "", gap = true;
			ln.data.points.forEach((p, i) => {
				if (p.value === null) { /* no deals that month: a gap */
					gap = true;
					return;
				}
				const x = f.left + bw * (i + 0.5), yy = y(Number(p.value));
				path += (gap ? "M" : "L") + x.toFixed(1) + "," + yy.toFixed(1);
				gap = false;
				pts.push(svg("circle", {
					class: "pt", cx: x, cy: yy, r: 4, fill: ln.color, "data-metric": ln.metric,
					"data-month": p.start.slice(0, 7), "data-value": String(p.value), "data-display": pct(p.value),
				}, svg("title", null, p.start.slice(0, 7) + " " + ln.label + " " + pct(p.value))));
			});
			if (path)
				f.s.append(svg("path", {class: "line", d: path, stroke: ln.color}));
			pts.forEach((c) => f.s.append(c));
		}
		legendIn(f, lines);
	}

	/* A legend along the top of a chart, measured so that items never touch. */
	function legendIn(f, items) {
		let lx = f.left + 4;
		for (const it of items) {
			f.s.append(it.dot ? svg("circle", {cx: lx + 7, cy: 10, r: 4, fill: it.color}) :
				svg("rect", {x: lx, y: 8, width: 14, height: 5, rx: 2, fill: it.color}));
			f.s.append(svg("text", {class: "legend-text", x: lx + 20, y: 14}, it.label));
			lx += 20 + textWidth(f, "legend-text", it.label) + 24;
		}
	}

	/* Bars of a count with their value above when there is room for it
	 * (all or none: a label never touches its neighbour). */
	function countBars(box, data, metric) {
		const m = metricOf(metric);
		const f = frame(box, nameZh(metric));
		const vals = data.points.map((p) => Number(p.value || 0));
		const y = axis(f, Math.max(...vals, 0), (v) => String(+v.toFixed(2)));
		const bw = monthLabels(f, vals.length);
		const widest = Math.max(0, ...data.points.map((p) => textWidth(f, "bar-label", String(p.value))));
		const labels = widest + 4 <= bw;
		data.points.forEach((p, i) => {
			const y1 = y(vals[i]);
			f.s.append(svg("rect", {
				class: "bar-seg", x: f.left + bw * i + bw * 0.2, width: bw * 0.6, y: y1,
				height: Math.max(0, y(0) - y1), fill: "#36c2a3", "data-metric": metric,
				"data-month": p.start.slice(0, 7), "data-value": String(p.value),
			}, svg("title", null, p.start.slice(0, 7) + " " + m.name_zh + " " + show(m, p.value))));
			if (labels && vals[i] > 0)
				f.s.append(svg("text", {class: "bar-label", x: f.left + bw * (i + 0.5), y: y1 - 4, "text-anchor": "middle"},
					String(p.value)));
		});
	}

	/* The last days: bars of one count, a line of another, the amount on hover. */
	function dailyChart(box, d) {
		const ok = (x) => (x && !x.unavailable ? x : null);
		const [bars, line, more] = d.days.map(ok);
		const mb = metricOf(DAILY.bars), ml = metricOf(DAILY.line), mm = metricOf(DAILY.more);
		const f = frame(box, nameZh(DAILY.bars));
		f.top = 28;
		if (!bars)
			return;
		const vals = bars.points.map((p) => Number(p.value || 0));
		const lvals = line ? line.points.map((p) => Number(p.value || 0)) : [];
		const y = axis(f, Math.max(...vals, ...lvals, 0), (v) => String(+v.toFixed(2)));
		const labels = bars.points.map((p) => p.start === d.status.today ? "今日" : p.start.slice(5));
		const bw = xLabels(f, labels);
		const pts = [];
		let path = "";
		bars.points.forEach((p, i) => {
			const y1 = y(vals[i]);
			const lp = line ? line.points[i] : null, mp = more ? more.points[i] : null;
			const text = p.start + " " + mb.name_zh + " " + show(mb, p.value) +
				(lp ? " · " + ml.name_zh + " " + show(ml, lp.value) : "") +
				(mp ? " · " + mm.name_zh + " " + show(mm, mp.value) : "");
			f.s.append(svg("rect", {
				class: "bar-seg day-bar" + (p.start === d.status.today ? " today" : ""),
				x: f.left + bw * i + bw * 0.15, width: bw * 0.7, y: y1, height: Math.max(0, y(0) - y1),
				"data-metric": DAILY.bars, "data-day": p.start, "data-value": String(p.value),
				"data-line": lp ? String(lp.value) : "", "data-more": mp ? String(mp.value) : "",
			}, svg("title", null, text)));
			if (lp) {
				const x = f.left + bw * (i + 0.5), yy = y(lvals[i]);
				path += (path ? "L" : "M") + x.toFixed(1) + "," + yy.toFixed(1);
				pts.push(svg("circle", {
					class: "pt day-pt", cx: x, cy: yy, r: 3, fill: "#f2b544", "data-metric": DAILY.line,
					"data-day": p.start, "data-value": String(lp.value),
				}, svg("title", null, text)));
			}
		});
		if (path)
			f.s.append(svg("path", {class: "line", d: path, stroke: "#f2b544"}));
		pts.forEach((c) => f.s.append(c));
		legendIn(f, [{label: mb.name_zh, color: "#4e9af1"}].concat(line ? [{label: ml.name_zh, color: "#f2b544", dot: true}] : []));
	}

	function caption(id, zh, enText, unit, more) {
		$(id).replaceChildren(...[zh + " ", en(enText), more, unit ? el("span", {class: "unit"}, unit) : null].filter((x) => x));
	}

	/* A chart of a metric this daemon cannot give: 不可用 in its box, the
	 * reason on hover (an SVG text as long as the reason would not fit). */
	function unavailableChart(box, label, why) {
		const f = frame(box, label);
		box.dataset.unavailable = why;
		f.s.append(svg("text", {class: "tick na", x: f.w / 2, y: f.h / 2, "text-anchor": "middle"},
			NA + " unavailable", svg("title", null, why)));
	}

	/* The period's total beside a monthly chart's name: "年初至今 1290次". */
	function totalNote(d, fig) {
		if (!fig || fig.unavailable)
			return null;
		const m = metricOf(fig.metric);
		return el("span", {
			class: "cap-total", "data-metric": fig.metric, "data-value": str(fig.cur), "data-display": show(m, fig.cur),
		}, " · " + (d.report.period.closed ? "全年 " : "年初至今 ") + show(m, fig.cur));
	}

	function renderCharts(d) {
		const amountM = metricOf(BY_CATEGORY.amount), countM = metricOf(BY_CATEGORY.count);
		for (const box of document.querySelectorAll(".chart"))
			delete box.dataset.unavailable;
		if (amountM && d.amount.unavailable) {
			caption("cap-amount", "月度" + amountM.name_zh, "Monthly, by category");
			unavailableChart($("chart-amount"), amountM.name_zh, d.amount.unavailable);
		} else if (amountM) {
			let max = "0";
			const n = d.amount[0] ? d.amount[0].points.length : 0;
			for (let i = 0; i < n; i++) {
				const t = sumDec(d.amount.map((s) => s.points[i] ? s.points[i].value : null));
				if (cmpDec(t, max) > 0)
					max = t;
			}
			const unit = unitOf(amountM, max);
			caption("cap-amount", "月度" + amountM.name_zh, "Monthly, by category", unit);
			stackedBars($("chart-amount"), d.amount, d.categories, BY_CATEGORY.amount,
				Math.pow(10, -(UNIT_SHIFT[unit] || 0)), unit);
		}
		if (countM && d.count.unavailable) {
			caption("cap-count", "月度" + countM.name_zh, "Monthly, by category");
			unavailableChart($("chart-count"), countM.name_zh, d.count.unavailable);
		} else if (countM) {
			caption("cap-count", "月度" + countM.name_zh, "Monthly, by category", countM.unit);
			stackedBars($("chart-count"), d.count, d.categories, BY_CATEGORY.count, 1, countM.unit);
		}
		const colors = ["#4e9af1", "#f2b544"];
		const rates = d.rates.filter((s) => !s.unavailable);
		const lines = rates.map((s, i) => ({
			metric: s.metric, label: nameZh(s.metric), color: colors[i % colors.length], data: s,
		}));
		caption("cap-rates", d.rates.map((s) => nameZh(s.metric)).join(" · "), "Monthly rates", "%");
		if (d.rates.length && !rates.length)
			unavailableChart($("chart-rates"), nameZh(d.rates[0].metric), d.rates[0].unavailable);
		else
			lineChart($("chart-rates"), lines, lines.map((l) => l.label).join(" · "));
		if (d.remote) {
			const m = metricOf(MONTHLY_COUNT);
			caption("cap-remote", "月度" + m.name_zh, "Monthly", d.remote.unavailable ? "" : m.unit, totalNote(d, d.remoteTotal));
			if (d.remote.unavailable)
				unavailableChart($("chart-remote"), m.name_zh, d.remote.unavailable);
			else
				countBars($("chart-remote"), d.remote, MONTHLY_COUNT);
		}
		if (d.days[0] && d.days[0].unavailable) {
			caption("cap-daily", "近" + DAILY.days + "日" + nameZh(DAILY.bars), "Last " + DAILY.days + " days, to " + d.status.today);
			unavailableChart($("chart-daily"), nameZh(DAILY.bars), d.days[0].unavailable);
		} else if (d.days[0]) {
			caption("cap-daily", "近" + DAILY.days + "日" + nameZh(DAILY.bars), "Last " + DAILY.days + " days, to " + d.status.today,
				metricOf(DAILY.bars).unit);
			dailyChart($("chart-daily"), d);
		}
		const legend = $("legend");
		const items = d.categories.map((c, i) => {
			const sw = el("i", {class: "swatch"});
			sw.style.background = PALETTE[i % PALETTE.length];
			return el("span", {class: "legend-item", "data-category": c}, sw, labelName("category", c));
		});
		legend.replaceChildren(...items);
	}

	/* ---- page 2: centres, today, deposits, experts --------------------- */

	function figureCell(metric, fig, max) {
		const m = metricOf(metric);
		if (fig && fig.unavailable)
			return unavailableCell(metric, fig.unavailable);
		const v = fig ? fig.value : null, p = fig ? fig.previous : null;
		const y = yoyOf(m, v, p);
		const td = el("td", Object.assign({
			class: "num", "data-metric": metric, "data-value": str(v), "data-previous": str(p),
			"data-display": show(m, v), title: (m ? m.name_zh : metric) + " " + show(m, v) +
				" · 上年同期 " + show(m, p) + " · 同比 " + y.text,
		}, y.attrs), show(m, v));
		if (max !== undefined && v !== null && max > 0) {
			const bar = el("i", {class: "share"});
			bar.style.width = Math.max(1, 100 * Number(v) / max) + "%";
			td.prepend(bar);
		}
		return td;
	}

	/* A figure this daemon cannot give: 不可用, the reason on hover. */
	function unavailableCell(metric, why) {
		return el("td", {
			class: "num unavailable", "data-metric": metric, "data-value": "", "data-display": NA,
			"data-available": "false", "data-unavailable": why, title: nameZh(metric) + " " + NA + " unavailable: " + why,
		}, NA);
	}

	/* "吉首市公共资源交易中心" -> "吉首市": a table's column is narrow. */
	const shortName = (name) => name.replace(/公共资源交易(服务)?中心$/, "") || name;

	function renderRanking(d) {
		const rk = d.ranking;
		const table = $("ranking");
		const c = d.status.centers.find((x) => x.code === d.center);
		$("ranking-title").replaceChildren(d.center ? "下级中心排名 " : "各中心排名 ",
			en(d.center ? "Subordinate centres" : "Top-level centres"));
		if (rk.error) {
			$("ranking-note").textContent = "";
			table.tHead.replaceChildren();
			table.tBodies[0].replaceChildren(el("tr", {class: "none unavailable"},
				el("td", null, "排名暂不可用 ", en("Ranking unavailable"), " · " + rk.error)));
			return;
		}
		const cols = rk.metrics.filter(known);
		$("ranking-note").textContent = (d.center ? (c ? c.name : d.center) + " 的下级中心" : "全部中心的最上级") +
			" · 按" + nameZh("deal_amount") + "排序 · " + rk.period.from + " — " + rk.period.to;
		table.tHead.replaceChildren(el("tr", null, el("th", {class: "rank-no"}, "#"),
			el("th", null, "中心 ", en("Centre")),
			...cols.map((mname) => el("th", {class: "num", "data-metric": mname}, nameZh(mname))),
			el("th", {class: "num"}, nameZh("deal_amount") + "同比")));
		const body = table.tBodies[0];
		body.replaceChildren();
		if (!rk.centers.length) {
			body.append(el("tr", {class: "none"}, el("td", {colspan: String(cols.length + 3)},
				"本中心无下级中心 ", en("No subordinate centre"))));
			return;
		}
		const max = Math.max(...rk.centers.map((x) => Number(x.figures.deal_amount ? x.figures.deal_amount.value : 0)));
		rk.centers.forEach((x, i) => {
			const link = el("a", {href: "#" + query({year: d.year, center: x.code}),
				title: x.name + " " + x.code + " · 切换到此中心 show this centre"}, shortName(x.name));
			const dm = x.figures.deal_amount;
			const y = yoyOf(metricOf("deal_amount"), dm ? dm.value : null, dm ? dm.previous : null);
			body.append(el("tr", {class: "rank-row", "data-code": x.code, "data-rank": String(i + 1)},
				el("td", {class: "rank-no"}, String(i + 1)),
				el("td", {class: "rank-name", "data-name": x.name}, link),
				...cols.map((mname) => figureCell(mname, x.figures[mname], mname === "deal_amount" ? max : undefined)),
				el("td", {class: "num yoy " + y.trend, "data-yoy": y.attrs["data-yoy"] || ""}, y.text)));
		});
	}

	function renderToday(d) {
		$("today-date").textContent = d.status.today + (d.status.now_fixed ? " (回放 replay)" : "");
		const box = $("today");
		box.replaceChildren(...d.todays.map((s) => {
			const m = metricOf(s.metric);
			const v = s.unavailable ? null : first(s);
			const shown = s.unavailable ? NA : show(m, v), unit = s.unavailable ? "" : unitOf(m, v);
			const bare = s.unavailable || shown === "—";
			return el("div", {
				class: "today-fig" + (s.unavailable ? " unavailable" : ""), "data-metric": s.metric, "data-day": d.status.today,
				"data-value": str(v), "data-display": shown, "data-available": String(!s.unavailable),
				"data-unavailable": s.unavailable || "", title: s.unavailable || null,
			}, el("div", {class: "label"}, m.name_zh),
			el("div", {class: "value"}, el("span", {class: "num"}, bare ? shown : shown.slice(0, shown.length - unit.length)),
				el("span", {class: "unit"}, bare ? "" : unit)));
		}));
	}

	function renderDeposits(d) {
		const table = $("deposits");
		$("deposits-note").textContent = d.report.period.closed ? "全年 whole year" : "年初至今 year to date";
		table.tHead.replaceChildren(el("tr", null, el("th", null, ""), el("th", {class: "num"}, "金额 ", en("amount")),
			el("th", {class: "num"}, "笔数 ", en("count")), el("th", {class: "num"}, "同比 ", en("YoY"))));
		const fig = (x) => ({value: x.cur, previous: x.prev, unavailable: x.unavailable});
		table.tBodies[0].replaceChildren(...d.deposits.map(([a, c]) => {
			const m = metricOf(a.metric);
			const y = a.unavailable ? {text: "—", trend: "flat", attrs: {}} : yoyOf(m, a.cur, a.prev);
			/* a stock's row is the balance on the period's last day, not the
			 * period's flow like the rows above it: it says which day */
			const day = isStock(a.metric) ? stockDay(d) : null;
			return el("tr", {class: "dep-row", "data-metric": a.metric, "data-day": day},
				el("th", {scope: "row", title: m.name_en + (day ? ", on " + day : "")}, m.name_zh,
					day ? el("span", {class: "when"}, "截至" + day.slice(5)) : null),
				figureCell(a.metric, fig(a)),
				c ? figureCell(c.metric, fig(c)) : el("td", {class: "num"}, "—"),
				el("td", Object.assign({class: "num yoy " + y.trend}, y.attrs), y.text));
		}));
	}

	/* The year's deposits by kind: one bar of shares, then each kind. */
	function renderKinds(d) {
		const box = $("deposit-kinds");
		box.replaceChildren();
		const m = metricOf(DEPOSIT_KINDS.metric);
		if (m && d.byKind.unavailable) {
			box.append(el("div", {class: "kind-title unavailable", "data-metric": DEPOSIT_KINDS.metric,
				"data-available": "false", "data-unavailable": d.byKind.unavailable, title: d.byKind.unavailable},
			m.name_zh + " · 按形式 ", en("by kind"), " " + NA));
			return;
		}
		/* the kinds of one period's flow add up to its total (labels, not days) */
		const total = sumDec(d.byKind.map((k) => k.value));
		if (!m || !d.byKind.length)
			return;
		const bar = el("div", {class: "kind-bar"});
		const rows = d.byKind.map((k, i) => {
			const share = cmpDec(total, "0") > 0 && k.value !== null ? Number(k.value) / Number(total) : 0;
			const seg = el("i", {title: labelName(DEPOSIT_KINDS.label, k.kind) + " " + show(m, k.value)});
			seg.style.width = share * 100 + "%";
			seg.style.background = PALETTE[i % PALETTE.length];
			bar.append(seg);
			const sw = el("i", {class: "swatch"});
			sw.style.background = PALETTE[i % PALETTE.length];
			return el("div", {
				class: "kind-row", "data-metric": DEPOSIT_KINDS.metric, "data-kind": k.kind,
				"data-value": str(k.value), "data-display": show(m, k.value),
			}, el("span", {class: "kind-name"}, sw, labelName(DEPOSIT_KINDS.label, k.kind)),
			el("span", {class: "kind-share"}, (share * 100).toFixed(1) + "%"),
			el("span", {class: "num"}, show(m, k.value)));
		});
		box.append(el("div", {class: "kind-title"}, m.name_zh + " · 按形式 ", en("by kind")), bar, ...rows);
	}

	function renderExperts(d) {
		const box = $("experts");
		box.replaceChildren();
		$("experts-note").textContent = d.report.period.closed ? "全年 whole year" : "年初至今 year to date";
		if (d.expertRate && d.expertRate[0].unavailable) {
			const why = d.expertRate[0].unavailable, m = metricOf(EXPERT_RATE);
			box.append(el("div", {
				class: "expert-rate unavailable", "data-metric": EXPERT_RATE, "data-value": "", "data-display": NA,
				"data-available": "false", "data-unavailable": why, title: why,
			}, el("div", {class: "label"}, m.name_zh, " ", en(nameEn(EXPERT_RATE))),
			el("div", {class: "value"}, el("span", {class: "num"}, NA)),
			el("div", {class: "parts why"}, why)));
		} else if (d.expertRate) {
			const [rate, num, den] = d.expertRate;
			const m = metricOf(rate.metric);
			const y = yoyOf(m, rate.cur, rate.prev);
			const part = (x) => x ? el("span", {
				class: "part", "data-metric": x.metric, "data-value": str(x.cur), "data-display": show(metricOf(x.metric), x.cur),
			}, nameZh(x.metric) + " ", el("b", null, show(metricOf(x.metric), x.cur))) : null;
			box.append(el("div", Object.assign({
				class: "expert-rate", "data-metric": rate.metric, "data-value": str(rate.cur),
				"data-display": pct(rate.cur), "data-previous": str(rate.prev),
			}, y.attrs),
			el("div", {class: "label"}, m.name_zh, " ", en(nameEn(rate.metric))),
			el("div", {class: "value"}, el("span", {class: "num"}, pct(rate.cur).replace(/%$/, "")), el("span", {class: "unit"}, rate.cur === null ? "" : "%")),
			el("div", {class: "parts"}, part(num), num && den ? " / " : null, part(den)),
			el("div", {class: "yoy " + y.trend}, "同比 ", en("YoY"), " " + y.text)));
		}
		/* people counted once over the period and the pool on its last day
		 * are read as such: the pool's row says its day */
		const row = (x) => {
			const day = isStock(x.metric) ? stockDay(d) : null;
			return el("tr", {class: "expert-row", "data-metric": x.metric, "data-day": day},
				el("th", {scope: "row", title: kindNote(d, x.metric) || null}, nameZh(x.metric),
					day ? el("span", {class: "when"}, "截至" + day.slice(5)) : null),
				figureCell(x.metric, {value: x.cur, previous: x.prev, unavailable: x.unavailable}));
		};
		if (d.experts.length)
			box.append(el("table", {class: "expert-more"}, el("tbody", null, ...d.experts.map(row))));
	}

	/* ---- alerts and sources -------------------------------------------- */

	/* The alerts of the chosen centre (all centres: centre null), firing
	 * first; "ok" rows are targets on pace, not alerts. */
	function alertsOf(d) {
		const center = d.center || null;
		const order = {firing: 0, pending: 1, resolved: 2};
		return d.alerts.alerts.filter((a) => a.center === center && a.state in order).sort((a, b) =>
			order[a.state] - order[b.state] || b.year - a.year ||
			String(b.starts_at || b.since).localeCompare(String(a.starts_at || a.since)) ||
			a.indicator.localeCompare(b.indicator));
	}

	function renderAlerts(d) {
		const list = alertsOf(d);
		const firing = list.filter((a) => a.state === "firing").length;
		const box = $("alerts");
		box.replaceChildren();
		$("alert-count").textContent = String(firing);
		$("alert-count").className = "count" + (firing ? " hot" : "");
		$("alert-count").title = "告警中 firing";
		$("alert-total").textContent = list.length ? "条告警中 · 共 " + list.length + " 条" : "条告警中";
		const c = d.status.centers.find((x) => x.code === d.center);
		$("alerts-center").textContent = d.center ? (c ? c.name : d.center) : "全部中心 (汇总) all centres";
		if (!list.length)
			box.append(el("li", {class: "none"}, "✓ 本中心无告警 ", en("No alert for this centre")));
		for (const a of list) {
			const [zh, enText] = String(a.summary || "").split(" / ");
			const st = ALERT_STATES[a.state];
			box.append(el("li", {
				class: "alert " + a.state + (a.alertname === "GgzyTargetMissed" ? " critical" : " warning"),
				"data-indicator": a.indicator, "data-year": String(a.year), "data-center": a.center || "",
				"data-alertname": a.alertname, "data-state": a.state, title: enText || "",
			},
			el("div", {class: "a-head"},
				el("span", {class: "badge " + a.state}, st[0]),
				el("b", null, a.indicator),
				el("span", {class: "a-kind"}, (ALERT_KINDS[a.alertname] || a.alertname) + " · " + a.year),
				el("span", {class: "a-since"}, "自 " + shortTime(a.starts_at || a.since).slice(0, 16))),
			el("div", {class: "a-text"}, zh || "")));
		}
	}

	/* A source per row; its last error, when it has one, on a row of its
	 * own below, the whole width, so that a wall screen shows it readably. */
	function renderSources(d) {
		const body = $("sources").tBodies[0];
		body.replaceChildren();
		const row = (name, label, up, loading, success, error) => {
			body.append(el("tr", {
				"data-source": name, "data-up": String(up), "data-loading": String(loading), class: error ? "has-err" : null,
			},
			el("td", null, label), el("td", null, el("span", {class: "pill " + (up ? "up" : "down") + (loading ? " loading" : "")},
				el("i", {class: "dot"}), !up ? "中断 down" : loading ? "首次加载中 loading" : "正常 up")),
			el("td", null, shortTime(success))));
			if (error)
				body.append(el("tr", {class: "err-row", "data-source": name + ":error"},
					el("td", {colspan: "3", title: error}, el("div", {class: "err"}, "最近错误 ", en("last error"), " ", error))));
		};
		row("store", "存储 store", d.status.store_up, false, null, d.status.store_error);
		for (const s of d.status.sources) {
			row(s.name, el("span", null, s.title_zh || s.name, " ", en(s.name)), s.up, !s.first_poll_done,
				s.last_success, s.last_error);
			const p = loadProgress(s);
			if (p)
				body.append(el("tr", {class: "load-row", "data-source": s.name + ":load"},
					el("td", {colspan: "3"}, el("div", {
						class: "load", "data-stream": p.stream, "data-loaded": String(p.loaded),
						"data-expected": String(p.expected), title: p.stream,
					},
					el("span", {class: "load-text"}, "首次加载 " + p.pct + "%", " ",
						en("loading " + p.stream), " ", groups(p.loaded) + " / " + groups(p.expected) + " 行"),
					el("span", {class: "load-bar"}, el("i", {style: "width:" + p.pct + "%"}))))));
		}
		/* Each feed (定时报送): its health, last acknowledged delivery and
		 * what is still to be delivered. */
		for (const f of d.status.feeds || []) {
			const what = f.what === "report" ? "年报 report" : "统计表 statistics";
			const pending = f.pending ? " · 待报送 " + f.pending : "";
			row("feed:" + f.name, el("span", {"data-feed": f.name, "data-pending": String(f.pending ?? "")},
				"报送 " + f.name + pending, " ", en(what + (f.last_period ? " · " + f.last_period : ""))),
			f.up, false, f.last_success, f.last_error);
		}
	}

	/* A source's first load, while it runs: the rows of its loading streams
	 * loaded and expected (GET /api/v1/status), exact integers. */
	function loadProgress(s) {
		if (s.first_poll_done || !Array.isArray(s.streams))
			return null;
		const loading = s.streams.filter((x) => x.state === "loading");
		if (!loading.length)
			return null;
		const loaded = loading.reduce((a, x) => a + x.rows_loaded, 0);
		const expected = loading.reduce((a, x) => a + x.rows_expected, 0);
		const pct = expected > 0 ? Math.min(100, Math.floor(100 * loaded / expected)) : 0;
		return {stream: loading.map((x) => x.name).join(", "), loaded, expected, pct};
	}

	/* 1234567 -> "1,234,567" (an integer count, never a float's rounding). */
	function groups(n) {
		return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
	}

	/* ---- pages: the wall screen rotates, other screens scroll ---------- */

	const wall = () => window.matchMedia(WALL).matches;
	const pages = () => Array.from(document.querySelectorAll("#pages > .page"));

	/* The active tab's line fills in the time the page stays. */
	function progressBar() {
		const i = el("i", {class: "progress" + (state.pin ? " pinned" : "")});
		i.style.animationDuration = ROTATE_MS + "ms";
		return i;
	}

	function showPage(n) {
		const all = pages();
		state.page = Math.min(Math.max(1, n), all.length);
		const on = wall();
		document.body.dataset.rotate = on ? (state.pin ? "pinned" : "on") : "off";
		document.body.dataset.page = on ? String(state.page) : "";
		document.body.dataset.pages = String(all.length);
		all.forEach((p, i) => p.classList.toggle("active", !on || i + 1 === state.page));
		const pager = $("pager");
		pager.replaceChildren(...(on ? all.map((p, i) => el("button", {
			type: "button", class: "tab" + (i + 1 === state.page ? " active" : ""), "data-page": String(i + 1),
		}, el("b", null, (i + 1) + "/" + all.length), " " + p.dataset.title + " ", en(p.dataset.titleEn),
		progressBar())) : []));
		clearTimeout(state.rotateTimer);
		state.rotateTimer = null;
		if (on && !state.pin)
			state.rotateTimer = setTimeout(() => showPage(state.page % pages().length + 1), ROTATE_MS);
	}

	/* ---- rendering ----------------------------------------------------- */

	/* A closed year's latest published version (SPEC §11): its number and
	 * date, its CSV as published, how many indicators moved since, and
	 * (asked on its own, so the page never waits for it) how many source
	 * rows changed after it, linking to the list. Hidden when nothing is
	 * published. */
	function renderPublished(d) {
		const box = $("published");
		const p = d.report.published;
		box.replaceChildren();
		box.hidden = !p;
		if (!p) {
			delete box.dataset.version;
			return;
		}
		const q = query({year: d.year, center: d.center});
		const vq = q + "&version=" + p.version;
		box.dataset.version = String(p.version);
		box.dataset.publishedAt = p.published_at;
		box.dataset.changed = String(p.changed.length);
		const rows = el("a", {class: "pub-rows", href: "/api/v1/report/changes?" + vq}, "变动明细 …");
		box.append(
			el("span", {class: "badge published"}, "已发布 第" + p.version + "版 (" + p.published_at.slice(0, 10) + ")"),
			" ", en("published"), " ",
			el("a", {href: "/api/v1/report?" + vq + "&format=csv", download: ""}, "原版 CSV"),
			el("div", {class: "pub-moved", title: p.changed.map((c) => c.name).join("、")},
				"发布后指标变动 " + p.changed.length + " 项 ", en("indicators moved since"), " · ", rows));
		getJSON("/api/v1/report/changes?" + vq).then((c) => {
			rows.textContent = "源数据变动 " + c.changes.length + " 行";
			rows.dataset.count = String(c.changes.length);
		}).catch(() => {
			rows.textContent = "源数据变动 —";
		});
	}

	function render(d) {
		renderControls(d.status);
		renderHeader(d);
		renderKpis(d);
		renderTargets(d);
		renderRanking(d);
		renderToday(d);
		renderDeposits(d);
		renderKinds(d);
		renderExperts(d);
		renderAlerts(d);
		renderSources(d);
		renderFooter(d);
		renderPublished(d);
		renderCharts(d); /* last: drawn to the size the panels take */
		const q = query({year: d.year, center: d.center});
		$("dl-csv").href = "/api/v1/report?" + q + "&format=csv";
		$("dl-md").href = "/api/v1/report?" + q + "&format=md";
		state.data = d;
	}

	/* ---- the rows behind a figure -------------------------------------- */

	/* A click on a headline card or a target line opens a panel with the
	 * first rows the daemon's figure is made of (GET /api/v1/rows, the
	 * same metric, period, centre and filter), their total count, and a
	 * CSV download of them all. A rate is not made of rows (the daemon
	 * answers 400): the panel lists its numerator's rows and links the
	 * CSV of its denominator's. */
	const DRILL_ROWS = 20;
	const DRILL_CSV_ROWS = 10000; /* the daemon's largest page */
	const LABEL_HEADS = {center: "中心", category: "类别", kind: "类型", scope: "范围", role: "场地"};
	let drillSeq = 0;

	function rowsUrl(spec, metric, extra) {
		const filter = Object.fromEntries(Object.entries(spec.filter || {}).map(([k, v]) =>
			[k, Array.isArray(v) ? v.join(",") : v]));
		return "/api/v1/rows?" + query(Object.assign({metric: metric, from: spec.from, to: spec.to,
			center: spec.center}, filter, extra));
	}

	/* What the element clicked shows: {metric, from, to, center, filter,
	 * title}, or null when it shows nothing that has rows. */
	function drillOf(target) {
		const d = state.data;
		if (!d)
			return null;
		const cardEl = target.closest(".kpi.drillable");
		if (cardEl) {
			const part = target.closest(".kpi-part");
			const metric = (part && part.dataset.metric) || cardEl.dataset.metric;
			return {metric, from: d.report.period.from, to: d.report.period.to, center: d.center, filter: {},
				title: nameZh(metric)};
		}
		const row = target.closest(".target.drillable");
		if (row) {
			const ind = d.report.indicators[Number(row.dataset.line)];
			if (!ind)
				return null;
			const per = ind.period || d.report.period;
			return {metric: ind.metric, from: per.from, to: per.to, center: d.center, filter: ind.filter || {},
				title: ind.name};
		}
		return null;
	}

	function closeDrill() {
		drillSeq++;
		$("drill").hidden = true;
		$("drill").dataset.state = "closed";
	}

	function drillCell(key, value, d) {
		if (key === "center") {
			const c = (d.status.centers || []).find((x) => x.code === value);
			return el("td", {"data-label": key, "data-code": value, title: value}, c ? c.name : value);
		}
		return el("td", {"data-label": key, "data-code": value}, labelName(key, value));
	}

	async function openDrill(spec) {
		const d = state.data;
		const asked = metricOf(spec.metric);
		if (!asked)
			return;
		/* A rate: its numerator's rows; a derived sum is a sum of rows. */
		const ratio = asked.kind === "rate" && asked.numerator && asked.denominator;
		const metric = ratio ? asked.numerator : spec.metric;
		const m = metricOf(metric) || asked;
		const seq = ++drillSeq;
		const box = $("drill");
		Object.assign(box.dataset, {state: "loading", metric: metric, asked: spec.metric, from: spec.from,
			to: spec.to, center: spec.center || "", count: "", value: ""});
		$("drill-title").replaceChildren(spec.title + " ", en("source rows"));
		const filter = Object.entries(spec.filter || {}).map(([k, v]) => labelName(k, v)).join(" · ");
		$("drill-note").replaceChildren(spec.from + " — " + spec.to + (filter ? " · " + filter : "") +
			(m.total === "stock" ? " · 截至 " + spec.to + " 的余额 held on that day" : "") +
			(m.total === "distinct" ? " · 每人一行 one row per person (hashed)" : ""));
		if (ratio)
			$("drill-note").append(el("div", null, "比率 = 分子 / 分母 ratio: 以下为分子 " + nameZh(metric) + " 的明细 · ",
				el("a", {href: rowsUrl(spec, asked.denominator, {format: "csv", limit: DRILL_CSV_ROWS}),
					class: "drill-den", download: ""}, "分母 " + nameZh(asked.denominator) + " CSV")));
		$("drill-rows").tHead.replaceChildren();
		$("drill-rows").tBodies[0].replaceChildren();
		$("drill-count").textContent = "…";
		const csv = $("drill-csv");
		csv.href = rowsUrl(spec, metric, {format: "csv", limit: DRILL_CSV_ROWS});
		box.hidden = false;
		let page;
		try {
			page = await getJSON(rowsUrl(spec, metric, {limit: DRILL_ROWS}));
		} catch (e) {
			if (seq === drillSeq) {
				box.dataset.state = "error";
				$("drill-count").textContent = "无法取得明细 Cannot list the rows: " + e.message;
			}
			return;
		}
		if (seq !== drillSeq)
			return; /* closed, or another figure asked for meanwhile */
		const labels = (m.labels || []).filter((l) => l in LABEL_HEADS);
		$("drill-rows").tHead.replaceChildren(el("tr", null, el("th", null, "来源"), el("th", null, "编号 id"),
			el("th", null, "日期"), ...labels.map((l) => el("th", null, LABEL_HEADS[l])),
			el("th", {class: "num"}, m.unit ? "值 (" + m.unit + ")" : "值")));
		const sourceName = (name) => {
			const s = (d.status.sources || []).find((x) => x.name === name);
			return s && s.title_zh ? s.title_zh : name;
		};
		$("drill-rows").tBodies[0].replaceChildren(...page.rows.map((r) => el("tr", {
			class: "drill-row", "data-source": r.source, "data-id": r.id, "data-day": r.day, "data-value": String(r.value),
		},
		el("td", {title: r.source}, sourceName(r.source)),
		el("td", {class: "id", title: r.id}, r.id.length > 24 ? r.id.slice(0, 12) + "…" : r.id),
		el("td", null, r.day),
		...labels.map((l) => drillCell(l, r[l], d)),
		el("td", {class: "num"}, String(r.value)))));
		box.dataset.count = String(page.count);
		box.dataset.value = String(page.value);
		box.dataset.shown = String(page.rows.length);
		$("drill-count").textContent = "共 " + page.count + " 条 rows · 合计 " + show(m, page.value) +
			(page.count > page.rows.length ? " · 显示前 " + page.rows.length + " 条 first " + page.rows.length : "");
		box.dataset.state = "ready";
	}

	function onDrill(e) {
		if (e.type === "keydown" && e.key !== "Enter")
			return;
		const spec = drillOf(e.target);
		if (spec)
			openDrill(spec);
	}

	/* ---- refresh loop -------------------------------------------------- */

	function banner(text) {
		const b = $("banner");
		b.hidden = !text;
		b.textContent = text || "";
	}

	/* One load at a time; a choice made meanwhile loads right after, and a
	 * result begun before the latest choice is dropped (even for the same
	 * year and centre: the page says "ready" only for what it was asked). */
	async function refresh() {
		if (state.busy) {
			state.pending = true;
			return;
		}
		state.busy = true;
		const choice = state.choice;
		try {
			const d = await load();
			if (choice === state.choice) {
				render(d);
				banner(d.status.store_up ? "" : "存储不可用，显示最近数据 Store unavailable: showing the last figures");
				document.body.dataset.key = d.year + "|" + d.center;
				document.body.dataset.state = "ready";
				document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
			}
		} catch (e) {
			banner("刷新失败 Refresh failed: " + e.message);
			document.body.dataset.state = "error";
			try { /* the health pills say why, when the daemon still answers */
				renderHealth(await getJSON("/api/v1/status"), null);
			} catch (e2) {
				/* the daemon is gone: the banner says so */
			}
		} finally {
			state.busy = false;
			if (state.pending) {
				state.pending = false;
				refresh();
			}
		}
	}

	function readHash() {
		const h = new URLSearchParams(location.hash.slice(1));
		const page = Number(h.get("page"));
		return {year: Number(h.get("year")), center: h.get("center") || "", page: page >= 1 ? page : null};
	}

	function choose(year, center) {
		closeDrill(); /* its rows were another year's or centre's */
		state.year = year;
		state.center = center;
		state.choice++;
		const h = "#" + query({year: year, center: center, page: state.pin});
		if (location.hash !== h)
			history.replaceState(null, "", h);
		document.body.dataset.state = "loading";
		refresh();
	}

	async function start() {
		try {
			const [status, catalog] = await Promise.all([getJSON("/api/v1/status"), getJSON("/api/v1/metrics")]);
			state.status = status;
			setCatalog(catalog);
			const h = readHash();
			state.year = status.years.includes(h.year) ? h.year : status.current_year;
			state.center = status.centers.some((x) => x.code === h.center) ? h.center : "";
			state.pin = h.page;
			renderControls(status);
		} catch (e) {
			banner("无法连接守护进程 Cannot reach the daemon: " + e.message);
			document.body.dataset.state = "error";
			setTimeout(start, 5000);
			return;
		}
		$("year").addEventListener("change", (e) => choose(Number(e.target.value), state.center));
		$("center").addEventListener("change", (e) => choose(state.year, e.target.value));
		$("controls").addEventListener("submit", (e) => e.preventDefault());
		for (const id of ["kpis", "targets"]) {
			$(id).addEventListener("click", onDrill);
			$(id).addEventListener("keydown", onDrill);
		}
		$("drill-close").addEventListener("click", closeDrill);
		document.addEventListener("keydown", (e) => e.key === "Escape" && closeDrill());
		$("pager").addEventListener("click", (e) => {
			const b = e.target.closest("button[data-page]");
			if (b)
				showPage(Number(b.dataset.page));
		});
		window.addEventListener("hashchange", () => {
			const h = readHash();
			const y = h.year || state.year;
			if (h.page !== state.pin) {
				state.pin = h.page;
				showPage(h.page || state.page);
			}
			if (y !== state.year || h.center !== state.center)
				choose(y, h.center);
		});
		let wasWall = wall();
		window.addEventListener("resize", () => {
			fitValues(); /* the cards' width follows the window's */
			if (wall() !== wasWall) {
				wasWall = wall();
				showPage(state.page);
			}
		});
		/* Charts are drawn to their box: redraw when a box changes size
		 * (a resize, a panel above growing), once per frame. */
		let redraw = false;
		const ro = new ResizeObserver(() => {
			if (redraw)
				return;
			redraw = true;
			requestAnimationFrame(() => {
				redraw = false;
				const moved = Array.from(document.querySelectorAll(".chart")).some((b) =>
					b.dataset.drawn !== b.clientWidth + "x" + b.clientHeight);
				if (moved && state.data)
					renderCharts(state.data);
			});
		});
		document.querySelectorAll(".chart").forEach((b) => ro.observe(b));
		showPage(state.pin || 1);
		choose(state.year, state.center);
		setInterval(() => state.busy || refresh(), REFRESH_MS);
	}

	/* Exposed for the browser test's checks of the arithmetic. */
	window.ggzyDecimal = {parseDec, display, amountUnit, yoyPercent, yoyPoints, pointsText, cmpDec, subDec, sumDec};
	document.addEventListener("DOMContentLoaded", start);
})();
