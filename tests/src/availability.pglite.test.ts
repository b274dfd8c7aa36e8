import { startTestServer } from "@ticketing/server/testing";
import { defineAvailabilitySuite } from "./support/availability-suite";

defineAvailabilitySuite("PGlite", () => startTestServer());
