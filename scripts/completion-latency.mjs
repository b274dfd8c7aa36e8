// How long the editor takes to list a client's procedures: drives a language server the way
// an editor does, opens a file in apps/worker or apps/web that ends in `api.` / `trpc.`, and
// times member completion there — cold (the project loads and checks what the completion
// needs) and warm (after an edit, as when typing).
// --server tsserver: TypeScript 6's tsserver over its own protocol (what editors run by default);
// --server tsgo: TypeScript 7's language server (`tsc --lsp --stdio`) over LSP.
//
//   node scripts/completion-latency.mjs [--root <repo>] [--app worker|web] [--server tsserver|tsgo] [--runs 5] [--json]
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values: options } = parseArgs({
  options: {
    root: { type: "string", default: join(fileURLToPath(import.meta.url), "..", "..") },
    app: { type: "string", default: "worker" },
    server: { type: "string", default: "tsserver" },
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
if (options.server !== "tsserver" && options.server !== "tsgo") {
  throw new Error(`--server is tsserver or tsgo, not ${options.server}`);
}

/** Reads Content-Length framed JSON messages (both protocols answer that way) from a stream. */
function onFrames(stream, handle) {
  let buffer = Buffer.alloc(0);
  stream.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const header = buffer.indexOf("\r\n\r\n");
      if (header < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, header).toString())?.[1]);
      if (buffer.length < header + 4 + length) return;
      const message = JSON.parse(buffer.subarray(header + 4, header + 4 + length).toString());
      buffer = buffer.subarray(header + 4 + length);
      handle(message);
    }
  });
}

/** A tsserver session: requests out as JSON lines, responses back as Content-Length frames. */
function startTsserver(root) {
  const child = spawn(
    process.execPath,
    [join(root, "node_modules/typescript/lib/tsserver.js"), "--disableAutomaticTypingAcquisition"],
    { cwd: root, stdio: ["pipe", "pipe", "inherit"] },
  );
  const pending = new Map();
  onFrames(child.stdout, (message) => {
    if (message.type === "response" && pending.has(message.request_seq)) {
      pending.get(message.request_seq)(message);
      pending.delete(message.request_seq);
    }
  });
  let seq = 0;
  const request = (command, args) =>
    new Promise((resolve) => {
      seq += 1;
      pending.set(seq, resolve);
      child.stdin.write(`${JSON.stringify({ seq, type: "request", command, arguments: args })}\n`);
    });
  return {
    open: (file, text) =>
      request("open", { file, fileContent: text, scriptKindName: file.endsWith(".tsx") ? "TSX" : "TS" }),
    async complete(file, line, offset) {
      const response = await request("completionInfo", { file, line, offset, triggerCharacter: "." });
      if (!response.success) throw new Error(`completion failed: ${response.message}`);
      return response.body.entries.length;
    },
    async edit(file) {
      // An edit above the cursor and its undo: the file changes, as when typing.
      await request("change", { file, line: 1, offset: 1, endLine: 1, endOffset: 1, insertString: " " });
      await request("change", { file, line: 1, offset: 1, endLine: 1, endOffset: 2, insertString: "" });
    },
    close: () => child.kill(),
  };
}

/** A TypeScript 7 language server session over LSP (JSON-RPC in Content-Length frames both ways). */
async function startTsgo(root) {
  const child = spawn(process.execPath, [join(root, "node_modules/typescript-native/bin/tsc"), "--lsp", "--stdio"], {
    cwd: root,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const send = (message) => {
    const body = JSON.stringify({ jsonrpc: "2.0", ...message });
    child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  const pending = new Map();
  onFrames(child.stdout, (message) => {
    if (message.id !== undefined && message.method !== undefined) {
      // The server asks the editor something (configuration, progress tokens): answer plainly.
      send({ id: message.id, result: message.method === "workspace/configuration" ? [] : null });
    } else if (message.id !== undefined && pending.has(message.id)) {
      pending.get(message.id)(message);
      pending.delete(message.id);
    }
  });
  let id = 0;
  const request = (method, params) =>
    new Promise((resolve, reject) => {
      id += 1;
      pending.set(id, (message) =>
        message.error ? reject(new Error(message.error.message)) : resolve(message.result),
      );
      send({ id, method, params });
    });
  const rootUri = pathToFileURL(root).href;
  await request("initialize", {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: "repo" }],
    capabilities: { textDocument: { completion: { completionItem: { snippetSupport: false } } } },
  });
  send({ method: "initialized", params: {} });
  let version = 1;
  let current = "";
  return {
    open(file, text) {
      current = text;
      send({
        method: "textDocument/didOpen",
        params: {
          textDocument: {
            uri: pathToFileURL(file).href,
            languageId: file.endsWith(".tsx") ? "typescriptreact" : "typescript",
            version,
            text,
          },
        },
      });
    },
    async complete(file, line, offset) {
      const result = await request("textDocument/completion", {
        textDocument: { uri: pathToFileURL(file).href },
        position: { line: line - 1, character: offset - 1 },
        context: { triggerKind: 2, triggerCharacter: "." },
      });
      const items = Array.isArray(result) ? result : (result?.items ?? []);
      return items.length;
    },
    edit(file) {
      for (const text of [` ${current}`, current]) {
        version += 1;
        send({
          method: "textDocument/didChange",
          params: { textDocument: { uri: pathToFileURL(file).href, version }, contentChanges: [{ text }] },
        });
      }
    },
    close: () => child.kill(),
  };
}

async function main() {
  const root = options.root;
  const file = join(root, source.file);
  const server = options.server === "tsgo" ? await startTsgo(root) : startTsserver(root);
  const text = source.lines.join("\n");
  const line = source.lines.length;
  const offset = source.lines[line - 1].length + 1;
  await server.open(file, text);
  const complete = async () => {
    const started = performance.now();
    const entries = await server.complete(file, line, offset);
    return { ms: performance.now() - started, entries };
  };
  const cold = await complete();
  const warm = [];
  for (let i = 0; i < Number(options.runs); i++) {
    await server.edit(file);
    warm.push((await complete()).ms);
  }
  server.close();
  warm.sort((a, b) => a - b);
  const result = {
    app: options.app,
    server: options.server,
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
