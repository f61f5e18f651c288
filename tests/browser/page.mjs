// Drives the built-in page in headless Chromium for tests/browser/test_page.py.
// Usage: node page.mjs BASE_URL ARTIFACT_DIR STEPS_JSON
// STEPS_JSON: [{"name", "year", "center", "width", "height", "screenshot"}...];
// the first step opens the page with its defaults (year and centre null),
// the next ones choose year and centre through the page's own <select>s.
// Prints one JSON object: every step's figures as the page shows them,
// every URL the browser requested, console errors and CSP violations.
// With GGZY_PAGE_PAUSE it first prints a line "PAUSED <what it saw so far>"
// and waits for a line on
// stdin, then lets the page's 30 s refresh run (a fake clock) and reads the
// page again ("after").
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [base, artifacts, stepsJson] = process.argv.slice(2);
const steps = JSON.parse(stepsJson);
const executablePath = process.env.GGZY_CHROMIUM || "/usr/bin/chromium";
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ggzy-chromium-"));
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
	const q = (sel) => Array.from(document.querySelectorAll(sel));
	const ds = (e) => Object.assign({}, e.dataset);
	return {
		key: document.body.dataset.key,
		asOf: document.body.dataset.asOf,
		asOfText: document.getElementById("as-of").textContent,
		year: document.getElementById("year").value,
		years: q("#year option").map((o) => o.value),
		center: document.getElementById("center").value,
		centers: q("#center option").map((o) => o.value),
		centerName: document.getElementById("center-name").textContent,
		kpis: q(".kpi").map((e) => Object.assign(ds(e), {
			text: e.querySelector(".kpi-value").textContent,
			foot: e.querySelector(".kpi-foot").textContent,
		})),
		targets: q(".target").map((e) => Object.assign(ds(e), {
			actualText: e.querySelector(".t-actual").textContent,
			targetText: (e.querySelector(".t-target") || { textContent: "" }).textContent,
			pace: e.querySelector(".t-pace") ? ds(e.querySelector(".t-pace")) : null,
			yoy: e.querySelector(".t-yoy") ? ds(e.querySelector(".t-yoy")) : null,
			fill: e.querySelector(".bar .fill") ? e.querySelector(".bar .fill").style.width : null,
		})),
		total: (document.querySelector("[data-total]") || { dataset: {} }).dataset.total || null,
		grade: (document.querySelector("[data-grade]") || { dataset: {} }).dataset.grade || null,
		bars: q("rect.bar-seg").map((e) => Object.assign(ds(e), {
			title: e.querySelector("title").textContent,
			height: Number(e.getAttribute("height")),
		})),
		points: q("circle.pt").map(ds),
		alerts: q("#alerts li.alert").map((e) => Object.assign(ds(e), { text: e.textContent })),
		alertCount: document.getElementById("alert-count").textContent,
		sources: q("#sources tbody tr").map((e) => Object.assign(ds(e), { text: e.textContent })),
		pills: Object.fromEntries(q("#health .pill[data-source]").map((e) => [e.dataset.source, e.dataset.up])),
		csv: document.getElementById("dl-csv").getAttribute("href"),
		md: document.getElementById("dl-md").getAttribute("href"),
		banner: document.getElementById("banner").hidden ? "" : document.getElementById("banner").textContent,
		overflowX: document.documentElement.scrollWidth > window.innerWidth,
	};
}

// A fresh profile every run: nothing cached, no state from an earlier run.
const context = await chromium.launchPersistentContext(userDataDir, {
	executablePath,
	headless: true,
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync"],
	viewport: { width: 1920, height: 1080 },
	timeout: 30000,
});
try {
	context.on("request", (r) => requests.push(r.url()));
	const page = context.pages()[0] || await context.newPage();
	page.on("console", (m) => {
		if (m.type() === "error" || m.type() === "warning")
			problems.push(`console ${m.type()}: ${m.text()}`);
	});
	page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
	page.setDefaultTimeout(45000); // a loaded machine, a sanitizer build
	let loads = 0;
	page.on("load", () => loads++);
	// Timers under the test's control, so that the 30 s refresh is checked
	// without waiting 30 s; time otherwise flows as usual.
	await page.clock.install();
	for (const [i, step] of steps.entries()) {
		await page.setViewportSize({ width: step.width || 1920, height: step.height || 1080 });
		if (i === 0) {
			await page.goto(base + "/", { waitUntil: "load" });
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
		// Charts are drawn to the panel's size: let a resize settle.
		await page.waitForTimeout(300);
		const seen = await page.evaluate(scrape);
		seen.name = step.name;
		if (step.screenshot) {
			const file = path.join(artifacts, step.screenshot);
			await page.screenshot({ path: file, fullPage: false });
			seen.screenshot = file;
		}
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
