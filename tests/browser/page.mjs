// Drives the built-in page in headless Chromium for tests/browser/test_page.py.
// Usage: node page.mjs BASE_URL ARTIFACT_DIR STEPS_JSON
// STEPS_JSON: [{"name", "year", "center", "width", "height", "screenshot",
// "pages", "full", "hover", "fake"}...]; the first step opens the page with
// its defaults (year and centre null), the next ones choose year and centre
// through the page's own <select>s.
//   pages: on a wall screen, let the page's own rotation show every page
//          (the clock paused, then moved on by one rotation at a time), and
//          audit each: everything visible, nothing clipped, cut or scrolled;
//          a screenshot of each (NAME-p1.png, NAME-p2.png, ...).
//   full:  also a full-page screenshot (NAME-full.png).
//   hover: hover a mark of every chart and read what it says.
//   hash:  (a later step) set the address's #... instead of choosing.
//   audit: audit the page shown, then let a rotation period pass ("pinned").
//   auditKpis: audit the headline cards alone (a laptop's page scrolls, but
//          its cards must fit them).
//   drill: selectors of headline cards or target lines to click, one after
//          the other: each opens the panel of the rows behind its figure,
//          read once it is ready (or failed), then closed by its button.
//   fake:  "names": the daemon's names rewritten on the way (every metric,
//          label value and source name gets a suffix; a metric and a source
//          is added), to see that the page takes every name from the API;
//          "big": monthly remote evaluations × BIG (four digits: bar labels
//          that cannot all fit), and /api/v1/ranking answering 503.
// Every step reads everything the page shows (text and data- attributes)
// and where SVG texts overlap. Prints one JSON object: the steps, every URL
// the browser requested, console errors and CSP violations. The browser runs
// in America/Los_Angeles, so that a time in the browser's zone shows.
// With GGZY_PAGE_PAUSE it first prints a line "PAUSED <what it saw so far>"
// and waits for a line on stdin, then lets the page's 30 s refresh run (a
// fake clock) and reads the page again ("after").
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [base, artifacts, stepsJson] = process.argv.slice(2);
const steps = JSON.parse(stepsJson);
const executablePath = process.env.GGZY_CHROMIUM || "/usr/bin/chromium";
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ggzy-chromium-"));
const ROTATE_MS = 20000; // the page's rotation period (dashboard.js ROTATE_MS)
const FAKE_SUFFIX = "〔测〕";
const BIG = 97;
fs.mkdirSync(artifacts, { recursive: true });

// One line from the test on stdin.
function nextLine() {
	return new Promise((resolve) => {
		let buf = "";
		const onData = (chunk) => {
			buf += chunk;
			if (buf.includes("\n")) {
				process.stdin.off("data", onData);
				process.stdin.pause();
				resolve(buf.split("\n")[0]);
			}
		};
		process.stdin.setEncoding("utf8");
		process.stdin.on("data", onData);
		process.stdin.resume();
	});
}

const requests = [];
const problems = [];
const out = { steps: [], requests, problems };

