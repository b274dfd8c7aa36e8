import { startTestServer } from "@ticketing/server/testing";
import { defineWorkerSuite } from "./support/suite";

defineWorkerSuite("PGlite", () => startTestServer());
