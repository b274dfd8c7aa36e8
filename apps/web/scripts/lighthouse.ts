// Lighthouse over the pages a buyer passes through — events, an event, checkout, my bookings —
// with the mobile preset (Lighthouse's default: a mid-range phone, slow 4G, 4× CPU slowdown,
// all simulated) and the desktop preset, RUNS times each; the median run per page and preset is
// what counts. Starts apps/server and the production build itself unless WEB_URL names a running
// one (its API must have the demo seed). Writes test-results/lighthouse.json.
//   npm run build -w @ticketing/web && npm run lighthouse -w @ticketing/web
//   RUNS=1 PAGES=event PRESETS=mobile npm run lighthouse -w @ticketing/web   (a quick look)
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { join } from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse, { desktopConfig, type Flags, type Result } from "lighthouse";
import { findChromium } from "../e2e/support/chromium";
import { MEASURED_EVENT } from "../e2e/support/event-page";
import { type Stack, startStack, webRoot } from "../e2e/support/servers";

const RUNS = Number(process.env.RUNS ?? 3);
const PRESETS = (process.env.PRESETS ?? "mobile,desktop").split(",") as Preset[];
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;
/** The buyer whose session the signed-in pages are measured with (a demo account of the seed). */
const BUYER = { email: "bob@example.com", password: "demo-password" };

type Preset = "mobile" | "desktop";

export interface LighthouseRun {
  performance: number;
  accessibility: number;
  bestPractices: number;
  seo: number;
  lcpMs: number;
  tbtMs: number;
  fcpMs: number;
  cls: number;
  /** Opportunities and diagnostics that cost something on this run, for reading, not for goals. */
  findings: string[];
}

export interface PageResult {
  page: string;
  path: string;
  preset: Preset;
  median: LighthouseRun;
  runs: LighthouseRun[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The run whose performance score is the median (the middle one of 3): its figures belong together. */
function medianRun(runs: LighthouseRun[]): LighthouseRun {
  const score = median(runs.map((run) => run.performance));
  return runs.reduce((best, run) =>
    Math.abs(run.performance - score) < Math.abs(best.performance - score) ? run : best,
  );
}

function summarize(lhr: Result): LighthouseRun {
  const score = (id: (typeof CATEGORIES)[number]) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
  const numeric = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
  const findings = Object.values(lhr.audits)
    .filter(
      (audit) =>
        audit.score !== null &&
        audit.score < 0.9 &&
        (audit.scoreDisplayMode === "metricSavings" || audit.scoreDisplayMode === "binary"),
    )
    .map((audit) => `${audit.id}${audit.displayValue ? ` (${audit.displayValue})` : ""}`);
  return {
    performance: score("performance"),
    accessibility: score("accessibility"),
    bestPractices: score("best-practices"),
    seo: score("seo"),
    lcpMs: Math.round(numeric("largest-contentful-paint")),
    tbtMs: Math.round(numeric("total-blocking-time")),
    fcpMs: Math.round(numeric("first-contentful-paint")),
    cls: Number(numeric("cumulative-layout-shift").toFixed(3)),
    findings,
  };
}

/** A tRPC call through the web app's own /api/trpc proxy, as the browser makes it. */
async function call<T>(
  webUrl: string,
  name: string,
  input: unknown,
  cookie?: string,
): Promise<{ data: T; setCookie: string[] }> {
  const response = await fetch(`${webUrl}/api/trpc/${name}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: webUrl,
      "idempotency-key": crypto.randomUUID(),
      ...(cookie && { cookie }),
    },
    body: JSON.stringify({ json: input }),
  });
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!body.result) throw new Error(`${name} failed: ${JSON.stringify(body.error)}`);
  return { data: body.result.data.json, setCookie: response.headers.getSetCookie() };
}

async function eventIdOf(webUrl: string, name: string): Promise<string> {
  const input = encodeURIComponent(JSON.stringify({ json: { query: name } }));
  const list = (await (await fetch(`${webUrl}/api/trpc/listEvents?input=${input}`)).json()) as {
    result: { data: { json: { items: { id: string }[] } } };
  };
  const id = list.result.data.json.items[0]?.id;
  if (!id) throw new Error(`${name} is not in the list`);
  return id;
}

async function main() {
  const found = findChromium();
  if (found.path === null) throw new Error(found.reason);
  const stack: Stack | null = process.env.WEB_URL ? null : await startStack();
  const webUrl = (process.env.WEB_URL ?? stack?.webUrl ?? "").replace(/\/+$/, "");
  const chrome = await chromeLauncher.launch({
    chromePath: found.path,
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-background-networking", "--disable-component-update"],
  });
  const results: PageResult[] = [];
  try {
    const eventId = await eventIdOf(webUrl, MEASURED_EVENT);
    const signIn = await call<{ token: string }>(webUrl, "signIn", BUYER);
    const session = signIn.setCookie.map((cookie) => cookie.split(";")[0]).find((pair) => pair.startsWith("session="));
    if (!session) throw new Error("signIn set no session cookie");

    // A new hold for the checkout page, made just before it is measured (holds last 10 minutes).
    const holdForCheckout = async () => {
      const { data } = await call<{ id: string }>(webUrl, "createBooking", { eventId, quantity: 2 }, session);
      return `/checkout/${data.id}`;
    };
    const pages: { page: string; path: () => Promise<string>; signedIn: boolean }[] = [
      { page: "home", path: async () => "/", signedIn: false },
      { page: "event", path: async () => `/events/${eventId}`, signedIn: false },
      { page: "checkout", path: holdForCheckout, signedIn: true },
      { page: "bookings", path: async () => "/bookings", signedIn: true },
    ];
    const only = process.env.PAGES?.split(",");

    for (const { page, path: pathOf, signedIn } of pages) {
      if (only && !only.includes(page)) continue;
      const path = await pathOf();
      for (const preset of PRESETS) {
        const flags: Flags = {
          port: chrome.port,
          output: "json",
          logLevel: "error",
          onlyCategories: [...CATEGORIES],
          // Lighthouse clears the origin's storage before a run; a header keeps the session anyway.
          ...(signedIn && { extraHeaders: { cookie: session } }),
        };
        // One unrecorded load first, so the server's first render of the page is not measured.
        await fetch(`${webUrl}${path}`, { headers: signedIn ? { cookie: session } : {} }).then((r) => r.text());
        const runs: LighthouseRun[] = [];
        for (let i = 0; i < RUNS; i++) {
          const result = await lighthouse(`${webUrl}${path}`, flags, preset === "desktop" ? desktopConfig : undefined);
          if (!result) throw new Error(`Lighthouse returned nothing for ${path}`);
          if (result.lhr.runtimeError) throw new Error(`${path}: ${result.lhr.runtimeError.message}`);
          runs.push(summarize(result.lhr));
        }
        const entry = { page, path, preset, median: medianRun(runs), runs };
        results.push(entry);
        const m = entry.median;
        process.stderr.write(
          `lighthouse ${page} ${preset}: performance ${m.performance} (runs ${runs.map((r) => r.performance).join(", ")}), LCP ${m.lcpMs} ms, TBT ${m.tbtMs} ms, accessibility ${m.accessibility}\n`,
        );
      }
    }
  } finally {
    chrome.kill();
    await stack?.stop();
  }
  const report = {
    date: new Date().toISOString(),
    lighthouse: (createRequire(import.meta.url)("lighthouse/package.json") as { version: string }).version,
    loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
    runsPerPage: RUNS,
    results,
  };
  const out = join(webRoot, "test-results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "lighthouse.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report.results.map(({ runs: _runs, ...rest }) => rest)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
