// Source text for a new procedure in packages/api, in the router's own style: zod schemas
// in schemas/<domain>.ts, a domain function in domain/<domain>.ts, the procedure in
// router/<domain>.ts, and a createCaller test beside it, for `npm run new:procedure`.

export const KINDS = ["query", "mutation"];

/** tRPC refuses these as procedure names (`router({})` throws). */
const RESERVED = new Set(["then", "call", "apply"]);

const pascal = (name) => name[0].toUpperCase() + name.slice(1);

/** `seat-maps` → `seatMaps`: the identifier a domain file's namespace import gets. */
export const camel = (file) => file.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());

/** `venues` → `venueProcedures`, as events.ts exports `eventProcedures`. */
export const recordName = (domain) => `${camel(domain).replace(/s$/, "")}Procedures`;

/** Why a procedure name cannot be used, or null when it can. */
export function invalidName(name) {
  if (!/^[a-z][a-zA-Z0-9]*$/.test(name)) return `"${name}" is not camelCase (a verb first, e.g. getVenue)`;
  if (RESERVED.has(name)) return `"${name}" is reserved by tRPC`;
  return null;
}

/** Why a domain file name cannot be used, or null when it can. */
export function invalidDomain(domain) {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(domain)) {
    return `"${domain}" is not a module name (lower case, a noun, e.g. venues)`;
  }
  return null;
}

/** The names a procedure adds to its domain's modules; each must be free. */
export function namesOf(name) {
  const type = pascal(name);
  return {
    input: `${name}Input`,
    output: `${name}Output`,
    inputType: `${type}Input`,
    outputType: `${type}Output`,
    fn: name,
  };
}

export function schemaSource(name, kind) {
  const n = namesOf(name);
  const key = kind === "mutation" ? " idempotencyKey: idempotencyKey.optional()," : "";
  const who = kind === "mutation" ? " requestedBy: z.uuid()," : "";
  return `export const ${n.input} = z.object({ message: z.string().trim().min(1).max(200),${key} });
export const ${n.output} = z.object({ message: z.string(), answeredAt: z.date(),${who} });

export type ${n.inputType} = z.infer<typeof ${n.input}>;
export type ${n.outputType} = z.infer<typeof ${n.output}>;
`;
}

export function domainSource(name, kind) {
  const n = namesOf(name);
  if (kind === "mutation") {
    return `/** Answers with the message, the database's clock and who asked: replace with the work ${name} does. */
export async function ${n.fn}(db: Database, viewer: Viewer, input: ${n.inputType}): Promise<${n.outputType}> {
  const [row] = await queryRows<{ now: string }>(db, sql\`SELECT now() AS now\`);
  return { message: input.message, answeredAt: new Date(row?.now ?? Date.now()), requestedBy: viewer.id };
}
`;
  }
  return `/** Answers with the message and the database's clock: replace with what ${name} reads. */
export async function ${n.fn}(db: Database, input: ${n.inputType}): Promise<${n.outputType}> {
  const [row] = await queryRows<{ now: string }>(db, sql\`SELECT now() AS now\`);
  return { message: input.message, answeredAt: new Date(row?.now ?? Date.now()) };
}
`;
}

/** The imports a domain function needs: [module, value names, type names]. */
export function domainImports(domain, name, kind) {
  const n = namesOf(name);
  const imports = [
    ["@ticketing/db", ["queryRows"], ["Database"]],
    ["drizzle-orm", ["sql"], []],
    [`../schemas/${domain}`, [], [n.inputType, n.outputType]],
  ];
  if (kind === "mutation") imports.push(["./viewer", [], ["Viewer"]]);
  return imports;
}

/** The procedure's entry in its router record; `call` is how the router file reaches the domain function. */
export function procedureSource(name, kind, call) {
  const n = namesOf(name);
  if (kind === "mutation") {
    return `  ${name}: authedProcedure
    .input(${n.input})
    .concat(exactlyOnce)
    .output(${n.output})
    .mutation(({ ctx, input }) => {
      // Admins and the service account only, until you decide otherwise in domain/permissions.ts.
      ensureAllowed(decide(ctx.viewer, { kind: "admin" }, "manage"));
      return ${call}(ctx.db, ctx.viewer, input);
    }),
`;
  }
  return `  ${name}: publicProcedure
    .input(${n.input})
    .output(${n.output})
    .query(({ ctx, input }) => ${call}(ctx.db, input)),
`;
}

