// How type-checking grows with the router: in a temporary copy of the repository, times
// `npm run typecheck` (turbo, cache off) as it is, then again with N extra procedures (zod
// input and output schemas, a domain function each, spread over F router modules merged
// into AppRouter), and reports time, CPU time and peak memory. docs/goals.md: at most 1.5×
// the CPU time and 1.5× the peak memory at 1,000. Each router module is a new domain, laid
// out as `npm run new:procedure` lays one out: its three files and a project of its own
// (packages/api/modules/<domain>.json), which the router reads as declarations.
//
//   node scripts/typecheck-scale.mjs [--procedures 1000] [--files 20] [--compiler <package>] [--json] [--keep]
//
// --json prints exactly one line on stdout (progress goes to stderr):
//   {"procedures":1000,"baseline":{"seconds":n,"cpuSeconds":n,"maxRssMb":n},"scaled":{…},
//    "ratio":n,"cpuRatio":n,"rssRatio":n,"loadAverage":n}
// (`ratio` is wall time; cpuSeconds and cpuRatio are null without GNU time.)
// --compiler runs every workspace's typecheck with that package's tsc (`typescript` for
// TypeScript 6, `typescript-native` for TypeScript 7) instead of the one the repo configures.
//
// Each run starts from nothing: the declarations and build info that `tsc --build` keeps
// (.tsbuild/, *.tsbuildinfo) are deleted first, so both runs check every project in full.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { coreWithout, moduleProject, moduleProjectSource, routerReferencing } from "./procedure-source.mjs";
import { copyRepo, runIn } from "./repo-copy.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const TIME = "/usr/bin/time";
const WORKSPACES = [
  "packages/db",
  "packages/rpc",
  "packages/api",
  "apps/server",
  "apps/web",
  "apps/worker",
  "tests",
  "bench",
];

