// `npm run new:procedure -- <name> --kind query|mutation --domain <file>`: adds a procedure
// to the shared router (packages/api) — schemas, domain function, router entry, the router's
// registration and a createCaller test — in plain TypeScript. A new domain is also a
// TypeScript project of its own (packages/api/modules/<domain>.json; see
// scripts/procedure-source.mjs). Clients need nothing: the web app and the worker see it
// through `import type { AppRouter }`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  camel,
  coreWithout,
  domainImports,
  domainSource,
  invalidDomain,
  invalidName,
  KINDS,
  matrixAllow,
  moduleProject,
  moduleProjectSource,
  namesOf,
  newRouterFile,
  procedureSource,
  recordName,
  routerImports,
  routerReferencing,
  schemaSource,
  testSource,
} from "./procedure-source.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const api = join(root, "packages", "api", "src");
const USAGE = "usage: npm run new:procedure -- <name> --kind query|mutation --domain <file>";

function fail(message) {
  console.error(`new:procedure: ${message}\n${USAGE}`);
  process.exit(1);
}

function parseCommand(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { kind: { type: "string" }, domain: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    fail(error.message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (positionals.length !== 1) fail("give exactly one procedure name");
  const [name] = positionals;
  const kind = values.kind;
  if (!KINDS.includes(kind)) fail(`--kind must be query or mutation${kind ? `, not "${kind}"` : ""}`);
  const domain = (values.domain ?? "").replace(/\.ts$/, "");
  if (!domain) fail("--domain names the module, e.g. --domain events (packages/api/src/router/events.ts)");
  const problem = invalidName(name) ?? invalidDomain(domain);
  if (problem) fail(problem);
  return { name, kind, domain };
}

const read = (file) => (existsSync(file) ? readFileSync(file, "utf8") : null);
const rel = (file) => relative(root, file);
const sourceFiles = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => /^[^.].*\.tsx?$/.test(f)) : []);