// Everything the page shows, read from the DOM.
function scrape() {
	const q = (sel, root) => Array.from((root || document).querySelectorAll(sel));
	const ds = (e) => Object.assign({}, e.dataset);
	const text = (e) => (e ? e.textContent : null);
	const one = (sel, root) => (root || document).querySelector(sel);
	// Texts of one SVG that overlap each other or leave the SVG.
	function overlaps(s) {
		const found = [];
		const box = s.getBoundingClientRect();
		const texts = q("text", s).map((t) => [t.textContent, t.getBoundingClientRect()]).filter(([, r]) => r.width > 0);
		texts.forEach(([a, ra], i) => {
			if (ra.left < box.left - 0.5 || ra.right > box.right + 0.5 || ra.top < box.top - 0.5 || ra.bottom > box.bottom + 0.5)
				found.push(`"${a}" leaves the chart`);
			for (const [b, rb] of texts.slice(i + 1)) {
				const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
				const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
				if (w > 0.5 && h > 0.5)
					found.push(`"${a}" overlaps "${b}"`);
			}
		});
		return found;
	}
	return {
		key: document.body.dataset.key,
		asOf: document.body.dataset.asOf,
		asOfText: document.getElementById("as-of").textContent,
		asOfLine: document.getElementById("as-of-line").textContent,
		replay: document.getElementById("replay").hidden ? null : document.getElementById("replay").textContent,
		nowFixed: document.body.dataset.nowFixed,
		refreshed: Object.assign(ds(document.getElementById("refreshed")), {
			text: document.getElementById("refreshed").textContent,
			line: document.getElementById("refreshed-line").textContent,
		}),
		rotate: document.body.dataset.rotate, page: document.body.dataset.page, pages: document.body.dataset.pages,
		pager: q("#pager .tab").map((e) => ({ page: e.dataset.page, active: e.classList.contains("active"), text: e.textContent })),
		year: document.getElementById("year").value,
		years: q("#year option").map((o) => o.value),
		center: document.getElementById("center").value,
		centers: q("#center option").map((o) => o.value),
		centerName: document.getElementById("center-name").textContent,
		// a card of one figure holds its data- attributes; a card of two
		// (count and amount) has a .kpi-part for each
		kpis: q(".kpi").map((e) => Object.assign(ds(e), {
			text: e.querySelector(".kpi-value").textContent,
			label: e.querySelector(".kpi-label").firstChild.textContent,
			en: text(one(".kpi-label .en", e)),
			yoyText: text(one(".yoy", e)) || "",
			prevText: text(one(".prev", e)) || "",
			why: text(one(".why", e)),
			foot: e.querySelector(".kpi-foot").textContent,
			title: e.getAttribute("title"),
			parts: q(".kpi-part", e).map((p) => Object.assign(ds(p), { text: p.textContent, title: p.getAttribute("title") })),
			yoyParts: q(".yoy-line .yoy", e).map((p) => p.textContent),
			valueFont: parseFloat(getComputedStyle(e.querySelector(".kpi-value")).fontSize),
		})),
		targets: q(".target").map((e) => Object.assign(ds(e), {
			actualText: e.querySelector(".t-actual").textContent,
			targetText: text(one(".t-target", e)) || "",
			filterText: text(one(".filter", e)),
			pace: one(".t-pace", e) ? Object.assign(ds(one(".t-pace", e)), { text: one(".t-pace", e).textContent }) : null,
			badge: one(".badge", e) ? Object.assign(ds(one(".badge", e)), { text: one(".badge", e).textContent }) : null,
			over: one(".t-over", e) ? Object.assign(ds(one(".t-over", e)), { text: one(".t-over", e).textContent }) : null,
			yoy: one(".t-yoy", e) ? Object.assign(ds(one(".t-yoy", e)), { text: one(".t-yoy", e).textContent }) : null,
			fill: one(".bar .fill", e) ? one(".bar .fill", e).style.width : null,
			fillColor: one(".bar .fill", e) ? getComputedStyle(one(".bar .fill", e)).backgroundColor : null,
			hasMark: !!one(".bar .mark", e),
		})),
		total: (document.querySelector("[data-total]") || { dataset: {} }).dataset.total || null,
		grade: (document.querySelector("[data-grade]") || { dataset: {} }).dataset.grade || null,
		captions: Object.fromEntries(q("figcaption").map((e) => [e.id, e.textContent])),
		captionTotals: q("figcaption .cap-total").map((e) => Object.assign(ds(e), { text: e.textContent, caption: e.parentElement.id })),
		chartsUnavailable: Object.fromEntries(q(".chart[data-unavailable]").map((c) => [c.id, c.dataset.unavailable])),
		bars: q("rect.bar-seg").map((e) => Object.assign(ds(e), {
			title: e.querySelector("title") ? e.querySelector("title").textContent : null,
			height: Number(e.getAttribute("height")),
			chart: e.closest(".chart").id,
		})),
		points: q("circle.pt").map((e) => Object.assign(ds(e), {
			title: e.querySelector("title") ? e.querySelector("title").textContent : null,
			chart: e.closest(".chart").id,
		})),
		barLabels: q("text.bar-label").map((e) => e.textContent),
		overlaps: Object.fromEntries(q(".chart").map((c) => [c.id, c.querySelector("svg") ? overlaps(c.querySelector("svg")) : ["no svg"]])),
		legend: q("#legend .legend-item").map((e) => ({ category: e.dataset.category, text: e.textContent })),
		ranking: {
			title: document.getElementById("ranking-title").textContent,
			head: q("#ranking thead th").map((e) => Object.assign(ds(e), { text: e.textContent })),
			rows: q("#ranking tbody tr.rank-row").map((e) => Object.assign(ds(e), {
				name: e.querySelector(".rank-name").dataset.name,
				link: e.querySelector(".rank-name a").getAttribute("href"),
				cells: q("td[data-metric]", e).map((c) => Object.assign(ds(c), { text: c.textContent })),
				yoy: e.querySelector("td.yoy").dataset.yoy,
			})),
			none: !!document.querySelector("#ranking tbody tr.none"),
			unavailable: text(one("#ranking tbody tr.unavailable")),
		},
		today: q("#today .today-fig").map((e) => Object.assign(ds(e), {
			label: e.querySelector(".label").textContent, text: e.querySelector(".value").textContent,
		})),
		todayDate: document.getElementById("today-date").textContent,
		deposits: q("#deposits tr.dep-row").map((e) => Object.assign(ds(e), {
			label: e.querySelector("th").firstChild.textContent,
			when: text(one("th .when", e)),
			cells: q("td[data-metric]", e).map((c) => Object.assign(ds(c), { text: c.textContent, title: c.getAttribute("title") })),
			yoy: Object.assign(ds(e.querySelector("td.yoy")), { text: e.querySelector("td.yoy").textContent }),
		})),
		kinds: q("#deposit-kinds .kind-row").map((e) => Object.assign(ds(e), {
			name: e.querySelector(".kind-name").textContent, text: e.querySelector(".num").textContent,
		})),
		kindsUnavailable: one("#deposit-kinds .kind-title.unavailable") ? ds(one("#deposit-kinds .kind-title.unavailable")) : null,
		expertRate: one("#experts .expert-rate") ? Object.assign(ds(one("#experts .expert-rate")), {
			text: one("#experts .expert-rate .value").textContent,
			parts: q("#experts .expert-rate .part").map(ds),
			yoyText: text(one("#experts .expert-rate .yoy")) || "",
		}) : null,
		experts: q("#experts tr.expert-row").map((e) => Object.assign(ds(e), {
			label: e.querySelector("th").firstChild.textContent, when: text(one("th .when", e)),
			cell: Object.assign(ds(e.querySelector("td[data-metric]")), { text: e.querySelector("td[data-metric]").textContent,
				title: e.querySelector("td[data-metric]").getAttribute("title") }),
		})),
		alerts: q("#alerts li.alert").map((e) => Object.assign(ds(e), { text: e.textContent })),
		alertCount: document.getElementById("alert-count").textContent,
		alertsCenter: document.getElementById("alerts-center").textContent,
		alertPill: (document.querySelector("#health .alerts-pill") || { dataset: {} }).dataset.firing || null,
		// a source's row, with its error row below when it has one
		sources: q("#sources tbody tr:not(.err-row)").map((e) => Object.assign(ds(e), {
			text: e.textContent + (e.nextElementSibling && e.nextElementSibling.classList.contains("err-row") ?
				" " + e.nextElementSibling.textContent : ""),
		})),
		pills: Object.fromEntries(q("#health .pill[data-source]").map((e) => [e.dataset.source, e.dataset.up])),
		pillText: Object.fromEntries(q("#health .pill[data-source]").map((e) => [e.dataset.source, e.textContent])),
		csv: document.getElementById("dl-csv").getAttribute("href"),
		md: document.getElementById("dl-md").getAttribute("href"),
		// the published version of a closed year (hidden when none)
		published: ((e) => (e && !e.hidden ? Object.assign(ds(e), { text: e.textContent }) : null))(
			document.getElementById("published")),
		banner: document.getElementById("banner").hidden ? "" : document.getElementById("banner").textContent,
		overflowX: document.documentElement.scrollWidth > window.innerWidth,
		scrollHeight: document.documentElement.scrollHeight,
	};
}

