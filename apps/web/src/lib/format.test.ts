import { describe, expect, it } from "vitest";
import { formatMoney } from "./format";

const intl = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

describe("formatMoney", () => {
  it("writes what Intl's en-US dollars write", () => {
    const cents = [
      0, 1, 5, 10, 99, 100, 101, 999, 1000, 4500, 12_345, 99_999, 100_000, 123_456, 1_000_000, 98_765_432,
      1_234_567_890, -1, -250, -123_456,
    ];
    for (let i = 0; i < 2000; i++) cents.push(Math.floor(Math.random() * 10 ** (1 + (i % 11))));
    for (const value of cents) expect(formatMoney(value), `${value} cents`).toBe(intl.format(value / 100));
  });
});