const { values: options } = parseArgs({
  options: {
    procedures: { type: "string", default: "1000" },
    files: { type: "string", default: "20" },
    compiler: { type: "string" },
    json: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
  strict: true,
});
const procedureCount = Number(options.procedures);
const fileCount = Number(options.files);
if (!Number.isInteger(procedureCount) || procedureCount < 1 || !Number.isInteger(fileCount) || fileCount < 1) {
  console.error("typecheck-scale: --procedures and --files are positive whole numbers");
  process.exit(2);
}
if (fileCount > procedureCount) {
  console.error("typecheck-scale: --files must not exceed --procedures");
  process.exit(2);
}

const progress = (message) => console.error(`typecheck-scale: ${message}`);

// ── Generated procedures ────────────────────────────────────────────────────────────────

const NOUNS = [
  "artists",
  "tours",
  "promoters",
  "coupons",
  "refunds",
  "payouts",
  "invoices",
  "reviews",
  "waitlists",
  "seasons",
  "memberships",
  "products",
  "transfers",
  "giftcards",
  "surveys",
  "campaigns",
  "badges",
  "partners",
  "sponsors",
  "stages",
];

function domainName(index) {
  const noun = NOUNS[index % NOUNS.length];
  return index < NOUNS.length ? noun : `${noun}${Math.floor(index / NOUNS.length) + 1}`;
}

const upper = (text) => text[0].toUpperCase() + text.slice(1);

/** Five shapes, as a real domain module has them: get, list, create, update, summarize. */
function procedure(entity, j) {
  const E = upper(entity);
  const idField = `${entity}Id`;
  const shapes = [
    {
      name: `get${E}${j}`,
      kind: "query",
      input: `z.object({ ${idField}: id("${idField}"), withOwner${j}: z.boolean().default(false) })`,
      output: `${entity}Record.extend({ views${j}: z.number().int() })`,
      body: `return { ...${entity}Sample(input.${idField}), views${j}: input.withOwner${j} ? 1 : 0 };`,
    },
    {
      name: `list${E}s${j}`,
      kind: "query",
      input: `z
  .object({
    query: z.string().trim().max(100).optional(),
    status: ${entity}Status.optional(),
    cursor: cursor.optional(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .prefault({})`,
      output: `page(${entity}Record.extend({ rank${j}: z.number() }))`,
      body: `return { items: [{ ...${entity}Sample(input.cursor ?? "first"), rank${j}: input.limit }], nextCursor: null };`,
    },
    {
      name: `create${E}${j}`,
      kind: "mutation",
      input: `z.object({
  name: z.string().trim().min(1).max(120),
  tags: z.array(z.string().max(30)).max(10).default([]),
  startsAt: z.iso.datetime({ offset: true }),
  amountCents: z.number().int().min(0).max(10_000_000),
  idempotencyKey: idempotencyKey.optional(),
})`,
      output: `${entity}Record.extend({ created${j}: z.boolean() })`,
      body: `return { ...${entity}Sample(input.name), tags: input.tags, amountCents: input.amountCents, created${j}: true };`,
    },
    {
      name: `update${E}${j}`,
      kind: "mutation",
      input: `z.object({
  ${idField}: id("${idField}"),
  patch: z.object({ name: z.string().trim().min(1).max(120).optional(), status: ${entity}Status.optional() }),
  idempotencyKey: idempotencyKey.optional(),
})`,
      output: `${entity}Record`,
      body: `return { ...${entity}Sample(input.${idField}), ...(input.patch.name ? { name: input.patch.name } : {}) };`,
    },
    {
      name: `summarize${E}${j}`,
      kind: "query",
      input: `z.object({ ${idField}: id("${idField}"), from: z.date().optional(), to: z.date().optional() })`,
      output: `z.object({
  total: z.number().int(),
  byStatus: z.record(${entity}Status, z.number().int()),
  series${j}: z.array(z.object({ at: z.date(), value: z.number() })),
})`,
      body: `return { total: 0, byStatus: { draft: 0, active: 0, archived: 0 }, series${j}: [{ at: input.from ?? new Date(0), value: 0 }] };`,
    },
  ];
  return shapes[j % shapes.length];
}

function generateModule(domain, first, count) {
  const base = domain.replace(/\d+$/, "");
  const entity = `${base.replace(/s$/, "")}${domain.slice(base.length)}`;
  const E = upper(entity);
  const procedures = Array.from({ length: count }, (_, k) => procedure(entity, first + k));
  const schemas = [
    `import { z } from "zod";`,
    `import { cursor, id, idempotencyKey, page } from "./common";`,
    "",
    `export const ${entity}Status = z.enum(["draft", "active", "archived"]);`,
    `export const ${entity}Record = z.object({
  id: z.string(),
  name: z.string(),
  status: ${entity}Status,
  tags: z.array(z.string()),
  amountCents: z.number().int(),
  createdAt: z.date(),
  owner: z.object({ id: z.uuid(), email: z.string() }).nullable(),
});`,
    `export type ${E}Record = z.infer<typeof ${entity}Record>;`,
    ...procedures.map(
      (p) => `
export const ${p.name}Input = ${p.input};
export const ${p.name}Output = ${p.output};
export type ${upper(p.name)}Input = z.infer<typeof ${p.name}Input>;
export type ${upper(p.name)}Output = z.infer<typeof ${p.name}Output>;`,
    ),
  ].join("\n");
  const types = procedures.flatMap((p) => [`${upper(p.name)}Input`, `${upper(p.name)}Output`]);
  const domainModule = [
    `import type { Database } from "@ticketing/db";`,
    `import type { ${E}Record, ${types.join(", ")} } from "../schemas/${domain}";`,
    "",
    `const ${entity}Sample = (id: string): ${E}Record => ({
  id,
  name: "${E} " + id,
  status: "active",
  tags: [],
  amountCents: 0,
  createdAt: new Date(0),
  owner: null,
});`,
    ...procedures.map(
      (p) => `
export async function ${p.name}(_db: Database, input: ${upper(p.name)}Input): Promise<${upper(p.name)}Output> {
  ${p.body}
}`,
    ),
  ].join("\n");
  const namespace = domain.replace(/\d+$/, (n) => `N${n}`);
  const record = `${namespace}Procedures`;
  const router = [
    `import type { TRPCRouterRecord } from "@trpc/server";`,
    `import * as ${namespace} from "../domain/${domain}";`,
    `import { decide, ensureAllowed } from "../domain/permissions";`,
    `import { ${procedures.flatMap((p) => [`${p.name}Input`, `${p.name}Output`]).join(", ")} } from "../schemas/${domain}";`,
    `import { authedProcedure, exactlyOnce, publicProcedure } from "../trpc/procedures";`,
    "",
    `export const ${record} = {`,
    ...procedures.map((p) =>
      p.kind === "query"
        ? `  ${p.name}: publicProcedure
    .input(${p.name}Input)
    .output(${p.name}Output)
    .query(({ ctx, input }) => ${namespace}.${p.name}(ctx.db, input)),`
        : `  ${p.name}: authedProcedure
    .input(${p.name}Input)
    .concat(exactlyOnce)
    .output(${p.name}Output)
    .mutation(({ ctx, input }) => {
      ensureAllowed(decide(ctx.viewer, { kind: "admin" }, "manage"));
      return ${namespace}.${p.name}(ctx.db, input);
    }),`,
    ),
    "} satisfies TRPCRouterRecord;",
  ].join("\n");
  return { schemas, domainModule, router, record, names: procedures.map((p) => p.name) };
}

/** Writes the procedures into the copy's packages/api and registers them in trpc/root.ts. */
function generate(dir, total, files) {
  const api = join(dir, "packages", "api", "src");
  const modules = [];
  let next = 0;
  for (let index = 0; index < files; index++) {
    const count = Math.floor(total / files) + (index < total % files ? 1 : 0);
    const domain = domainName(index);
    const module = generateModule(domain, next, count);
    next += count;
    for (const [folder, text] of [
      ["schemas", module.schemas],
      ["domain", module.domainModule],
      ["router", module.router],
    ]) {
      const file = join(api, folder, `${domain}.ts`);
      if (existsSync(file)) throw new Error(`${relative(dir, file)} exists already`);
      writeFileSync(file, `${text}\n`);
    }
    modules.push({ domain, record: module.record, names: module.names });
  }
  const rootFile = join(api, "trpc", "root.ts");
  const rootText = readFileSync(rootFile, "utf8");
  const imports = modules.map((m) => `import { ${m.record} } from "../router/${m.domain}";`).join("\n");
  const spreads = modules.map((m) => `  ...${m.record},`).join("\n");
  const types = modules.map((m) => `typeof ${m.record}`).join(" &\n  ");
  const registered = rootText
    .replace(/^(import [^\n]+\n)(?!import )/m, `$1${imports}\n`)
    .replace(/^(export type AppProcedures = [\s\S]*?);$/m, `$1 &\n  ${types};`)
    .replace(/^(export const appRouter = router<AppProcedures>\(\{\n[\s\S]*?)^\}\);/m, `$1${spreads}\n});`);
  if (!registered.includes(spreads) || !registered.includes(types)) {
    throw new Error("could not register the generated records in root.ts (AppProcedures and appRouter)");
  }
  writeFileSync(rootFile, registered);
  // Each new domain is a project of its own, as `npm run new:procedure` makes one
  // (scripts/procedure-source.mjs): its project file, left out of the core, read by the router.
  const apiDir = join(dir, "packages", "api");
  const coreFile = join(apiDir, "tsconfig.core.json");
  const routerConfigFile = join(apiDir, "tsconfig.json");
  let core = readFileSync(coreFile, "utf8");
  let routerConfig = readFileSync(routerConfigFile, "utf8");
  mkdirSync(join(apiDir, "modules"), { recursive: true });
  for (const m of modules) {
    writeFileSync(join(apiDir, moduleProject(m.domain)), moduleProjectSource(m.domain));
    core = coreWithout(core, m.domain);
    routerConfig = routerReferencing(routerConfig, m.domain);
    if (core === null || routerConfig === null) {
      throw new Error(
        "could not register the generated modules' projects (tsconfig.core.json exclude, tsconfig.json references)",
      );
    }
  }
  writeFileSync(coreFile, core);
  writeFileSync(routerConfigFile, routerConfig);
  const indexFile = join(api, "schemas", "index.ts");
  const exports = modules.map((m) => `export * from "./${m.domain}";`).join("\n");
  writeFileSync(indexFile, `${readFileSync(indexFile, "utf8").trimEnd()}\n${exports}\n`);
  // The authorization matrix needs a row per procedure to compile, as a real router's would.
  const matrixFile = join(dir, "tests", "src", "authz-matrix.test.ts");
  if (existsSync(matrixFile)) {
    const matrix = readFileSync(matrixFile, "utf8");
    const end = matrix.search(/^\};$/m);
    const start = matrix.indexOf("const table: Record<ProcedureName, Row> = {");
    if (start < 0 || end < start) throw new Error("could not find the authorization matrix's table");
    const rows = modules
      .flatMap((m) => m.names)
      .map((name) => `  ${name}: { allow: "everyone", call: async (c) => c.${name} },\n`)
      .join("");
    writeFileSync(matrixFile, matrix.slice(0, end) + rows + matrix.slice(end));
  }
  return next;
}

