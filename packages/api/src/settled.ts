import { enforcedSchema } from "@ticketing/rpc/contract";
import superjson from "superjson";
import type { z } from "zod";

/**
 * Values that are checked against their output schema once and never change afterwards:
 * getEvent's cached events, answered to many callers. For them the per-call output check and
 * the per-call superjson walk would redo the same work on the same object, so both are done
 * once. A settled value is deeply frozen, so nothing can change it behind the memo's back.
 */
const settled = new WeakSet<object>();
const serialized = new WeakMap<object, ReturnType<typeof superjson.serialize>>();
const texts = new WeakMap<object, string>();

function freezeDeep(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  // A Date's time lives in an internal slot freeze cannot protect; settled values are only
  // built from fresh parses (zod's output), so no one else holds their Dates.
  Object.freeze(value);
  for (const key of Object.keys(value)) freezeDeep((value as Record<string, unknown>)[key]);
}

/** Checks `value` against `schema` once, freezes the result and marks it settled. */
export function settle<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed: z.output<S> = schema.parse(value);
  if (typeof parsed === "object" && parsed !== null) {
    freezeDeep(parsed);
    settled.add(parsed);
  }
  return parsed;
}

/**
 * A procedure's output parser: `schema`, except that a value settled against it already
 * passes as it is. Anything else is checked on every call, as `.output(schema)` does.
 */
export function outputOf<S extends z.ZodType>(schema: S): (value: unknown) => z.output<S> {
  const parse = (value: unknown) =>
    // Only settle() adds to the set, after `schema` parsed the value: it is an output of it.
    typeof value === "object" && value !== null && settled.has(value) ? (value as z.output<S>) : schema.parse(value);
  // The contract check reads the procedure's output schema through it.
  return Object.assign(parse, { [enforcedSchema]: schema });
}

/**
 * superjson, with a settled value's serialization computed once and shared (frozen, so the
 * bytes on the wire are the ones superjson gives for it every time).
 */
export const wireTransformer = {
  serialize(value: unknown): ReturnType<typeof superjson.serialize> {
    if (typeof value !== "object" || value === null || !settled.has(value)) return superjson.serialize(value);
    let out = serialized.get(value);
    if (!out) {
      out = superjson.serialize(value);
      freezeDeep(out);
      serialized.set(value, out);
    }
    return out;
  },
  deserialize: <T = unknown>(payload: ReturnType<typeof superjson.serialize>): T => superjson.deserialize<T>(payload),
};

/**
 * The JSON text of a settled value's serialization, computed once: a cached answer is sent to
 * every caller as the same bytes, so re-encoding it per call would only add work that grows
 * with the answer (an arena's sections). Undefined for any other value.
 */
export function settledText(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || !settled.has(value)) return undefined;
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(wireTransformer.serialize(value));
    texts.set(value, text);
  }
  return text;
}
