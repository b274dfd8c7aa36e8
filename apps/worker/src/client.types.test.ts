import type { RouterOutputs } from "@ticketing/api";
import { describe, expectTypeOf, it } from "vitest";
import { createApiClient, declaredError } from "./client";

// Compile-time proof (npm run typecheck) that the worker's client is typed by AppRouter
// alone: a wrong call is a type error in the worker, before anything runs. Nothing here
// talks to a server.
const api = createApiClient({ urls: ["http://127.0.0.1:9"], token: "x".repeat(16), timeoutMs: 1000 });

describe("the worker's client", () => {
  it("knows each job's procedure, its input and its output", () => {
    expectTypeOf(api.ackNotifications.mutate).parameter(0).toEqualTypeOf<{
      leaseId: string;
      ids?: string[] | undefined;
      retry?: { id: string; error: string; retryInSeconds: number }[] | undefined;
      failed?: { id: string; error: string }[] | undefined;
    }>();
    expectTypeOf<Awaited<ReturnType<typeof api.claimNotifications.mutate>>>().toEqualTypeOf<
      RouterOutputs["claimNotifications"]
    >();
    expectTypeOf<RouterOutputs["claimNotifications"]["notifications"][number]["createdAt"]>().toEqualTypeOf<Date>();
    expectTypeOf<Awaited<ReturnType<typeof api.ackNotifications.mutate>>>().toEqualTypeOf<{
      acknowledged: string[];
      retrying: string[];
      failed: string[];
      rejected: string[];
    }>();
    expectTypeOf<Awaited<ReturnType<typeof api.upsertEvent.mutate>>["created"]>().toEqualTypeOf<boolean>();
  });

  it("refuses wrong calls at compile time", () => {
    const event = { externalId: "e", name: "n", venue: "v", startsAt: "2027-01-01T00:00:00Z" };
    // The right call compiles, so the errors below are about the one field each changes.
    expectTypeOf(() => api.upsertEvent.mutate(event)).toBeFunction();
    // Each arrow is compiled, never called: the @ts-expect-error lines must be errors.
    const wrongCalls = [
      // @ts-expect-error limit is a number
      () => api.releaseExpiredHolds.mutate({ limit: "100" }),
      // @ts-expect-error ids is a list of notification ids, not one
      () => api.ackNotifications.mutate({ leaseId: "l", ids: "n" }),
      // @ts-expect-error leaseId is required
      () => api.ackNotifications.mutate({ ids: ["n"] }),
      // @ts-expect-error startsAt is an ISO string on the wire side, not a number
      () => api.upsertEvent.mutate({ ...event, startsAt: 1 }),
      // @ts-expect-error status is one of scheduled | on_sale | sold_out | cancelled
      () => api.upsertEvent.mutate({ ...event, status: "open" }),
      // @ts-expect-error claimNotifications is a mutation, not a query
      () => api.claimNotifications.query({ limit: 1 }),
      // @ts-expect-error no such procedure
      () => api.deliverEverything.mutate(),
    ];
    expectTypeOf(wrongCalls).toBeArray();
  });

  it("reads declared errors by reason, typed per procedure", () => {
    type ImportFailure = NonNullable<ReturnType<typeof declaredError<"importEvents">>>;
    expectTypeOf<ImportFailure["reason"]>().toEqualTypeOf<"IMPORT_RUNNING" | "IMPORT_ID_TAKEN">();
    expectTypeOf<ImportFailure["importId"]>().toEqualTypeOf<string>();
    const wrongUses = [
      // @ts-expect-error importEvents does not declare SEATS_TAKEN
      (error: unknown) => declaredError(error, "importEvents")?.reason === "SEATS_TAKEN",
      // @ts-expect-error releaseExpiredHolds declares no errors: there is no reason to read
      (error: unknown) => declaredError(error, "releaseExpiredHolds")?.reason,
    ];
    expectTypeOf(wrongUses).toBeArray();
  });
});
