import { startTestServer } from "@ticketing/server/testing";
import { defineHttpSuite } from "./support/http-suite";

defineHttpSuite("PGlite", () => startTestServer());
