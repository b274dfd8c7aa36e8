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
  console.warn(
    `Skipping PostgreSQL suite: ${TEST_DATABASE_URL} is unreachable (${probe.reason}). Set TEST_DATABASE_URL.`,
  );
  return false;
}

export { createScratchPostgres };

/** The server on a scratch PostgreSQL database that is dropped when the server closes. */
export async function startPostgresServer(env?: Record<string, string>): Promise<TestServer> {
  const scratch = await createScratchPostgres();
  const server = await startTestServer({ databaseUrl: scratch.url, ...(env && { env }) });
  return {
    ...server,
    close: async () => {
      await server.close();
      await scratch.drop();
    },
  };
}
