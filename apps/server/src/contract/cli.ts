// `npm run api:snapshot` records the API's contract in apps/server/api-contract.json;
// `npm run api:check` compares the router and the OpenAPI document with that record and
// exits 1 on a breaking change. See docs/decisions/021-contract-check.md.
import { readFileSync, writeFileSync } from "node:fs";
import { appRouter } from "@ticketing/api";
import type { Change, ChangeLevel } from "@ticketing/rpc/contract";
import {
  type Contract,
  compareContracts,
  describeContract,
  openApiDocument,
  SNAPSHOT_FILE as SNAPSHOT,
  SNAPSHOT_NAME,
  serializeContract,
} from ".";

const ORDER: ChangeLevel[] = ["breaking", "deprecation", "additive", "compatible"];

function print(changes: Change[]) {
  const sorted = [...changes].sort((a, b) => ORDER.indexOf(a.level) - ORDER.indexOf(b.level));
  for (const change of sorted) console.log(`  ${change.level.padEnd(11)} ${change.path}: ${change.message}`);
}

async function main(command: string | undefined) {
  const current = await describeContract(appRouter, openApiDocument());
  const text = serializeContract(current);
  if (command === "snapshot") {
    writeFileSync(SNAPSHOT, text);
    console.log(
      `Wrote ${SNAPSHOT_NAME}: ${Object.keys(current.procedures).length} procedures and the OpenAPI document.`,
    );
    return 0;
  }
  if (command !== "check") {
    console.error("Usage: api-contract snapshot|check");
    return 2;
  }
  let recorded: string;
  try {
    recorded = readFileSync(SNAPSHOT, "utf8");
  } catch {
    console.error(`✗ No contract snapshot at ${SNAPSHOT_NAME}. Record one with: npm run api:snapshot`);
    return 1;
  }
  if (recorded === text) {
    console.log(`✓ The API matches its contract snapshot (${SNAPSHOT_NAME}).`);
    return 0;
  }
  let previous: Contract;
  try {
    previous = JSON.parse(recorded) as Contract;
  } catch {
    console.error(
      `✗ ${SNAPSHOT_NAME} is not valid JSON (a merge conflict?). Record it again with npm run api:snapshot and review the diff.`,
    );
    return 1;
  }
  const changes = compareContracts(previous, current);
  const count = (level: ChangeLevel) => changes.filter((change) => change.level === level).length;
  console.log(`The API differs from its contract snapshot (${SNAPSHOT_NAME}):`);
  print(changes);
  if (changes.length === 0) console.log("  compatible  (formatting or annotations only)");
  const breaking = count("breaking");
  if (breaking > 0) {
    console.error(
      `\n✗ ${breaking} breaking change${breaking === 1 ? "" : "s"}: clients built against the snapshot — a worker mid-deploy, a browser tab opened before it, a partner on REST — would fail.\n` +
        "  Keep the old shape (add beside it, deprecate, remove a release later), or land the break on purpose:\n" +
        `  run \`npm run api:snapshot\` and commit ${SNAPSHOT_NAME} in the same commit as the change, so review sees it.`,
    );
    return 1;
  }
  console.log(
    `\n✓ No breaking changes. The snapshot is out of date by non-breaking changes only (${count("additive")} additive, ${count("deprecation")} deprecation, ${count("compatible")} compatible):\n` +
      `  record them with \`npm run api:snapshot\` and commit ${SNAPSHOT_NAME}.`,
  );
  return 0;
}

process.exitCode = await main(process.argv[2]);
