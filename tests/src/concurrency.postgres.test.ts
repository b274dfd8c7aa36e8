import { postgresAvailable, startPostgresServer } from "@ticketing/server/testing";
import { describe } from "vitest";
import { defineOnSaleRace } from "./support/concurrency";

const available = await postgresAvailable();

describe.runIf(available)("PostgreSQL", () => {
  defineOnSaleRace("PostgreSQL", () => startPostgresServer());
});