/** Each router record's procedures (`export const xProcedures = { name: … } satisfies TRPCRouterRecord`): file and kind. */
function registeredProcedures() {
  const procedures = new Map();
  for (const file of sourceFiles(join(api, "router")).filter((f) => !f.endsWith(".test.ts"))) {
    const text = read(join(api, "router", file));
    for (const block of text.matchAll(/^export const \w+ = \{\n([\s\S]*?)^\} satisfies TRPCRouterRecord;/gm)) {
      const keys = [...block[1].matchAll(/^ {2}(\w+): /gm)];
      keys.forEach((key, i) => {
        const body = block[1].slice(key.index, keys[i + 1]?.index);
        const kind = /\.mutation\(/.test(body) ? "mutation" : /\.subscription\(/.test(body) ? "subscription" : "query";
        procedures.set(key[1], { file: `packages/api/src/router/${file}`, kind });
      });
    }
  }
  return procedures;
}

/** Whether a module already declares `name` at its top level (exported or not). */
const declares = (text, name) =>
  new RegExp(`^(export )?(async )?(function|const|let|type|interface|class) ${name}\\b`, "m").test(text ?? "");

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const importPattern = (module, typeOnly) =>
  new RegExp(`^import ${typeOnly ? "type " : ""}\\{([^}]*)\\} from "${escapeRegExp(module)}";`, "m");

/** The local names a module's named imports bind (`a`, `type B`, `c as d` → a, B, d). */
function boundNames(text, module) {
  const names = new Set();
  for (const found of text.matchAll(
    new RegExp(`^import (?:type )?\\{([^}]*)\\} from "${escapeRegExp(module)}";`, "gm"),
  )) {
    for (const part of found[1].split(",")) {
      const local = part
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .pop();
      if (local) names.add(local);
    }
  }
  return names;
}

/**
 * Adds names to a module's imports: into an existing `import { … } from "module"` (types
 * into `import type { … }` when there is one), else as a new import after the last one.
 * Biome sorts them afterwards.
 */
function addImports(text, module, values, types) {
  let result = text;
  const bound = boundNames(result, module);
  const missingValues = values.filter((name) => !bound.has(name));
  const missingTypes = types.filter((name) => !bound.has(name));
  const extend = (typeOnly, names) => {
    if (names.length === 0) return;
    const existing = result.match(importPattern(module, typeOnly));
    if (existing) {
      const inner = existing[1].trim().replace(/,$/, "");
      const merged = `import ${typeOnly ? "type " : ""}{ ${inner}, ${names.join(", ")} } from "${module}";`;
      result = result.replace(existing[0], merged);
      return;
    }
    const line = `import ${typeOnly ? "type " : ""}{ ${names.join(", ")} } from "${module}";\n`;
    const last = [...result.matchAll(/^import [\s\S]*? from "[^"]+";\n/gm)].at(-1);
    const at = last ? last.index + last[0].length : 0;
    result = result.slice(0, at) + line + result.slice(at);
  };
  const inline = importPattern(module, false).test(result) || missingValues.length > 0;
  if (missingTypes.length > 0 && !importPattern(module, true).test(result) && inline) {
    extend(false, [...missingValues, ...missingTypes.map((name) => `type ${name}`)]);
    return result;
  }
  extend(false, missingValues);
  extend(true, missingTypes);
  return result;
}

/** Appends a block after the module's last line, one blank line apart. */
const append = (text, block) => `${text.replace(/\s*$/, "")}\n\n${block}`;

/**
 * Files elsewhere in the repository that name every procedure, or all but the last one or two
 * (an authorization matrix, a table of limits…): a new procedure needs a line there too, which
 * only its author can write.
 */
function registries(procedures, skip) {
  const names = [...procedures.keys()];
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (["node_modules", ".next", "dist", ".data", ".turbo"].includes(entry.name) || entry.name.startsWith(".")) {
        continue;
      }
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx|mjs|json)$/.test(entry.name) && !skip.has(path)) {
        const text = readFileSync(path, "utf8");
        const missing = names.filter((name) => !new RegExp(`\\b${name}\\b`).test(text));
        // A registry one or two procedures behind is still a registry (the last ones added).
        if (missing.length <= Math.min(2, names.length / 10)) found.push({ path, missing });
      }
    }
  };
  for (const top of ["apps", "packages", "tests", "bench"]) if (existsSync(join(root, top))) walk(join(root, top));
  return found;
}

/** A line of `file` that mentions a procedure of the same kind: the model for the new line. */
function modelLine(file, procedures, kind) {
  const lines = readFileSync(file, "utf8").split("\n");
  for (const [name, procedure] of procedures) {
    if (procedure.kind !== kind) continue;
    const index = lines.findIndex((line) => new RegExp(`\\b${name}\\b`).test(line));
    if (index >= 0) return { line: index + 1, text: lines[index].trim() };
  }
  return null;
}