/** The imports a router entry needs besides the domain function: [module, value names]. */
export function routerImports(domain, name, kind) {
  const n = namesOf(name);
  const imports = [[`../schemas/${domain}`, [n.input, n.output]]];
  if (kind === "mutation") {
    imports.push(["../trpc/procedures", ["authedProcedure", "exactlyOnce"]]);
    imports.push(["../domain/permissions", ["decide", "ensureAllowed"]]);
  } else {
    imports.push(["../trpc/procedures", ["publicProcedure"]]);
  }
  return imports;
}

export function newRouterFile(domain, entries) {
  return `import type { TRPCRouterRecord } from "@trpc/server";
import * as ${camel(domain)} from "../domain/${domain}";

export const ${recordName(domain)} = {
${entries}} satisfies TRPCRouterRecord;
`;
}

/** Who the generated authorization lets in, as tests/src/authz-matrix.test.ts writes it. */
export const matrixAllow = (kind) => (kind === "mutation" ? '["admin", "service"]' : '"everyone"');

export function testSource(name, kind) {
  const header = `import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApi, type TestApi } from "../testing";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());
`;
  if (kind === "mutation") {
    const key = `${name}-test-key`;
    return `${header}
describe("${name}", () => {
  it("answers an admin once per idempotency key", async () => {
    const admin = await api.as("admin@example.com");
    const adminId = (await api.userByEmail("admin@example.com")).id;
    const first = await admin.${name}({ message: "hello", idempotencyKey: "${key}" });
    expect(first).toEqual({ message: "hello", answeredAt: expect.any(Date), requestedBy: adminId });
    expect(await admin.${name}({ message: "hello", idempotencyKey: "${key}" })).toEqual(first);
  });

  it("is refused to customers and to callers who are not signed in", async () => {
    const alice = await api.as("alice@example.com");
    await expect(alice.${name}({ message: "hello" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(api.anonymous.${name}({ message: "hello" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("refuses an empty message with BAD_REQUEST", async () => {
    await expect(api.service.${name}({ message: " " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
`;
  }
  return `${header}
describe("${name}", () => {
  it("answers anyone with the message and the database's clock", async () => {
    expect(await api.anonymous.${name}({ message: "hello" })).toEqual({
      message: "hello",
      answeredAt: expect.any(Date),
    });
  });

  it("refuses an empty message with BAD_REQUEST", async () => {
    await expect(api.anonymous.${name}({ message: " " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
`;
}

// ── A router module's own project ───────────────────────────────────────────────────────
// A new domain's router module (its schemas, domain functions and router record) is a
// TypeScript project of its own, `packages/api/modules/<domain>.json`, built on the core's
// declarations (packages/api/tsconfig.core.json) and read by the router (tsconfig.json) as
// declarations: `npm run typecheck` checks the projects one at a time, so no check holds more
// than one module's types (docs/decisions/015-typecheck-scale.md, 2026-12-08).

/** The module's project file, relative to packages/api. */
export const moduleProject = (domain) => `modules/${domain}.json`;

/** The module's files, relative to packages/api: what its project checks and the core's leaves out. */
export const moduleFiles = (domain) => [
  `src/router/${domain}.ts`,
  `src/schemas/${domain}.ts`,
  `src/domain/${domain}.ts`,
];

export function moduleProjectSource(domain) {
  const files = moduleFiles(domain).map((file) => JSON.stringify(`../${file}`));
  return `{
  "extends": "../tsconfig.module.json",
  "files": [${files.join(", ")}],
  "references": [{ "path": "../../db" }, { "path": "../../rpc" }, { "path": "../tsconfig.core.json" }]
}
`;
}

/** Adds entries to the JSON array of `key` in a tsconfig's text (comments kept); null when it has none. */
function addToArray(text, key, entries) {
  const found = new RegExp(`"${key}":\\s*\\[([^\\]]*)\\]`).exec(text);
  if (!found) return null;
  const items = found[1].trim().replace(/,$/, "");
  const added = [items, ...entries].filter(Boolean).join(", ");
  return `${text.slice(0, found.index)}"${key}": [${added}]${text.slice(found.index + found[0].length)}`;
}

/** tsconfig.core.json's text with the module's files left out of the core; null when it has no exclude list. */
export const coreWithout = (coreText, domain) =>
  addToArray(
    coreText,
    "exclude",
    moduleFiles(domain).map((file) => JSON.stringify(file)),
  );

/** packages/api/tsconfig.json's text with a reference to the module's project; null when it has no references. */
export const routerReferencing = (routerText, domain) =>
  addToArray(routerText, "references", [`{ "path": ${JSON.stringify(`./${moduleProject(domain)}`)} }`]);