// The panel of the rows behind a figure, as it shows them.
function scrapeDrill() {
	const box = document.getElementById("drill");
	return Object.assign({}, box.dataset, {
		hidden: box.hidden,
		title: document.getElementById("drill-title").textContent,
		countText: document.getElementById("drill-count").textContent,
		csv: document.getElementById("drill-csv").getAttribute("href"),
		denominatorCsv: (box.querySelector("a.drill-den") || { getAttribute: () => null }).getAttribute("href"),
		head: Array.from(box.querySelectorAll("thead th")).map((e) => e.textContent),
		rows: Array.from(box.querySelectorAll("tr.drill-row")).map((e) => Object.assign({}, e.dataset,
			{ cells: Array.from(e.cells).map((c) => c.textContent) })),
	});
}

// On a wall screen: is everything of the shown page on the screen, with
// nothing clipped, cut short by an ellipsis, or scrolled inside a panel?
function audit(only) {
	const issues = [];
	const W = window.innerWidth, H = window.innerHeight;
	const de = document.documentElement;
	const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
		(e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") +
		(e.dataset.indicator ? `[${e.dataset.indicator}]` : e.dataset.metric ? `[${e.dataset.metric}]` : "") +
		` "${(e.textContent || "").trim().slice(0, 30)}"`;
	const active = Array.from(document.querySelectorAll("#pages > .page")).filter((p) => getComputedStyle(p).visibility !== "hidden");
	if (!only && (de.scrollHeight > H + 1 || de.scrollWidth > W + 1))
		issues.push(`the page scrolls: ${de.scrollWidth}x${de.scrollHeight} on ${W}x${H}`);
	if (!only && active.length !== 1)
		issues.push(`${active.length} pages shown at once`);
	const roots = only ? [document.querySelector(only)] :
		[document.querySelector("header.top"), document.getElementById("kpis"), ...active, document.querySelector("footer.bottom")];
	const shown = (e) => {
		const cs = getComputedStyle(e);
		return cs.display !== "none" && cs.visibility !== "hidden" && e.getClientRects().length > 0;
	};
	let items = 0;
	for (const root of roots) {
		for (const e of [root, ...root.querySelectorAll("*")]) {
			if (e.closest("svg") && e.tagName.toLowerCase() !== "svg")
				continue; // an SVG's own texts: scrape() checks their overlaps
			if (e.closest("select"))
				continue;
			if (!shown(e))
				continue;
			const ownText = Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
			const graphic = e.tagName.toLowerCase() === "svg" || e.matches(".bar, .kind-bar");
			const r = e.getBoundingClientRect();
			if (r.width === 0 && r.height === 0)
				continue;
			if (ownText || graphic) {
				items++;
				if (r.left < -0.5 || r.right > W + 0.5 || (!only && (r.top < -0.5 || r.bottom > H + 0.5)))
					issues.push(`${name(e)} is off the screen (${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)})`);
				for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
					const cs = getComputedStyle(a);
					if (cs.overflowX === "visible" && cs.overflowY === "visible")
						continue;
					const ar = a.getBoundingClientRect();
					if (r.left < ar.left - 0.5 || r.right > ar.right + 0.5 || r.top < ar.top - 0.5 || r.bottom > ar.bottom + 0.5) {
						issues.push(`${name(e)} is clipped by ${name(a)}`);
						break;
					}
				}
				if (ownText && getComputedStyle(e).textOverflow === "ellipsis" && e.scrollWidth > e.clientWidth + 1)
					issues.push(`${name(e)} is cut short (${e.scrollWidth}px in ${e.clientWidth}px)`);
			}
		}
		// A panel or row whose content is taller or wider than itself spills
		// over its neighbours or hides behind a scroll bar.
		for (const p of [root, ...root.querySelectorAll(".panel, .kpi, .target, li, .chart, .col, .today-fig, .kind-row")]) {
			if (!shown(p))
				continue;
			if (p.scrollHeight > p.clientHeight + 1 || p.scrollWidth > p.clientWidth + 1)
				issues.push(`${name(p)} overflows: ${p.scrollWidth}x${p.scrollHeight} in ${p.clientWidth}x${p.clientHeight}`);
		}
	}
	return { issues, items, page: document.body.dataset.page };
}

