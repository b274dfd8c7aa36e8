import { describe } from "vitest";
import { defineHttpSuite } from "./support/http-suite";
import { postgresAvailable, startPostgresServer } from "./support/postgres";

const available = await postgresAvailable();

describe.runIf(available)("PostgreSQL", () => {
  defineHttpSuite("PostgreSQL", () => startPostgresServer());
});
