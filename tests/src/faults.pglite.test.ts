import { startTestServer } from "@ticketing/server/testing";
import { defineFaultSuite } from "./support/faults";

defineFaultSuite("PGlite", () => startTestServer());
