import { describe, expect, it } from "vitest";
import { failureOutcome, retryDelaySeconds } from "./jobs/notifications";
import { addressOf, classifySmtpError, DeliveryError } from "./mail";

const smtpError = (fields: Record<string, unknown>) => Object.assign(new Error("failed"), fields);

describe("sorting SMTP failures", () => {
  it("gives up only on a 5xx answer about the message itself", () => {
    const rejected = classifySmtpError(
      smtpError({ code: "EENVELOPE", response: "550 5.1.1 No such user", responseCode: 550, permanent: true }),
    );
    expect(rejected).toEqual(new DeliveryError("EENVELOPE: 550 5.1.1 No such user", true));
    expect(rejected.permanent).toBe(true);
    expect(
      classifySmtpError(smtpError({ code: "EMESSAGE", response: "554 spam", responseCode: 554, permanent: true }))
        .permanent,
    ).toBe(true);
  });

  it("retries 4xx answers, lost connections and a refused login", () => {
    const cases = [
      smtpError({ code: "EMESSAGE", response: "451 4.7.1 Greylisted", responseCode: 451, permanent: false }),
      smtpError({ code: "ECONNECTION", message: "connect ECONNREFUSED 127.0.0.1:25" }),
      smtpError({ code: "ETIMEDOUT", message: "Greeting never received" }),
      // The relay refusing the worker's credentials is not this message's fault.
      smtpError({ code: "EAUTH", response: "535 Invalid login", responseCode: 535, permanent: true }),
    ];
    for (const error of cases) expect(classifySmtpError(error).permanent).toBe(false);
    expect(classifySmtpError(cases[1]).message).toBe("ECONNECTION: connect ECONNREFUSED 127.0.0.1:25");
  });

  it("sends the envelope to the bare address", () => {
    expect(addressOf("Ticketing <tickets@ticketing.example>")).toBe("tickets@ticketing.example");
    expect(addressOf(" alice@example.com ")).toBe("alice@example.com");
  });
});

describe("what a failed delivery becomes", () => {
  const policy = { baseSeconds: 60, maxSeconds: 3600, maxAttempts: 5 };
  const transient = new DeliveryError("EMESSAGE: 451 try later", false);

  it("waits longer after each attempt, between half and all of a doubling step, capped", () => {
    expect([1, 2, 3].map((attempt) => retryDelaySeconds(attempt, policy, () => 0))).toEqual([30, 60, 120]);
    expect([1, 2, 3].map((attempt) => retryDelaySeconds(attempt, policy, () => 1))).toEqual([60, 120, 240]);
    expect(retryDelaySeconds(30, policy, () => 1)).toBe(3600);
  });

  it("retries a transient failure until the last attempt, then records it failed", () => {
    expect(failureOutcome({ id: "n", attempts: 1 }, transient, policy, () => 0)).toEqual({
      retry: [{ id: "n", error: "EMESSAGE: 451 try later", retryInSeconds: 30 }],
    });
    expect(failureOutcome({ id: "n", attempts: 5 }, transient, policy)).toEqual({
      failed: [{ id: "n", error: "gave up after 5 attempts: EMESSAGE: 451 try later" }],
    });
  });

  it("records a permanent refusal failed at once, with the server's reply", () => {
    const refused = new DeliveryError("EENVELOPE: 550 5.1.1 No such user", true);
    expect(failureOutcome({ id: "n", attempts: 1 }, refused, policy)).toEqual({
      failed: [{ id: "n", error: "EENVELOPE: 550 5.1.1 No such user" }],
    });
  });
});