// ── Measuring ───────────────────────────────────────────────────────────────────────────

/** Points every workspace's typecheck script at one compiler package's tsc. */
function useCompiler(dir, compiler) {
  const bin = join(dir, "node_modules", compiler, "bin", "tsc");
  if (!existsSync(bin)) throw new Error(`no ${compiler} installed (node_modules/${compiler}/bin/tsc)`);
  for (const workspace of WORKSPACES) {
    const file = join(dir, workspace, "package.json");
    const pkg = JSON.parse(readFileSync(file, "utf8"));
    const checkers = compiler === "typescript" ? "" : " --checkers 1 --builders 1";
    pkg.scripts.typecheck = `node ${relative(join(dir, workspace), bin)} --build${checkers}`;
    writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  }
}

const hasTime = existsSync(TIME);
const rssMethod = hasTime
  ? "max RSS of the largest process (GNU time -v)"
  : "max of each tsc's --extendedDiagnostics 'Memory used'";

/** What `tsc --build` left from an earlier run, so that the next run checks everything again. */
function removeBuildOutputs(dir) {
  for (const workspace of WORKSPACES) {
    rmSync(join(dir, workspace, ".tsbuild"), { recursive: true, force: true });
    rmSync(join(dir, workspace, "tsconfig.tsbuildinfo"), { force: true });
  }
}

