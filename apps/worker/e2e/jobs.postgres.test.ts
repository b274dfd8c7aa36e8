import { describe } from "vitest";
import { postgresAvailable, startPostgresServer } from "./support/servers";
import { defineWorkerSuite } from "./support/suite";

const available = await postgresAvailable();

describe.runIf(available)("PostgreSQL", () => {
  defineWorkerSuite("PostgreSQL", () => startPostgresServer());
});
