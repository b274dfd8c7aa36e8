import { createScratchPostgres } from "@ticketing/db/testing";
import { postgresAvailable, startTestServer } from "@ticketing/server/testing";
import { describe } from "vitest";
import { defineUploadSuite } from "./support/uploads-suite";

const available = await postgresAvailable();

describe.runIf(available)("PostgreSQL", () => {
  // Two instances on one database: the upload goes to one, its progress is read from the other.
  defineUploadSuite("PostgreSQL, two instances", async () => {
    const scratch = await createScratchPostgres();
    const [one, two] = await Promise.all([
      startTestServer({ databaseUrl: scratch.url }),
      startTestServer({ databaseUrl: scratch.url }),
    ]);
    return [
      one,
      {
        ...two,
        close: async () => {
          await two.close();
          await scratch.drop();
        },
      },
    ];
  });
});
