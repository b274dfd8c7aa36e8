import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Contract } from "./contract";

export { openApiDocument } from "../rest";
export {
  type Body,
  type Contract,
  compareContracts,
  describeContract,
  type ProcedureContract,
  serializeContract,
} from "./contract";

/** The committed snapshot: the contract that clients in the field were built against. */
export const SNAPSHOT_FILE = fileURLToPath(new URL("../../api-contract.json", import.meta.url));
export const SNAPSHOT_NAME = "apps/server/api-contract.json";

export function readSnapshot(): Contract {
  return JSON.parse(readFileSync(SNAPSHOT_FILE, "utf8")) as Contract;
}
