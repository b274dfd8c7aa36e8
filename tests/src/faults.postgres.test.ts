import { postgresAvailable, startPostgresServer } from "@ticketing/server/testing";
import { describe } from "vitest";
import { defineFaultSuite } from "./support/faults";

const available = await postgresAvailable();

describe.runIf(available)("PostgreSQL", () => {
  defineFaultSuite("PostgreSQL", () => startPostgresServer());
});
