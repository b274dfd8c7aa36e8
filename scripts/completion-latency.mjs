// How long the editor takes to list a client's procedures: drives TypeScript 6's tsserver
// (what editors run) over its protocol, opens a file in apps/worker or apps/web that ends in
// `api.` / `trpc.`, and times member completion there — cold (the project loads and checks
// what the completion needs) and warm (after an edit, as when typing).
//
//   node scripts/completion-latency.mjs [--root <repo>] [--app worker|web] [--runs 5] [--json]
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values: options } = parseArgs({
  options: {
    root: { type: "string", default: join(fileURLToPath(import.meta.url), "..", "..") },
    app: { type: "string", default: "worker" },
    runs: { type: "string", default: "5" },
    json: { type: "boolean", default: false },
  },
  strict: true,
});

const SOURCES = {
  worker: {
    file: "apps/worker/src/completion-probe.ts",
    lines: [
      'import { createApiClient } from "./client";',
      'const api = createApiClient({ urls: ["http://127.0.0.1:9"], token: "x".repeat(16), timeoutMs: 1000 });',
      "api.",
    ],
  },
  web: {
    file: "apps/web/src/completion-probe.tsx",
    lines: [
      'import { useTRPC } from "./trpc/client";',
      "export function Probe() {",
      "  const trpc = useTRPC();",
      "  trpc.",
    ],
  },
};
const source = SOURCES[options.app];
if (!source) throw new Error(`--app is worker or web, not ${options.app}`);

/** A tsserver session: requests out as JSON lines, responses back as Content-Length frames. */
function startServer(root) {
  const child = spawn(
    process.execPath,
    [join(root, "node_modules/typescript/lib/tsserver.js"), "--disableAutomaticTypingAcquisition"],
    {
      cwd: root,
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const pending = new Map();
  let buffer = Buffer.alloc(0);
  child.stdout.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const header = buffer.indexOf("\r\n\r\n");
      if (header < 0) return;
      const length = Number(/Content-Length: (\d+)/.exec(buffer.subarray(0, header).toString())?.[1]);
      if (buffer.length < header + 4 + length) return;
      const message = JSON.parse(buffer.subarray(header + 4, header + 4 + length).toString());
      buffer = buffer.subarray(header + 4 + length);
      if (message.type === "response" && pending.has(message.request_seq)) {
        pending.get(message.request_seq)(message);
        pending.delete(message.request_seq);
      }
    }
  });
  let seq = 0;
  const request = (command, args) =>
    new Promise((resolve) => {
      seq += 1;
      pending.set(seq, resolve);
      child.stdin.write(`${JSON.stringify({ seq, type: "request", command, arguments: args })}\n`);
    });
  return { request, close: () => child.kill() };
}

async function main() {
  const root = options.root;
  const file = join(root, source.file);
  const server = startServer(root);
  const text = source.lines.join("\n");
  const line = source.lines.length;
  const offset = source.lines[line - 1].length + 1;
  await server.request("open", { file, fileContent: text, scriptKindName: options.app === "web" ? "TSX" : "TS" });
  const complete = async () => {
    const started = performance.now();
    const response = await server.request("completionInfo", { file, line, offset, triggerCharacter: "." });
    const ms = performance.now() - started;
    if (!response.success) throw new Error(`completion failed: ${response.message}`);
    return { ms, entries: response.body.entries.length };
  };
  const cold = await complete();
  const warm = [];
  for (let i = 0; i < Number(options.runs); i++) {
    // An edit above the cursor and its undo: the file changes, as when typing.
    await server.request("change", { file, line: 1, offset: 1, endLine: 1, endOffset: 1, insertString: " " });
    await server.request("change", { file, line: 1, offset: 1, endLine: 1, endOffset: 2, insertString: "" });
    warm.push((await complete()).ms);
  }
  server.close();
  warm.sort((a, b) => a - b);
  const result = {
    app: options.app,
    members: cold.entries,
    coldMs: Math.round(cold.ms),
    warmMedianMs: Math.round(warm[Math.floor(warm.length / 2)]),
    warmMaxMs: Math.round(warm.at(-1)),
  };
  console.log(options.json ? JSON.stringify(result) : result);
}

main().catch((error) => {
  console.error(`completion-latency: ${error.message}`);
  process.exit(1);
});
