import { startTestServer } from "@ticketing/server/testing";
import { defineUploadSuite } from "./support/uploads-suite";

defineUploadSuite("PGlite", async () => {
  const server = await startTestServer();
  return [server, server];
});
