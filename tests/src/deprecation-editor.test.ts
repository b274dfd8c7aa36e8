import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * A deprecated procedure or field shows as deprecated in the editor of both clients: the
 * `@deprecated` JSDoc tag on the router's key and on the schema's field survives tRPC's
 * inference to `api.x` in apps/worker and `trpc.x` in apps/web. Asked of TypeScript 6's
 * tsserver (what editors run), with the tags added in the editor's buffers only — no file on
 * disk changes.
 */

const root = join(fileURLToPath(import.meta.url), "..", "..", "..");
const ROUTER = join(root, "packages/api/src/router/events.ts");
const SCHEMAS = join(root, "packages/api/src/schemas/events.ts");
const WORKER_PROBE = join(root, "apps/worker/src/deprecation-probe.ts");
const WEB_PROBE = join(root, "apps/web/src/deprecation-probe.tsx");

interface QuickInfo {
  kindModifiers?: string;
  tags?: { name: string; text?: string | { text: string }[] }[];
}

/** A tsserver session: requests out as JSON lines, responses back as Content-Length frames. */
function startTsserver() {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(root, "node_modules/typescript/lib/tsserver.js"), "--disableAutomaticTypingAcquisition"],
    { cwd: root, stdio: ["pipe", "pipe", "ignore"] },
  );
  const pending = new Map<number, (body: unknown) => void>();
  let buffer = Buffer.alloc(0);
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const header = buffer.indexOf("\r\n\r\n");
      if (header < 0) return;
      const length = Number(/Content-Length: (\d+)/.exec(buffer.subarray(0, header).toString())?.[1]);
      if (buffer.length < header + 4 + length) return;
      const message = JSON.parse(buffer.subarray(header + 4, header + 4 + length).toString()) as {
        type: string;
        request_seq: number;
        body?: unknown;
      };
      buffer = buffer.subarray(header + 4 + length);
      if (message.type === "response") pending.get(message.request_seq)?.(message.body);
    }
  });
  let seq = 0;
  const request = (command: string, args: unknown) =>
    new Promise<unknown>((resolve) => {
      seq += 1;
      pending.set(seq, resolve);
      child.stdin?.write(`${JSON.stringify({ seq, type: "request", command, arguments: args })}\n`);
    });
  /** open and close answer nothing: sent, not awaited; the next request sees their effect. */
  const notify = (command: string, args: unknown) => {
    seq += 1;
    child.stdin?.write(`${JSON.stringify({ seq, type: "request", command, arguments: args })}\n`);
  };
  return { request, notify, close: () => child.kill() };
}

let tsserver: ReturnType<typeof startTsserver>;
const probes = new Map<string, string>();
const answers = new Map<string, ReturnType<typeof deprecation>>();

function replaceOnce(text: string, find: string, replacement: string): string {
  if (!text.includes(find)) throw new Error(`The source no longer contains ${JSON.stringify(find)}`);
  return text.replace(find, replacement);
}

beforeAll(async () => {
  tsserver = startTsserver();
  const router = replaceOnce(
    readFileSync(ROUTER, "utf8"),
    "  getAvailableTickets: publicProcedure",
    "  /** @deprecated Use getSeatMap. */\n  getAvailableTickets: publicProcedure",
  );
  const schemas = replaceOnce(
    readFileSync(SCHEMAS, "utf8"),
    "  section: z.string().trim().min(1).max(100).optional(),",
    "  /** @deprecated Ask for the whole map. */\n  section: z.string().trim().min(1).max(100).optional(),",
  );
  probes.set(
    WORKER_PROBE,
    [
      'import { createApiClient } from "./client";',
      'const api = createApiClient({ urls: ["http://127.0.0.1:9"], token: "x".repeat(16), timeoutMs: 1000 });',
      'export const tickets = api.getAvailableTickets.query({ eventId: "x", section: "A" });',
    ].join("\n"),
  );
  probes.set(
    WEB_PROBE,
    [
      'import { useTRPC } from "./trpc/client";',
      "export function useProbe() {",
      "  const trpc = useTRPC();",
      '  return trpc.getAvailableTickets.queryOptions({ eventId: "x", section: "A" });',
      "}",
    ].join("\n"),
  );
  tsserver.notify("open", { file: ROUTER, fileContent: router });
  tsserver.notify("open", { file: SCHEMAS, fileContent: schemas });
  for (const [file, text] of probes) tsserver.notify("open", { file, fileContent: text });
  for (const [file, word] of [
    [WORKER_PROBE, "getAvailableTickets"],
    [WORKER_PROBE, "section"],
    [WEB_PROBE, "getAvailableTickets"],
    [WEB_PROBE, "section"],
  ] as const) {
    answers.set(`${file}#${word}`, deprecation(await quickInfo(file, word)));
  }
  // Closing the buffer makes tsserver read the router as it is on disk, without the tag.
  tsserver.notify("close", { file: ROUTER });
  answers.set("untagged", deprecation(await quickInfo(WORKER_PROBE, "getAvailableTickets")));
  // The first question to each app's project loads and checks it: over three minutes on a
  // loaded 2-core machine. The answers do not depend on time; the limit is generous.
}, 600_000);
afterAll(() => tsserver?.close());

async function quickInfo(file: string, word: string): Promise<QuickInfo> {
  const text = probes.get(file) ?? "";
  const index = text.lastIndexOf(word);
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  const offset = index - before.lastIndexOf("\n") + 1;
  return (await tsserver.request("quickinfo", { file, line, offset })) as QuickInfo;
}

const deprecation = (info: QuickInfo) => ({
  modifiers: info.kindModifiers?.split(",").includes("deprecated") ?? false,
  tag: info.tags?.find((tag) => tag.name === "deprecated")?.text,
});

describe("a deprecation, in the editor of each client", () => {
  it("apps/worker: api.getAvailableTickets and its section field are deprecated, with the reason", () => {
    expect(answers.get(`${WORKER_PROBE}#getAvailableTickets`)).toEqual({ modifiers: true, tag: "Use getSeatMap." });
    expect(answers.get(`${WORKER_PROBE}#section`)).toEqual({ modifiers: true, tag: "Ask for the whole map." });
  });

  it("apps/web: trpc.getAvailableTickets and its section field are deprecated, with the reason", () => {
    expect(answers.get(`${WEB_PROBE}#getAvailableTickets`)).toEqual({ modifiers: true, tag: "Use getSeatMap." });
    expect(answers.get(`${WEB_PROBE}#section`)).toEqual({ modifiers: true, tag: "Ask for the whole map." });
  });

  it("the same name without the tag is not deprecated (the probe can tell)", () => {
    expect(answers.get("untagged")).toEqual({ modifiers: false, tag: undefined });
  });
});
