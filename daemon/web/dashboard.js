/* ggzy-metricsd built-in page: reads the daemon's JSON API every 30 s and
 * draws the figures of one year and centre. Plain JS, no framework, nothing
 * loaded from elsewhere (the daemon's CSP allows only 'self').
 *
 * Money is never a binary float here: amounts arrive as decimal strings and
 * are scaled to 万元 / 亿元 with BigInt, rounded half-up to 2 decimals and
 * written without trailing zeros, exactly as the daemon's reports write them.
 * Floats are used only for the geometry of the charts.
 *
 * For tests and operators the figures are also in data- attributes
 * (data-display, data-value, ...); <body data-state="ready" data-key="Y|C">
 * says the page shows year Y and centre C (empty: all centres). */
"use strict";

(function () {
	const REFRESH_MS = 30000;
	const SVGNS = "http://www.w3.org/2000/svg";
	const CATEGORIES = [
		["engineering", "工程建设", "Engineering"],
		["gov_procurement", "政府采购", "Gov. procurement"],
		["land_mineral", "土地矿业权", "Land & mineral"],
		["state_property", "国有产权", "State property"],
		["medical", "医药采购", "Medical"],
		["other", "其他", "Other"],
	];
	/* The headline cards; amounts choose 亿元 or 万元 by size, counts and
	 * rates their own unit. */
	const HEADLINES = [
		{metric: "deal_amount", zh: "成交额", en: "Deal amount"},
		{metric: "deals_count", zh: "交易宗数", en: "Deals", unit: "宗"},
		{metric: "savings_amount", zh: "节约资金", en: "Savings vs budget"},
		{metric: "liquidity_released_amount", zh: "释放企业流动资金", en: "Liquidity released"},
		{metric: "e_bid_rate", zh: "全流程电子化率", en: "Full e-bidding rate"},
		{metric: "remote_opening_rate", zh: "不见面开标率", en: "Remote bid opening"},
		{metric: "remote_evaluations_count", zh: "远程异地评标", en: "Remote evaluations", unit: "次"},
		{metric: "service_fee_amount", zh: "交易服务费", en: "Service fees"},
	];
	const STATES = {
		ok: ["正常", "on pace"], pending: ["待观察", "pending"],
		firing: ["告警", "firing"], resolved: ["已恢复", "resolved"],
	};
	const SOURCES = {trading: "交易系统", deposit: "保证金", expert: "评标专家"};

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

	const UNIT_SHIFT = {"元": 0, "万元": -4, "亿元": -8, "%": 2};

	/* A figure written as the reports write it: "175.16亿元", "90.72%", "612宗". */
	function display(value, unit) {
		if (value === null || value === undefined)
			return "—";
		const shift = UNIT_SHIFT[unit];
		return (shift === undefined ? scaled(parseDec(value), 0) : scaled(parseDec(value), shift)) + unit;
	}

	/* 亿元 from one 亿 up, else 万元. */
	function amountUnit(value) {
		const d = parseDec(value);
		const a = d.n < 0n ? -d.n : d.n;
		return a >= 10n ** BigInt(8 + d.s) ? "亿元" : "万元";
	}

	/* 同比 (a - p) / p as a percentage with 2 decimals; null without p. */
	function yoyPercent(a, p) {
		if (a === null || a === undefined || p === null || p === undefined)
			return null;
		const x = parseDec(a), y = parseDec(p);
		const s = Math.max(x.s, y.s);
		const xn = x.n * 10n ** BigInt(s - x.s), yn = y.n * 10n ** BigInt(s - y.s);
		if (yn === 0n)
			return null;
		return fixed(divRound((xn - yn) * 10000n, yn), 2);
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

	const en = (text) => el("span", {class: "en"}, text);

	/* "2022-12-31T12:00:00+08:00" -> "2022-12-31 12:00:00" (already in the
	 * centre's zone; the browser's own zone does not matter). */
	const shortTime = (t) => (t ? t.slice(0, 19).replace("T", " ") : "—");

	/* ---- state and data ------------------------------------------------ */

	const state = {
		year: null, center: "", status: null, catalog: null,
		busy: false, pending: false, data: null,
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
			throw new Error(url.split("?")[0] + ": " + r.status + " " + msg);
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

	function series(metric, period, extra) {
		return getJSON("/api/v1/series?" + query(Object.assign(
			{metric: metric, from: period.from, to: period.to, center: state.center}, extra || {})));
	}

	async function load() {
		const year = state.year, center = state.center;
		const [status, report, alerts] = await Promise.all([
			getJSON("/api/v1/status"),
			getJSON("/api/v1/report?" + query({year: year, center: center})),
			getJSON("/api/v1/alerts"),
		]);
		const period = report.period, prev = report.previous_period;
		const month = {step: "month"};
		const perCategory = (metric) => Promise.all(CATEGORIES.map(
			([c]) => series(metric, period, {step: "month", category: c})));
		const [amount, count, ebid, remoteOpen, remoteEval, heads] = await Promise.all([
			perCategory("deal_amount"),
			perCategory("deals_count"),
			series("e_bid_rate", period, month),
			series("remote_opening_rate", period, month),
			series("remote_evaluations_count", period, month),
			Promise.all(HEADLINES.map((h) => Promise.all([
				series(h.metric, period, {step: "year"}),
				series(h.metric, prev, {step: "year"}),
			]))),
		]);
		return {year, center, status, report, alerts, amount, count, ebid, remoteOpen, remoteEval, heads};
	}

	/* ---- rendering ----------------------------------------------------- */

	function renderHeader(d) {
		const st = d.status;
		$("as-of").textContent = shortTime(st.as_of);
		$("as-of").setAttribute("datetime", st.as_of || "");
		document.body.dataset.asOf = st.as_of || "";
		renderAge(st.as_of);
		const c = st.centers.find((x) => x.code === d.center);
		$("center-name").textContent = d.center ? (c ? c.name : d.center) : "全部中心 All centres";
		const p = d.report.period;
		$("period").textContent = d.year + " 年 · " + p.from + " — " + p.to +
			(p.closed ? "" : " (年初至今 year to date)");
		renderHealth(st);
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

	function renderHealth(st) {
		const health = $("health");
		health.replaceChildren();
		if (st.now_fixed) /* a replay or a demo: say which day the figures believe it is */
			health.append(el("span", {class: "pill now", title: "--now"}, "当前 " + shortTime(st.now).slice(0, 16)));
		const pill = (name, zh, up, title) => el("span", {
			class: "pill " + (up ? "up" : "down"), "data-source": name, "data-up": String(up), title: title,
		}, el("i", {class: "dot"}), zh);
		health.append(pill("store", "存储", st.store_up, st.store_error || "store up"));
		for (const s of st.sources)
			health.append(pill(s.name, SOURCES[s.name] || s.name, s.up, s.last_error || s.name + " up"));
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

	function renderKpis(d) {
		const box = $("kpis");
		box.replaceChildren();
		HEADLINES.forEach((h, i) => {
			const [cur, prev] = d.heads[i];
			const a = cur.points.length ? cur.points[0].value : null;
			const p = prev.points.length ? prev.points[0].value : null;
			const unit = cur.kind === "rate" ? "%" : cur.kind === "amount" ? amountUnit(a === null ? "0" : a) : h.unit;
			const shown = display(a, unit), prevShown = display(p, unit);
			const yoy = yoyPercent(a, p);
			const num = shown === "—" ? "—" : shown.slice(0, shown.length - unit.length);
			const trend = yoy === null ? "flat" : yoy.startsWith("-") ? "down" : yoy === "0" ? "flat" : "up";
			box.append(el("div", {
				class: "kpi", "data-metric": h.metric, "data-value": a === null ? "" : String(a),
				"data-display": shown, "data-previous": p === null ? "" : String(p),
				"data-previous-display": prevShown, "data-yoy": yoy === null ? "" : yoy + "%",
			},
			el("div", {class: "kpi-label"}, h.zh, el("div", {class: "en"}, h.en)),
			el("div", {class: "kpi-value"}, el("span", {class: "num"}, num), el("span", {class: "unit"}, shown === "—" ? "" : unit)),
			el("div", {class: "kpi-foot"},
				el("div", {class: "yoy " + trend}, "同比 ", en("YoY"), " ", yoy === null ? "—" :
					(trend === "up" ? "▲ " : trend === "down" ? "▼ " : "") + yoy.replace(/^-/, "") + "%"),
				el("div", {class: "prev"}, "上年同期 ", en("last year"), " " + prevShown))));
		});
	}

	function paceOf(d, ind) {
		const center = d.center || null;
		return d.alerts.alerts.find((a) => a.year === d.year && a.center === center &&
			a.indicator === ind.name && a.alertname === "GgzyTargetBehindPace") || null;
	}

	function progress(completion, expectedShare, state) {
		const bar = el("div", {class: "bar " + (state || "")});
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

	/* A filter's label value in Chinese where the page knows it. */
	const LABELS = Object.assign(Object.fromEntries(CATEGORIES.map(([c, zh]) => [c, zh])), {
		cash: "现金", e_guarantee: "电子保函", e_commitment: "电子承诺", insurance: "保证保险",
		intra_province: "省内", cross_province: "跨省", host: "主场", guest: "副场",
	});
	const labelName = (v) => (LABELS[v] ? LABELS[v] + " " + v : v);

	/* A ratio number of the API (6 decimals) as a percentage text. */
	const pct = (r) => (r === null || r === undefined ? "—" : display(r, "%"));

	function renderTargets(d) {
		const r = d.report;
		const box = $("targets");
		box.replaceChildren();
		/* Many indicators: tighter rows, so that a wall screen shows them all. */
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
		for (const ind of r.indicators) {
			const row = el("div", {
				class: "target" + (ind.manual ? " manual" : "") + (r.targets ? "" : " plain"),
				"data-indicator": ind.name, "data-metric": ind.metric || "",
				"data-display": ind.display, "data-target-display": ind.target_display || "",
				"data-completion": ind.completion === null ? "" : String(ind.completion),
			});
			const catalog = ind.metric && state.catalog ? state.catalog[ind.metric] : null;
			const name = el("div", {class: "t-name"}, ind.name,
				catalog && r.targets ? null : catalog ? en(catalog.name_en) : null,
				Object.keys(ind.filter || {}).length ? el("span", {class: "filter"},
					Object.values(ind.filter).map(labelName).join(" · ")) : null);
			const unit = ind.display_unit;
			const prevShown = ind.manual || !ind.metric ? null :
				display(ind.previous_year, unit === "" ? (catalog ? catalog.unit : "") : unit);
			const yoy = ind.yoy === null || ind.yoy === undefined ? null : display(ind.yoy, "%");
			const figs = el("div", {class: "t-figs"},
				el("span", {class: "t-actual"}, ind.display),
				ind.target_display ? el("span", {class: "t-target"}, " / " + ind.target_display) : null);
			row.append(name, figs);
			if (r.targets && !ind.manual && ind.metric) {
				const pace = paceOf(d, ind);
				const share = pace && pace.expected !== null && ind.target !== null &&
					Number(ind.target) > 0 ? Number(pace.expected) / Number(ind.target) : null;
				row.append(progress(ind.completion, share, pace ? pace.state : ""));
				const st = pace ? STATES[pace.state] || [pace.state, ""] : null;
				row.append(el("div", {class: "t-meta"},
					el("span", {class: "t-completion"}, "完成 ", en("done"), " " + pct(ind.completion)),
					pace ? el("span", {
						class: "t-pace", "data-pace-ratio": String(pace.pace_ratio),
						"data-state": pace.state,
					}, "进度 ", en("pace"), " " + pct(pace.pace_ratio) + " · 应达 " +
						(pace.display && pace.display.expected ? pace.display.expected : "—")) : null,
					st ? el("span", {class: "badge " + pace.state}, st[0] + " " + st[1]) : null));
				name.append(el("span", {class: "t-score"}, "得分 " + ind.score + "/" + ind.weight));
				if (pace)
					row.dataset.state = pace.state;
			} else if (ind.manual) {
				row.append(el("div", {class: "t-meta"},
					el("span", {class: "badge manual"}, "人工填报 manual")));
				name.append(el("span", {class: "t-score"}, "得分 " + ind.score + "/" + ind.weight));
			}
			if (prevShown !== null) {
				const line = el("div", {class: "t-yoy", "data-previous-display": prevShown, "data-yoy": yoy || ""},
					"上年同期 " + prevShown + " · 同比 " + (yoy === null ? "—" : yoy));
				const meta = row.querySelector(".t-meta");
				/* one line with the pace when there is one */
				meta ? meta.append(line) : row.append(line);
			}
			box.append(row);
		}
	}

	/* ---- charts -------------------------------------------------------- */

	const MONTHS = ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"];
	const PALETTE = ["#4e9af1", "#36c2a3", "#f2b544", "#e46f6f", "#a98bea", "#8ea3b8"];

	/* The smallest round step (1, 2, 2.5, 5 × 10^k) that covers max in n steps. */
	function niceStep(max, n) {
		const raw = max / n;
		const p = Math.pow(10, Math.floor(Math.log10(raw)));
		const f = raw / p;
		return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
	}

	function frame(box) {
		const w = Math.max(box.clientWidth, 240), h = Math.max(box.clientHeight, 140);
		const s = svg("svg", {width: w, height: h, viewBox: "0 0 " + w + " " + h, role: "img"});
		return {s, w, h, left: 54, right: 12, top: 10, bottom: 24};
	}

	/* A y axis from 0 to max (fixed) or to a round value above it. */
	function axis(f, max, fmt, fixed) {
		const want = fixed ? max : (max || 1) * 1.08; /* room for a bar's label */
		const step = niceStep(want, 5);
		const top = fixed ? max : Math.max(step, Math.ceil(want / step) * step);
		const y = (v) => f.h - f.bottom - (v / top) * (f.h - f.top - f.bottom);
		for (let v = 0; v <= top + step / 2; v += step) {
			f.s.append(svg("line", {class: "grid", x1: f.left, x2: f.w - f.right, y1: y(v), y2: y(v)}));
			f.s.append(svg("text", {class: "tick", x: f.left - 6, y: y(v) + 4, "text-anchor": "end"}, fmt(v)));
		}
		return y;
	}

	function monthX(f, n) {
		const bw = (f.w - f.left - f.right) / n;
		for (let i = 0; i < n; i++)
			f.s.append(svg("text", {class: "tick", x: f.left + bw * (i + 0.5), y: f.h - 6, "text-anchor": "middle"},
				bw >= 30 ? MONTHS[i] || String(i + 1) : String(i + 1)));
		return bw;
	}

	/* Stacked monthly bars: one series per category, values as the API gave
	 * them (decimal strings or integers); text via fmt, exact. */
	function stackedBars(box, list, metric, scale, fmtValue, fmtTick) {
		const f = frame(box);
		const n = list[0] ? list[0].points.length : 0;
		const totals = new Array(n).fill(0);
		list.forEach((s) => s.points.forEach((p, i) => (totals[i] += Number(p.value || 0) / scale)));
		const y = axis(f, Math.max(...totals, 0), fmtTick);
		const bw = monthX(f, n);
		const base = new Array(n).fill(0);
		list.forEach((s, ci) => s.points.forEach((p, i) => {
			const v = Number(p.value || 0) / scale;
			const y0 = y(base[i]), y1 = y(base[i] + v);
			base[i] += v;
			const [cat, zh, enName] = CATEGORIES[ci];
			f.s.append(svg("rect", {
				class: "bar-seg", x: f.left + bw * i + bw * 0.18, width: bw * 0.64,
				y: y1, height: Math.max(0, y0 - y1), fill: PALETTE[ci],
				"data-metric": metric, "data-category": cat, "data-month": p.start.slice(0, 7),
				"data-value": String(p.value),
			}, svg("title", null, p.start.slice(0, 7) + " " + zh + " " + enName + ": " + fmtValue(p.value))));
		}));
		box.replaceChildren(f.s);
	}

	function lineChart(box, lines) {
		const f = frame(box);
		f.top = 30; /* room for the legend */
		const y = axis(f, 1, (v) => Math.round(v * 100) + "%", true);
		const n = lines[0] ? lines[0].data.points.length : 0;
		const bw = monthX(f, n);
		for (const ln of lines) {
			const pts = [];
			let path = "", gap = true;
			ln.data.points.forEach((p, i) => {
				if (p.value === null) { /* no opened deals that month: a gap */
					gap = true;
					return;
				}
				const x = f.left + bw * (i + 0.5), yy = y(Number(p.value));
				path += (gap ? "M" : "L") + x.toFixed(1) + "," + yy.toFixed(1);
				gap = false;
				pts.push(svg("circle", {
					class: "pt", cx: x, cy: yy, r: 4, fill: ln.color, "data-metric": ln.metric,
					"data-month": p.start.slice(0, 7), "data-value": String(p.value), "data-display": pct(p.value),
				}, svg("title", null, p.start.slice(0, 7) + " " + ln.label + ": " + pct(p.value))));
			});
			if (path)
				f.s.append(svg("path", {class: "line", d: path, stroke: ln.color}));
			pts.forEach((c) => f.s.append(c));
		}
		let lx = f.left + 8;
		for (const ln of lines) {
			const label = f.w < 560 ? ln.label.split(" ")[0] : ln.label;
			f.s.append(svg("rect", {x: lx, y: 8, width: 14, height: 4, rx: 2, fill: ln.color}));
			const t = svg("text", {class: "legend-text", x: lx + 20, y: 14}, label);
			f.s.append(t);
			box.replaceChildren(f.s); /* measured in place */
			lx += 20 + t.getComputedTextLength() + 28;
		}
		box.replaceChildren(f.s);
	}

	function countBars(box, data, metric, unit) {
		const f = frame(box);
		const vals = data.points.map((p) => Number(p.value || 0));
		const y = axis(f, Math.max(...vals, 0), (v) => String(v));
		const bw = monthX(f, vals.length);
		data.points.forEach((p, i) => {
			const y1 = y(vals[i]);
			f.s.append(svg("rect", {
				class: "bar-seg", x: f.left + bw * i + bw * 0.2, width: bw * 0.6, y: y1,
				height: Math.max(0, y(0) - y1), fill: "#36c2a3", "data-metric": metric,
				"data-month": p.start.slice(0, 7), "data-value": String(p.value),
			}, svg("title", null, p.start.slice(0, 7) + ": " + p.value + unit)));
			if (vals[i] > 0)
				f.s.append(svg("text", {class: "bar-label", x: f.left + bw * (i + 0.5), y: y1 - 4, "text-anchor": "middle"},
					String(p.value)));
		});
		box.replaceChildren(f.s);
	}

	function renderCharts(d) {
		let max = 0;
		const totals = new Map();
		d.amount.forEach((s) => s.points.forEach((p) => totals.set(p.start, (totals.get(p.start) || 0) + Number(p.value))));
		totals.forEach((v) => (max = Math.max(max, v)));
		const big = max >= 1e8;
		const unit = big ? "亿元" : "万元";
		$("amount-unit").textContent = unit;
		stackedBars($("chart-amount"), d.amount, "deal_amount", big ? 1e8 : 1e4,
			(v) => display(v, amountUnit(v)) + " (" + v + "元)", (v) => String(+v.toFixed(2)));
		stackedBars($("chart-count"), d.count, "deals_count", 1, (v) => v + "宗", (v) => String(v));
		lineChart($("chart-rates"), [
			{metric: "e_bid_rate", label: "全流程电子化率 e-bidding", color: "#4e9af1", data: d.ebid},
			{metric: "remote_opening_rate", label: "不见面开标率 remote opening", color: "#f2b544", data: d.remoteOpen},
		]);
		countBars($("chart-remote"), d.remoteEval, "remote_evaluations_count", "次");
		const legend = $("legend");
		if (!legend.childElementCount)
			CATEGORIES.forEach(([c, zh, enName], i) => {
				const sw = el("i", {class: "swatch"});
				sw.style.background = PALETTE[i];
				legend.append(el("span", {class: "legend-item", "data-category": c}, sw, zh + " ", en(enName)));
			});
	}

	function renderAlerts(d) {
		const firing = d.alerts.alerts.filter((a) => a.state === "firing");
		const list = $("alerts");
		list.replaceChildren();
		$("alert-count").textContent = String(firing.length);
		$("alert-count").className = "count" + (firing.length ? " hot" : "");
		if (!firing.length)
			list.append(el("li", {class: "none"}, "✓ 无告警 ", en("No alert is firing")));
		const centers = new Map(d.status.centers.map((c) => [c.code, c.name]));
		for (const a of firing) {
			const [zh, enText] = String(a.summary || "").split(" / ");
			list.append(el("li", {
				class: "alert " + (a.alertname === "GgzyTargetMissed" ? "critical" : "warning"),
				"data-indicator": a.indicator, "data-year": String(a.year), "data-center": a.center || "",
				"data-alertname": a.alertname,
			},
			el("div", {class: "a-head"},
				el("b", null, a.indicator), " · " + a.year + " · " + (a.center ? centers.get(a.center) || a.center : "全部中心 all"),
				el("span", {class: "a-since"}, "自 since " + shortTime(a.starts_at || a.since))),
			el("div", {class: "a-text"}, zh || ""),
			enText ? el("div", {class: "a-text en"}, enText) : null));
		}
	}

	function renderSources(d) {
		const body = $("sources").tBodies[0];
		body.replaceChildren();
		const row = (name, label, up, success, error) => el("tr", {"data-source": name, "data-up": String(up)},
			el("td", null, label), el("td", null, el("span", {class: "pill " + (up ? "up" : "down")}, el("i", {class: "dot"}),
				up ? "正常 up" : "中断 down")),
			el("td", null, shortTime(success)), el("td", {class: "err", title: error || ""}, error || "—"));
		body.append(row("store", "存储 store", d.status.store_up, null, d.status.store_error));
		for (const s of d.status.sources)
			body.append(row(s.name, (SOURCES[s.name] || "") + " " + s.name, s.up, s.last_success, s.last_error));
	}

	function render(d) {
		renderControls(d.status);
		renderHeader(d);
		renderKpis(d);
		renderTargets(d);
		renderCharts(d);
		renderAlerts(d);
		renderSources(d);
		const q = query({year: d.year, center: d.center});
		$("dl-csv").href = "/api/v1/report?" + q + "&format=csv";
		$("dl-md").href = "/api/v1/report?" + q + "&format=md";
		$("refreshed").textContent = shortTime(d.status.now) === "—" ? "" :
			new Date().toLocaleTimeString("zh-CN", {hour12: false});
		state.data = d;
	}

	/* ---- refresh loop -------------------------------------------------- */

	function banner(text) {
		const b = $("banner");
		b.hidden = !text;
		b.textContent = text || "";
	}

	/* One load at a time; a choice made meanwhile loads right after, and a
	 * result for an older choice is dropped. */
	async function refresh() {
		if (state.busy) {
			state.pending = true;
			return;
		}
		state.busy = true;
		try {
			const d = await load();
			if (d.year === state.year && d.center === state.center) {
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
				renderHealth(await getJSON("/api/v1/status"));
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

	function choose(year, center) {
		state.year = year;
		state.center = center;
		const h = "#" + query({year: year, center: center});
		if (location.hash !== h)
			history.replaceState(null, "", h);
		document.body.dataset.state = "loading";
		refresh();
	}

	async function start() {
		try {
			const [status, catalog] = await Promise.all([getJSON("/api/v1/status"), getJSON("/api/v1/metrics")]);
			state.status = status;
			state.catalog = Object.fromEntries(catalog.metrics.map((m) => [m.name, m]));
			const h = new URLSearchParams(location.hash.slice(1));
			const y = Number(h.get("year"));
			const year = status.years.includes(y) ? y : status.current_year;
			const c = h.get("center") || "";
			state.year = year;
			state.center = status.centers.some((x) => x.code === c) ? c : "";
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
		window.addEventListener("hashchange", () => {
			const h = new URLSearchParams(location.hash.slice(1));
			const y = Number(h.get("year")) || state.year;
			const c = h.get("center") || "";
			if (y !== state.year || c !== state.center)
				choose(y, c);
		});
		let resizeTimer = null;
		window.addEventListener("resize", () => {
			clearTimeout(resizeTimer);
			resizeTimer = setTimeout(() => state.data && renderCharts(state.data), 150);
		});
		choose(state.year, state.center);
		setInterval(() => state.busy || refresh(), REFRESH_MS);
	}

	/* Exposed for the browser test's checks of the arithmetic. */
	window.ggzyDecimal = {parseDec, display, amountUnit, yoyPercent};
	document.addEventListener("DOMContentLoaded", start);
})();
