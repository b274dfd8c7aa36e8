import { startTestServer } from "@ticketing/server/testing";
import { defineOnSaleRace } from "./support/concurrency";

defineOnSaleRace("PGlite", () => startTestServer());
