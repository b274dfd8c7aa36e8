import fc from "fast-check";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { eventOutput } from "../schemas/events";
import { checkAnswer, checkedAnswerText, outputOf, serializeForWire, wireTransformer } from "./checked-answers";

const event = () => ({
  id: "0b7a0f5e-4c3d-4e2f-9a1b-2c3d4e5f6a7b",
  externalId: null,
  name: "Harbor Jazz",
  description: "An evening by the water.",
  startsAt: new Date("2026-12-24T19:30:00.000Z"),
  status: "on_sale" as const,
  organizerId: "1c7a0f5e-4c3d-4e2f-9a1b-2c3d4e5f6a7b",
  venue: { id: "2d7a0f5e-4c3d-4e2f-9a1b-2c3d4e5f6a7b", name: "Pier Hall", city: "Lisbon", timeZone: "Europe/Lisbon" },
  priceFromCents: 2500,
  counts: { total: 10, available: 7, held: 1, sold: 2 },
  tiers: [{ tier: "A", name: "Front", priceCents: 2500 }],
  sections: [{ name: "Floor", total: 10, available: 7, held: 1, sold: 2 }],
});

describe("checked answers", () => {
  it("go on the wire as the same bytes superjson gives, every time", () => {
    const value = checkAnswer(eventOutput, { ...event(), extra: "dropped by the schema" });
    const expected = JSON.stringify(superjson.serialize(eventOutput.parse(event())));
    expect(JSON.stringify(wireTransformer.serialize(value))).toBe(expected);
    expect(JSON.stringify(wireTransformer.serialize(value))).toBe(expected);
    expect(wireTransformer.deserialize(wireTransformer.serialize(value))).toEqual(eventOutput.parse(event()));
  });

  it("cannot be changed after they are checked", () => {
    const value = checkAnswer(eventOutput, event());
    expect(Object.isFrozen(value) && Object.isFrozen(value.venue) && Object.isFrozen(value.sections[0])).toBe(true);
    expect(() => {
      (value.counts as { available: number }).available = 0;
    }).toThrow(TypeError);
    expect(Object.isFrozen(wireTransformer.serialize(value).json)).toBe(true);
  });

  it("pass the output check as they are; any other value is checked on every call", () => {
    const check = outputOf(eventOutput);
    const value = checkAnswer(eventOutput, event());
    expect(check(value)).toBe(value);
    const fresh = { ...event(), extra: 1 };
    const parsed = check(fresh);
    expect(parsed).not.toBe(fresh);
    expect(parsed).not.toHaveProperty("extra");
    expect(() => check({ ...event(), counts: { total: "ten" } })).toThrow();
    // An equal object that was not checked by checkAnswer is not trusted.
    expect(() => check({ ...value, status: "sold out" })).toThrow();
  });

  it("leave every other value to plain superjson", () => {
    const value = { at: new Date(0), ids: new Set([1, 2]) };
    expect(wireTransformer.serialize(value)).toEqual(superjson.serialize(value));
    expect(wireTransformer.serialize(7)).toEqual(superjson.serialize(7));
  });

  it("keep their JSON text: superjson's bytes, encoded once; any other value has none", () => {
    const value = checkAnswer(eventOutput, event());
    const text = checkedAnswerText(value);
    expect(text).toBe(JSON.stringify(superjson.serialize(eventOutput.parse(event()))));
    expect(checkedAnswerText(value)).toBe(text);
    expect(checkedAnswerText(eventOutput.parse(event()))).toBeUndefined();
    expect(checkedAnswerText("text")).toBeUndefined();
    expect(checkedAnswerText(null)).toBeUndefined();
  });
});

describe("serializeForWire", () => {
  const same = (value: unknown) => {
    let expected: string;
    try {
      expected = JSON.stringify(superjson.serialize(value));
    } catch (error) {
      // What superjson refuses (a prototype-polluting key), this refuses alike.
      expect(() => serializeForWire(value)).toThrow((error as Error).message);
      return;
    }
    expect(JSON.stringify(serializeForWire(value))).toBe(expected);
  };

  it("gives superjson's bytes for answers like getEvent's, Dates included", () => {
    same(eventOutput.parse(event()));
    same({ items: [eventOutput.parse(event()), eventOutput.parse(event())], nextCursor: null });
    same([new Date(0), { at: new Date(1) }, [[new Date(2)]]]);
    same({ "a.b": { "c\\d": new Date(3) }, plain: { nested: [1, "two", true, null] } });
    same({});
    same([]);
    same(Object.assign(Object.create(null), { at: new Date(4) }));
  });

  it("leaves to superjson whatever it would annotate or refuse", () => {
    const shared = { n: 1 };
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    same({ a: shared, b: shared });
    same(cycle);
    same({ a: undefined, b: Number.NaN, c: Number.POSITIVE_INFINITY, d: -0 });
    same(new Array(3).fill(1, 0, 1)); // holes after the first element
    same({ m: new Map([[1, new Date(5)]]), s: new Set([1]), r: /x/g, big: 10n, e: new Error("boom") });
    same({ at: new Date(Number.NaN) });
    same(JSON.parse('{"__proto__": {"x": 1}}'));
    same({ constructor: 1 });
    same("text");
    same(7);
    same(null);
    same(undefined);
  });

  it("gives superjson's bytes on generated values", () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.date(),
      fc.constant(new Date(Number.NaN)),
      fc.bigInt(),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("node")), fc.dictionary(fc.string(), tie("node"))),
    })).node;
    fc.assert(
      fc.property(tree, (value) => {
        same(value);
      }),
      { numRuns: 2_000 },
    );
  });
});
