import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@ticketing/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyRepo, runIn } from "../../scripts/repo-copy.mjs";

// The promise of `npm run new:procedure`: one command adds a procedure, and the web app and
// the worker can call it at once, typed, with no build or codegen step — and a wrong call
// does not compile. Proved in a copy of the repository, so the real one is never touched.

/** Runs a command to its end (bounded: killed after `timeoutMs`), with stdout and stderr together. */
const run = (command: string, args: string[], cwd: string, timeoutMs = 200_000) => runIn(cwd, command, args, timeoutMs);

/** `file(line,col): error TSnnnn: message`, the first line of each diagnostic (`--pretty false`). */
function diagnostics(output: string): string[] {
  return output.split("\n").filter((line) => /^\S.*\(\d+,\d+\): error TS\d+: /.test(line));
}

let copy: { dir: string; remove: () => void };
const inCopy = (...parts: string[]) => join(copy.dir, ...parts);
const node = (script: string, args: string[], cwd = copy.dir) => run(process.execPath, [script, ...args], cwd);
/**
 * TypeScript 7's native compiler, as `npm run typecheck` runs it: in build mode, so the
 * declarations the apps read the router through are brought up to date first (as the watcher
 * of `npm run dev` does).
 */
const tsgo = (project: string) =>
  node(inCopy("node_modules", "typescript-native", "bin", "tsc"), [
    "--build",
    project,
    "--pretty",
    "false",
    "--checkers",
    "1",
  ]);

/**
 * Both apps, one after the other: each build brings the projects they share up to date, and
 * two builds at once would write the same declarations.
 */
async function bothApps() {
  const web = await tsgo("apps/web");
  const worker = await tsgo("apps/worker");
  return [web, worker] as const;
}

/**
 * TypeScript 6's tsc on one project, as Next and the editor see it: it reads the declarations
 * the build above wrote, as tsserver reads the watcher's. Incremental, so the second run is quick.
 */
const tsc = (project: string) =>
  node(inCopy("node_modules", "typescript", "bin", "tsc"), [
    "-p",
    project,
    "--noEmit",
    "--pretty",
    "false",
    "--incremental",
    "--tsBuildInfoFile",
    inCopy(".data", `${project.replaceAll("/", "-")}.tsbuildinfo`),
  ]);

/** Where each error is and its code: what both compilers must agree on (they print some types differently). */
const located = (output: string) => diagnostics(output).map((line) => line.replace(/: error (TS\d+): .*/, ": $1"));

beforeAll(() => {
  copy = copyRepo(repoRoot(), "ticketing-scaffold-");
});
afterAll(() => copy?.remove());