// What a hover on a mark of every chart shows: the element under the pointer
// and its <title>.
async function hoverCharts(page) {
	const seen = [];
	for (const id of await page.evaluate(() => Array.from(document.querySelectorAll(".chart")).filter((c) =>
		getComputedStyle(c).visibility !== "hidden").map((c) => c.id))) {
		const marks = page.locator(`#${id} rect.bar-seg, #${id} circle.pt`);
		const n = await marks.count();
		if (!n) {
			seen.push({ chart: id, marks: 0 });
			continue;
		}
		// the tallest mark (a thin one may sit under its neighbour)
		const i = await page.evaluate((cid) => {
			const list = Array.from(document.querySelectorAll(`#${cid} rect.bar-seg, #${cid} circle.pt`));
			let best = 0, area = -1;
			list.forEach((e, k) => {
				const r = e.getBoundingClientRect();
				if (r.width * r.height > area) {
					area = r.width * r.height;
					best = k;
				}
			});
			return best;
		}, id);
		await marks.nth(i).hover();
		seen.push(Object.assign({ chart: id, marks: n }, await page.evaluate(() => {
			const h = Array.from(document.querySelectorAll(":hover"));
			const e = h[h.length - 1];
			const t = e && e.querySelector("title");
			return { hovered: e ? e.tagName.toLowerCase() + "." + (e.getAttribute("class") || "") : null,
				value: e ? e.dataset.value : null, title: t ? t.textContent : null };
		})));
	}
	await page.mouse.move(1, 1);
	return seen;
}