/** `npm run typecheck -- --force`: wall time, and the peak memory of the hungriest process. */
async function measure(dir, label) {
  removeBuildOutputs(dir);
  // Without GNU time, each tsc reports its own memory, so its output is kept.
  const typecheck = ["run", "typecheck", "--", "--force", `--output-logs=${hasTime ? "errors-only" : "full"}`];
  if (!hasTime) typecheck.push("--", "--extendedDiagnostics");
  const [command, args] = hasTime ? [TIME, ["-v", "npm", ...typecheck]] : ["npm", typecheck];
  progress(`${label}: npm ${typecheck.join(" ")}`);
  const started = performance.now();
  const { code, output } = await runIn(dir, command, args);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    console.error(output);
    throw new Error(`${label}: npm run typecheck failed (exit ${code})`);
  }
  let maxRssMb;
  let cpuSeconds;
  if (hasTime) {
    const user = Number(output.match(/User time \(seconds\): ([\d.]+)/)?.[1]);
    const system = Number(output.match(/System time \(seconds\): ([\d.]+)/)?.[1]);
    cpuSeconds = Number((user + system).toFixed(1));
    const kb = Number(output.match(/Maximum resident set size \(kbytes\): (\d+)/)?.[1]);
    maxRssMb = kb / 1024;
  } else {
    const used = [...output.matchAll(/Memory used:\s+([\d,]+)K/g)].map((m) => Number(m[1].replaceAll(",", "")));
    maxRssMb = Math.max(...used) / 1024;
  }
  if (!Number.isFinite(maxRssMb)) throw new Error(`${label}: no memory figure in the output`);
  const result = {
    seconds: Number(seconds.toFixed(1)),
    cpuSeconds: cpuSeconds ?? null,
    maxRssMb: Math.round(maxRssMb),
  };
  progress(`${label}: ${result.seconds} s, ${result.maxRssMb} MB${cpuSeconds ? `, ${cpuSeconds} s of CPU` : ""}`);
  return result;
}

async function main() {
  const copy = copyRepo(root, "ticketing-typecheck-scale-");
  progress(`copy at ${copy.dir}; memory: ${rssMethod}`);
  try {
    if (options.compiler) useCompiler(copy.dir, options.compiler);
    const baseline = await measure(copy.dir, "baseline");
    const added = generate(copy.dir, procedureCount, fileCount);
    progress(`generated ${added} procedures in ${fileCount} router modules`);
    const scaled = await measure(copy.dir, `+${added} procedures`);
    const ratioOf = (a, b) => (a === null || b === null ? null : Number((a / b).toFixed(2)));
    const result = {
      procedures: added,
      baseline,
      scaled,
      ratio: ratioOf(scaled.seconds, baseline.seconds),
      cpuRatio: ratioOf(scaled.cpuSeconds, baseline.cpuSeconds),
      rssRatio: ratioOf(scaled.maxRssMb, baseline.maxRssMb),
      // Wall times on a shared machine move with its load; the CPU seconds much less.
      loadAverage: Number(loadavg()[0].toFixed(1)),
      // With --keep, where the copy with the procedures stays (for completion-latency.mjs --root).
      ...(options.keep && { kept: copy.dir }),
    };
    const cpu = (m) => m.cpuSeconds ?? "—";
    if (options.json) {
      console.log(JSON.stringify(result));
    } else {
      console.log(`Type-check of the monorepo (npm run typecheck -- --force${options.compiler ? `, ${options.compiler}` : ""})
| router | seconds | CPU seconds | max RSS (MB) |
|---|---|---|---|
| as is | ${baseline.seconds} | ${cpu(baseline)} | ${baseline.maxRssMb} |
| +${added} procedures | ${scaled.seconds} | ${cpu(scaled)} | ${scaled.maxRssMb} |
CPU ${result.cpuRatio ?? "—"}×, peak memory ${result.rssRatio}× (goal ≤ 1.5× each); wall ${result.ratio}×; load average ${result.loadAverage}; memory: ${rssMethod}`);
    }
  } finally {
    if (options.keep) progress(`kept ${copy.dir}`);
    else copy.remove();
  }
}

main().catch((error) => {
  console.error(`typecheck-scale: ${error.message}`);
  process.exit(1);
});