function main() {
  const { name, kind, domain } = parseCommand(process.argv.slice(2));
  const procedures = registeredProcedures();
  if (procedures.has(name)) fail(`${name} is taken: it is a procedure in ${procedures.get(name).file}`);

  const files = {
    schemas: join(api, "schemas", `${domain}.ts`),
    schemaIndex: join(api, "schemas", "index.ts"),
    domain: join(api, "domain", `${domain}.ts`),
    router: join(api, "router", `${domain}.ts`),
    root: join(api, "trpc", "root.ts"),
    project: join(api, "..", moduleProject(domain)),
    core: join(api, "..", "tsconfig.core.json"),
    routerConfig: join(api, "..", "tsconfig.json"),
    test: join(api, "router", `${name}.test.ts`),
    matrix: join(root, "tests", "src", "authz-matrix.test.ts"),
  };
  if (existsSync(files.test)) fail(`${rel(files.test)} exists; it is not overwritten`);

  const n = namesOf(name);
  for (const schemaFile of sourceFiles(join(api, "schemas"))) {
    const text = read(join(api, "schemas", schemaFile));
    for (const taken of [n.input, n.output, n.inputType, n.outputType]) {
      if (declares(text, taken)) fail(`${taken} is taken in packages/api/src/schemas/${schemaFile}`);
    }
  }
  const domainText = read(files.domain);
  if (declares(domainText, n.fn)) fail(`${rel(files.domain)} already has a function ${n.fn}`);

  const writes = [];
  const created = [];
  const write = (file, text, what) => {
    writes.push({ file, text, what });
    if (!existsSync(file)) created.push(file);
  };

  // Schemas: input and output, in the domain's schema module (re-exported by schemas/index.ts).
  const schemaText = read(files.schemas);
  let schemas = append(schemaText ?? 'import { z } from "zod";\n', schemaSource(name, kind));
  schemas = addImports(schemas, "zod", ["z"], []);
  if (kind === "mutation") schemas = addImports(schemas, "./common", ["idempotencyKey"], []);
  write(files.schemas, schemas, `${n.input}, ${n.output} (zod) and their types`);
  const index = read(files.schemaIndex);
  if (!index.includes(`from "./${domain}";`)) {
    write(
      files.schemaIndex,
      `${index.replace(/\s*$/, "")}\nexport * from "./${domain}";\n`,
      `export * from "./${domain}"`,
    );
  }

  // The domain function: plain arguments and a database handle, no tRPC.
  let domainModule = append(domainText ?? "", domainSource(name, kind));
  for (const [module, values, types] of domainImports(domain, name, kind)) {
    domainModule = addImports(domainModule, module, values, types);
  }
  write(files.domain, domainModule, `${n.fn}(db${kind === "mutation" ? ", viewer" : ""}, input)`);

  // The procedure, in the domain's router record; a new record is registered in root.ts.
  const routerText = read(files.router);
  const namespace = routerText?.match(new RegExp(`^import \\* as (\\w+) from "\\.\\./domain/${domain}";`, "m"))?.[1];
  const call = routerText === null ? `${camel(domain)}.${n.fn}` : namespace ? `${namespace}.${n.fn}` : n.fn;
  const entry = procedureSource(name, kind, call);
  let router;
  if (routerText === null) {
    router = newRouterFile(domain, entry);
  } else {
    const end = routerText.lastIndexOf("} satisfies TRPCRouterRecord;");
    if (end < 0) fail(`${rel(files.router)} has no \`} satisfies TRPCRouterRecord;\` record to add to`);
    router = `${routerText.slice(0, end).replace(/\s*$/, "")}\n\n${entry}${routerText.slice(end)}`;
    if (!namespace) router = addImports(router, `../domain/${domain}`, [n.fn], []);
  }
  for (const [module, values] of routerImports(domain, name, kind)) router = addImports(router, module, values, []);
  write(
    files.router,
    router,
    `${name}: the ${kind}, in ${routerText === null ? `new record ${recordName(domain)}` : "the record"}`,
  );

  if (routerText === null) {
    const rootText = read(files.root);
    const record = recordName(domain);
    if (rootText.includes(record)) fail(`root.ts already registers a record named ${record}`);
    const spread = rootText.match(/^export const appRouter = router<AppProcedures>\(\{\n([\s\S]*?)^\}\);/m);
    if (!spread)
      fail("root.ts has no `export const appRouter = router<AppProcedures>({ … });` to register the record in");
    const named = rootText.match(/^export type AppProcedures = ([\s\S]*?);$/m);
    if (!named) fail("root.ts has no `export type AppProcedures = …;` to name the record in");
    // Both: the spread gives the router the procedures, the type names them for the clients.
    let rootNext = rootText
      .replace(spread[0], `export const appRouter = router<AppProcedures>({\n${spread[1]}  ...${record},\n});`)
      .replace(named[0], `export type AppProcedures = ${named[1]} & typeof ${record};`);
    rootNext = addImports(rootNext, `../router/${domain}`, [record], []);
    write(files.root, rootNext, `...${record} in appRouter`);
  }

  // A new domain is a project of its own, checked apart from the core and from every other
  // module (docs/decisions/015-typecheck-scale.md): its project file, the core leaving its
  // files out, the router reading its declarations. Not when the core already has a schema or
  // domain file of that name: the core's own files stay in the core.
  if (routerText === null && schemaText === null && domainText === null) {
    if (existsSync(files.project)) fail(`${rel(files.project)} exists already`);
    const core = coreWithout(read(files.core) ?? "", domain);
    if (core === null) fail("packages/api/tsconfig.core.json has no `exclude` list to leave the module's files out of");
    const routerConfig = routerReferencing(read(files.routerConfig) ?? "", domain);
    if (routerConfig === null) fail("packages/api/tsconfig.json has no `references` to add the module's project to");
    write(files.project, moduleProjectSource(domain), `the module's own project (${domain}'s three files)`);
    write(files.core, core, `leaves ${domain}'s files to its project`);
    write(files.routerConfig, routerConfig, `references ${moduleProject(domain)}`);
  }

  write(files.test, testSource(name, kind), "createCaller test");

  // The authorization matrix must have a row for every procedure (it does not compile without
  // one): the generated procedure's row says who its generated authorization lets in.
  const matrix = read(files.matrix);
  const table = matrix?.match(/^const table: Record<ProcedureName, Row> = \{\n[\s\S]*?^\};$/m);
  if (matrix && table) {
    const row = `  ${name}: { allow: ${matrixAllow(kind)}, call: (c) => c.${name}({ message: "hello" }) },\n`;
    const end = table.index + table[0].length - 2;
    write(files.matrix, matrix.slice(0, end) + row + matrix.slice(end), `its row: ${matrixAllow(kind)} may call it`);
  }

  // The API contract names every procedure too, but `npm run api:snapshot` writes it (step 6).
  const contract = join(root, "apps", "server", "api-contract.json");
  const registryFiles = registries(procedures, new Set([...Object.values(files), contract]));

  for (const { file, text } of writes) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const paths = [...new Set(writes.map((w) => w.file))];
  const biome = join(root, "node_modules", ".bin", "biome");
  const formatted = spawnSync(biome, ["check", "--write", "--no-errors-on-unmatched", ...paths], {
    cwd: root,
    encoding: "utf8",
  });
  if (formatted.status !== 0) {
    console.error(`new:procedure: biome could not format the files:\n${formatted.stdout}${formatted.stderr}`);
    process.exit(1);
  }

  console.log(`Added the ${kind} ${name} to the shared router (packages/api, domain "${domain}"):\n`);
  for (const { file, what } of writes) {
    console.log(`  ${created.includes(file) ? "created" : "updated"}  ${rel(file).padEnd(44)} ${what}`);
  }
  const call2 = kind === "query" ? `${name}.query({ message: "hi" })` : `${name}.mutate({ message: "hi" })`;
  console.log(`
Next steps:
  1. Shape ${n.input} and ${n.output} in ${rel(files.schemas)}.
  2. Write ${n.fn} in ${rel(files.domain)} (it takes a database handle and plain arguments).
  3. ${kind === "mutation" ? "Decide who may call it: the router asks domain/permissions.ts (admins and the service account for now)." : "If it is not for everyone, use authedProcedure and ask domain/permissions.ts, as the other procedures do."}
  4. Make the test say what it does: ${rel(files.test)}
     npx vitest run src/router/${name}.test.ts   (in packages/api)
  5. Call it — the types are already there, no build or codegen step:
     web (React Query):   ${kind === "query" ? `useQuery(trpc.${name}.queryOptions({ message: "hi" }))` : `useMutation(trpc.${name}.mutationOptions())`}
     worker:              await api.${call2}
  6. Record it in the API contract: npm run api:snapshot (until then npm run api:check says the
     snapshot is out of date; a new procedure is an additive change).
  Under \`npm run dev\` the server restarts with it; the web app and the worker need no restart.`);
  if (registryFiles.length > 0) {
    console.log("\nThese files list every procedure; add a line for the new one to each:");
    for (const { path, missing } of registryFiles) {
      const model = modelLine(path, procedures, kind);
      console.log(`  ${rel(path)}${model ? `  (like line ${model.line}: ${model.text})` : ""}`);
      if (missing.length > 0) console.log(`    it lacks ${missing.join(", ")} too`);
    }
  }
}

main();