// The daemon's names rewritten on the way: the page must show these.
async function fakeNames(page) {
	const rewrite = async (route, f) => {
		const res = await route.fetch();
		const body = await res.json();
		f(body);
		await route.fulfill({ response: res, body: JSON.stringify(body), headers: Object.assign({}, res.headers(), { "content-type": "application/json" }) });
	};
	await page.route((u) => new URL(u).pathname === "/api/v1/metrics", (route) => rewrite(route, (b) => {
		for (const m of b.metrics)
			m.name_zh += FAKE_SUFFIX;
		for (const list of Object.values(b.labels))
			for (const v of list || [])
				v.name_zh += FAKE_SUFFIX;
	}));
	await page.route((u) => new URL(u).pathname === "/api/v1/status", (route) => rewrite(route, (b) => {
		for (const s of b.sources)
			s.title_zh += FAKE_SUFFIX;
		b.sources.push(Object.assign({}, b.sources[0], { name: "trading.hn2", title_zh: "第二交易平台" + FAKE_SUFFIX,
			title_en: "second trading platform" }));
	}));
}

// Monthly remote evaluations × BIG on the way; the ranking down.
async function fakeBig(page) {
	await page.route((u) => new URL(u).pathname === "/api/v1/ranking", (route) => route.fulfill({
		status: 503, contentType: "application/json",
		body: JSON.stringify({ error: { code: "store_unavailable", message: "store unavailable" } }) }));
	await page.route((u) => {
		const url = new URL(u);
		return url.pathname === "/api/v1/series" && url.searchParams.get("metric") === "remote_evaluations_count" &&
			url.searchParams.get("step") === "month";
	}, async (route) => {
		const res = await route.fetch();
		const body = await res.json();
		for (const p of body.points)
			p.value *= BIG;
		await route.fulfill({ response: res, body: JSON.stringify(body) });
	});
}