describe("npm run new:procedure, in a copy of the repository", () => {
  it("works on the copy's own packages, not the original's", () => {
    expect(realpathSync(inCopy("node_modules", "@ticketing", "api"))).toBe(realpathSync(inCopy("packages", "api")));
    expect(realpathSync(inCopy("node_modules", "@ticketing", "web"))).toBe(realpathSync(inCopy("apps", "web")));
  });

  it("adds a query in a new module and a mutation in an existing one, formatted and type-correct", async () => {
    const query = await node("scripts/new-procedure.mjs", ["findVenueNotes", "--kind", "query", "--domain", "venues"]);
    expect(query).toMatchObject({ code: 0 });
    for (const line of [
      "created  packages/api/src/schemas/venues.ts",
      "updated  packages/api/src/schemas/index.ts",
      "created  packages/api/src/domain/venues.ts",
      "created  packages/api/src/router/venues.ts",
      "updated  packages/api/src/trpc/root.ts",
      "created  packages/api/src/router/findVenueNotes.test.ts",
      "Next steps:",
    ]) {
      expect(query.output).toContain(line);
    }
    expect(readFileSync(inCopy("packages/api/src/trpc/root.ts"), "utf8")).toContain("...venueProcedures,");

    const mutation = await node("scripts/new-procedure.mjs", ["flagEvent", "--kind", "mutation", "--domain", "events"]);
    expect(mutation).toMatchObject({ code: 0 });
    expect(mutation.output).toContain("updated  packages/api/src/router/events.ts");
    expect(mutation.output).not.toMatch(/created {2}packages\/api\/src\/(schemas|domain|router)\/events\.ts/);

    const lint = await node(inCopy("node_modules/@biomejs/biome/bin/biome"), ["check", "packages/api"]);
    expect(lint.output).not.toContain("×");
    expect(lint.code).toBe(0);
    expect(await tsgo("packages/api")).toEqual({ code: 0, output: "" });
  }, 240_000);

  it.skipIf(!existsSync(join(repoRoot(), "tests/src/authz-matrix.test.ts")))(
    "gives the authorization matrix a row for each, saying who the generated authorization lets in",
    async () => {
      const matrix = readFileSync(inCopy("tests/src/authz-matrix.test.ts"), "utf8");
      expect(matrix).toContain(
        '  findVenueNotes: { allow: "everyone", call: (c) => c.findVenueNotes({ message: "hello" }) },',
      );
      expect(matrix).toContain(
        '  flagEvent: { allow: ["admin", "service"], call: (c) => c.flagEvent({ message: "hello" }) },',
      );
      expect(await tsgo("tests")).toEqual({ code: 0, output: "" });
    },
    240_000,
  );

  it("refuses a taken name and an invalid one, and writes nothing", async () => {
    const before = readFileSync(inCopy("packages/api/src/router/events.ts"), "utf8");
    const taken = await node("scripts/new-procedure.mjs", ["flagEvent", "--kind", "query", "--domain", "events"]);
    expect(taken.code).toBe(1);
    expect(taken.output).toContain("flagEvent is taken: it is a procedure in packages/api/src/router/events.ts");
    const invalid = await node("scripts/new-procedure.mjs", ["Flag-Event", "--kind", "query", "--domain", "events"]);
    expect(invalid.code).toBe(1);
    expect(invalid.output).toContain('"Flag-Event" is not camelCase');
    expect(readFileSync(inCopy("packages/api/src/router/events.ts"), "utf8")).toBe(before);
  });

  it("lets apps/web and apps/worker call the new procedures through their own clients, typed", async () => {
    writeFileSync(
      inCopy("apps/web/src/new-procedures.check.tsx"),
      `import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "./trpc/client";
import { getQueryClient, getTRPC } from "./trpc/server";

export function NewProcedures() {
  const trpc = useTRPC();
  const notes = useQuery(trpc.findVenueNotes.queryOptions({ message: "hello" }));
  const flag = useMutation(trpc.flagEvent.mutationOptions());
  const answeredAt: Date | undefined = notes.data?.answeredAt;
  return answeredAt ? null : flag.mutate({ message: "hello", idempotencyKey: "flag-event-1" });
}

export async function prefetchNotes(): Promise<string> {
  const trpc = await getTRPC();
  return (await getQueryClient().fetchQuery(trpc.findVenueNotes.queryOptions({ message: "hello" }))).message;
}
`,
    );
    writeFileSync(
      inCopy("apps/worker/src/new-procedures.check.ts"),
      `import { createApiClient } from "./client";

const api = createApiClient({ urls: ["http://127.0.0.1:9"], token: "x".repeat(16), timeoutMs: 1000 });

export async function callNewProcedures(): Promise<[Date, string]> {
  const notes = await api.findVenueNotes.query({ message: "hello" });
  const flagged = await api.flagEvent.mutate({ message: "hello" });
  return [notes.answeredAt, flagged.requestedBy];
}
`,
    );
    expect(await bothApps()).toEqual([
      { code: 0, output: "" },
      { code: 0, output: "" },
    ]);
    const [web, worker] = await Promise.all([tsc("apps/web"), tsc("apps/worker")]);
    expect(diagnostics(web.output)).toEqual([]);
    expect(web.code).toBe(0);
    expect(diagnostics(worker.output)).toEqual([]);
    expect(worker.code).toBe(0);
  }, 240_000);

  it("does not compile a call with a wrong input, in either app", async () => {
    writeFileSync(
      inCopy("apps/web/src/new-procedures.wrong.tsx"),
      `import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "./trpc/client";

export function WrongInputs() {
  const trpc = useTRPC();
  useQuery(trpc.findVenueNotes.queryOptions({ message: 42 }));
  useMutation(trpc.flagEvent.mutationOptions()).mutate({ message: "hello", idempotencyKey: 8 });
  return null;
}
`,
    );
    writeFileSync(
      inCopy("apps/worker/src/new-procedures.wrong.ts"),
      `import { createApiClient } from "./client";

const api = createApiClient({ urls: ["http://127.0.0.1:9"], token: "x".repeat(16), timeoutMs: 1000 });

export const wrongQuery = () => api.findVenueNotes.query({ message: 42 });
export const queryAsMutation = () => api.findVenueNotes.mutate({ message: "hello" });
`,
    );
    const [webNative, workerNative] = await bothApps();
    const [web, worker] = await Promise.all([tsc("apps/web"), tsc("apps/worker")]);
    // The query options overloads each report the field; the mutation reports it directly.
    expect(diagnostics(web.output)).toEqual([
      "apps/web/src/new-procedures.wrong.tsx(6,47): error TS2769: No overload matches this call.",
      "apps/web/src/new-procedures.wrong.tsx(7,76): error TS2322: Type 'number' is not assignable to type 'string'.",
    ]);
    expect(web.output).toContain("Type 'number' is not assignable to type 'string'.");
    expect(web.code).toBe(2);
    expect(diagnostics(worker.output)).toEqual([
      "apps/worker/src/new-procedures.wrong.ts(5,60): error TS2322: Type 'number' is not assignable to type 'string'.",
      expect.stringMatching(
        /^apps\/worker\/src\/new-procedures\.wrong\.ts\(6,\d+\): error TS2339: Property 'mutate' does not exist on type /,
      ),
    ]);
    expect(worker.code).toBe(2);
    expect(located(webNative.output)).toEqual(located(web.output));
    expect(located(workerNative.output)).toEqual(located(worker.output));
    expect([webNative.code, workerNative.code]).toEqual([1, 1]);
  }, 240_000);

  it("passes the createCaller tests it wrote", async () => {
    const report = inCopy(".data", "generated-tests.json");
    const tests = await node(
      inCopy("node_modules/vitest/vitest.mjs"),
      [
        "run",
        "src/router/findVenueNotes.test.ts",
        "src/router/flagEvent.test.ts",
        "--reporter=json",
        `--outputFile=${report}`,
      ],
      inCopy("packages/api"),
    );
    expect(tests.code, tests.output).toBe(0);
    const results = JSON.parse(readFileSync(report, "utf8")) as { numPassedTests: number; numFailedTests: number };
    expect(results).toMatchObject({ numPassedTests: 5, numFailedTests: 0 });
  }, 240_000);
});
