import { createScratchPostgres, probePostgres, TEST_DATABASE_URL } from "@ticketing/db/testing";
import { startTestServer, type TestServer } from "@ticketing/server/testing";

/**
 * Whether this run can use PostgreSQL. In CI it must: a missing server fails the suite
 * rather than skipping it. Elsewhere the suite is skipped with the reason printed.
 */
export async function postgresAvailable(): Promise<boolean> {
  const probe = await probePostgres();
  if (probe.ok) return true;
  if (process.env.CI) {
    throw new Error(`PostgreSQL is required in CI but ${TEST_DATABASE_URL} is unreachable: ${probe.reason}`);
  }
  console.warn(`Skipping the worker's PostgreSQL suite: ${TEST_DATABASE_URL} is unreachable (${probe.reason}).`);
  return false;
}

/** The real server on a scratch PostgreSQL database that is dropped when the server closes. */
export async function startPostgresServer(): Promise<TestServer> {
  const scratch = await createScratchPostgres();
  const server = await startTestServer({ databaseUrl: scratch.url });
  return {
    ...server,
    close: async () => {
      await server.close();
      await scratch.drop();
    },
  };
}