// A fresh profile every run: nothing cached, no state from an earlier run.
const context = await chromium.launchPersistentContext(userDataDir, {
	executablePath,
	headless: true,
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync"],
	viewport: { width: 1920, height: 1080 },
	timezoneId: "America/Los_Angeles",
	timeout: 30000,
});
try {
	context.on("request", (r) => requests.push(r.url()));
	const page = context.pages()[0] || await context.newPage();
	// each problem with the step it came in: "[step] console error: ..."
	let stepName = "";
	page.on("console", (m) => {
		if (m.type() === "error" || m.type() === "warning")
			problems.push(`[${stepName}] console ${m.type()}: ${m.text()}`);
	});
	page.on("pageerror", (e) => problems.push(`[${stepName}] page error: ${e.message}`));
	page.setDefaultTimeout(45000); // a loaded machine, a sanitizer build
	let loads = 0;
	page.on("load", () => loads++);
	// Timers under the test's control, so that the 30 s refresh and the 20 s
	// rotation are checked without waiting; time otherwise flows as usual.
	await page.clock.install();
	for (const [i, step] of steps.entries()) {
		stepName = step.name;
		await page.setViewportSize({ width: step.width || 1920, height: step.height || 1080 });
		if (step.fake === "names")
			await fakeNames(page);
		if (step.fake === "big")
			await fakeBig(page);
		if (i === 0) {
			await page.goto(base + "/", { waitUntil: "load" });
		} else if (step.hash) {
			await page.evaluate((h) => { location.hash = h; }, step.hash);
		} else {
			if (step.year !== null && step.year !== undefined)
				await page.selectOption("#year", String(step.year));
			if (step.center !== null && step.center !== undefined)
				await page.selectOption("#center", step.center);
		}
		const key = step.year === null || step.year === undefined ? null
			: `${step.year}|${step.center || ""}`;
		await page.waitForFunction((k) => document.body.dataset.state === "ready" &&
			(k === null || document.body.dataset.key === k), key);
		// Charts are drawn to their box: let a resize settle.
		await page.waitForFunction(() => Array.from(document.querySelectorAll(".chart")).every((b) =>
			b.dataset.drawn === b.clientWidth + "x" + b.clientHeight));
		await page.waitForTimeout(200);
		const seen = await page.evaluate(scrape);
		seen.name = step.name;
		if (step.hover)
			seen.hovers = await hoverCharts(page);
		if (step.screenshot && !step.pages) {
			const file = path.join(artifacts, step.screenshot);
			await page.screenshot({ path: file, fullPage: false });
			seen.screenshot = file;
		}
		if (step.full)
			await page.screenshot({ path: path.join(artifacts, step.screenshot.replace(".png", "-full.png")), fullPage: true });
		if (step.pages) {
			// The rotation, on a paused clock: each page as it comes, audited,
			// then one rotation period on.
			seen.rotation = [];
			const t = await page.evaluate(() => Date.now());
			await page.clock.pauseAt(t + 1000);
			const n = Number(await page.evaluate(() => document.body.dataset.pages || 0));
			for (let k = 0; k < n; k++) {
				const a = await page.evaluate(audit);
				if (step.hover)
					a.hovers = await hoverCharts(page);
				a.pager = await page.evaluate(() => Array.from(document.querySelectorAll("#pager .tab.active")).map((e) => e.dataset.page));
				if (step.screenshot) {
					// page 1 as NAME.png, the others as NAME-pN.png
					a.screenshot = path.join(artifacts, a.page === "1" ? step.screenshot : step.screenshot.replace(".png", `-p${a.page}.png`));
					await page.screenshot({ path: a.screenshot, fullPage: false });
				}
				seen.rotation.push(a);
				await page.clock.runFor(ROTATE_MS);
			}
			seen.rotatedBack = await page.evaluate(() => document.body.dataset.page);
			await page.clock.resume();
		}
		if (step.auditKpis)
			seen.auditKpis = await page.evaluate(audit, "#kpis");
		if (step.audit) {
			const t = await page.evaluate(() => Date.now());
			await page.clock.pauseAt(t + 1000);
			seen.audit = await page.evaluate(audit);
			await page.clock.runFor(ROTATE_MS + 1000);
			seen.pinnedAfter = await page.evaluate(() => document.body.dataset.page);
			await page.clock.resume();
		}
		if (step.drill) {
			seen.drills = [];
			for (const sel of step.drill) {
				await page.locator(sel).first().click();
				await page.waitForFunction(() => ["ready", "error"].includes(document.getElementById("drill").dataset.state));
				const got = Object.assign({ selector: sel }, await page.evaluate(scrapeDrill));
				if (step.screenshot && !seen.drills.length)
					await page.screenshot({ path: path.join(artifacts, step.screenshot.replace(".png", "-rows.png")) });
				await page.click("#drill-close");
				got.hiddenAfterClose = await page.evaluate(() => document.getElementById("drill").hidden);
				seen.drills.push(got);
			}
		}
		if (step.fake)
			await page.unrouteAll({ behavior: "wait" });
		out.steps.push(seen);
	}
	// The page's decimal arithmetic on edge cases chosen by the test.
	if (process.env.GGZY_DECIMAL_CASES)
		out.decimals = await page.evaluate((cases) => cases.map(([v, unit]) => {
			try {
				return window.ggzyDecimal.display(v, unit);
			} catch (e) {
				return "error: " + e.message;
			}
		}), JSON.parse(process.env.GGZY_DECIMAL_CASES));
	if (process.env.GGZY_POINTS_CASES)
		out.points = await page.evaluate((cases) => cases.map(([a, p]) =>
			window.ggzyDecimal.pointsText(window.ggzyDecimal.yoyPoints(a, p))), JSON.parse(process.env.GGZY_POINTS_CASES));
	// The decimal cases, then a pause: the test changes the world (a source
	// goes down) and says "go"; the page must show the change at its next
	// 30 s refresh, by fetching, without a reload.
	if (process.env.GGZY_PAGE_PAUSE) {
		process.stdout.write("PAUSED " + JSON.stringify(out) + "\n");
		await nextLine();
		const before = await page.evaluate(() => Number(document.body.dataset.refreshes));
		await page.clock.fastForward(31000);
		await page.waitForFunction((b) => Number(document.body.dataset.refreshes) > b &&
			document.body.dataset.state === "ready", before);
		out.after = await page.evaluate(scrape);
		await page.screenshot({ path: path.join(artifacts, "page-source-down.png") });
	}
	out.loads = loads;
} catch (e) {
	// Reported, with what the page showed, by test_page.py.
	out.error = String(e && e.stack || e);
	try {
		const page = context.pages()[0];
		out.failureState = await page.evaluate(() => ({
			state: document.body.dataset.state, key: document.body.dataset.key,
			banner: document.getElementById("banner").textContent,
		}));
		await page.screenshot({ path: path.join(artifacts, "failure.png") });
	} catch (e2) {
		out.error += "\n(no screenshot: " + e2.message + ")";
	}
} finally {
	await context.close();
	fs.rmSync(userDataDir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(out));
