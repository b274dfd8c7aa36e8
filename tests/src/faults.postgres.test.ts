import { describe } from "vitest";
import { defineFaultSuite } from "./support/faults";
import { postgresAvailable, startPostgresServer } from "./support/postgres";

const available = await postgresAvailable();

describe.runIf(available)("PostgreSQL", () => {
  defineFaultSuite("PostgreSQL", () => startPostgresServer());
});
