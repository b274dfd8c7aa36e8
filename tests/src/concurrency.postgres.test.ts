import { describe } from "vitest";
import { defineOnSaleRace } from "./support/concurrency";
import { postgresAvailable, startPostgresServer } from "./support/postgres";

const available = await postgresAvailable();

describe.runIf(available)("PostgreSQL", () => {
  defineOnSaleRace("PostgreSQL", () => startPostgresServer());
});
