import { postgresAvailable, startPostgresServer } from "@ticketing/server/testing";
import { describe } from "vitest";
import { defineWorkerSuite } from "./support/suite";

const available = await postgresAvailable();

describe.runIf(available)("PostgreSQL", () => {
  defineWorkerSuite("PostgreSQL", () => startPostgresServer());
});
