import { postgresAvailable, startPostgresServer } from "@ticketing/server/testing";
import { describe } from "vitest";
import { defineHttpSuite } from "./support/http-suite";

const available = await postgresAvailable();

describe.runIf(available)("PostgreSQL", () => {
  defineHttpSuite("PostgreSQL", () => startPostgresServer());
});
