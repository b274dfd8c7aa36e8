import { enforcedSchema } from "@ticketing/rpc/contract";
import superjson from "superjson";
import type { z } from "zod";

/**
 * Checked answers: values checked against their output schema once, deeply frozen, with their
 * wire form (superjson's serialization, and its JSON text) made once and kept beside them.
 * getEvent's cache and the other cached public reads answer the same object to many callers;
 * for it the per-call output check and the per-call serialization would redo the same work on
 * the same object, so both are done once.
 *
 * Why by object identity (a WeakSet and a WeakMap), not by content:
 * - the lookup is one hash of a pointer on the hot read path; a content key would mean walking
 *   or hashing the answer, the very work this module exists to skip;
 * - identity is enough because a checked answer is deeply frozen: the object cannot change
 *   behind the check or the kept wire form, so the same object always means the same bytes;
 * - an equal object that did not come out of `checkAnswer` is not in the set, so it is checked
 *   and serialized as usual: trust is never granted by resemblance;
 * - weak references tie the memo's lifetime to the answer's: when the cache drops an entry,
 *   its mark and its wire form go with it, with nothing to invalidate or evict here.
 */
const checkedAnswers = new WeakSet<object>();
/** A checked answer's wire form, made once: its serialization, and that serialization's JSON text. */
const wireForms = new WeakMap<object, { serialized: Serialized; text?: string }>();

function freezeDeep(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  // A Date's time lives in an internal slot freeze cannot protect; checked answers are only
  // built from fresh parses (zod's output), so no one else holds their Dates.
  Object.freeze(value);
  for (const key of Object.keys(value)) freezeDeep((value as Record<string, unknown>)[key]);
}

/** Checks `value` against `schema` once, freezes the result and marks it as a checked answer. */
export function checkAnswer<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed: z.output<S> = schema.parse(value);
  if (typeof parsed === "object" && parsed !== null) {
    freezeDeep(parsed);
    checkedAnswers.add(parsed);
  }
  return parsed;
}

/**
 * A procedure's output parser: `schema`, except that an answer checked against it already
 * passes as it is. Anything else is checked on every call, as `.output(schema)` does.
 */
export function outputOf<S extends z.ZodType>(schema: S): (value: unknown) => z.output<S> {
  const parse = (value: unknown) =>
    // Only checkAnswer() adds to the set, after `schema` parsed the value: it is an output of it.
    typeof value === "object" && value !== null && checkedAnswers.has(value)
      ? (value as z.output<S>)
      : schema.parse(value);
  // The contract check reads the procedure's output schema through it.
  return Object.assign(parse, { [enforcedSchema]: schema });
}

type Serialized = ReturnType<typeof superjson.serialize>;
type Json = Serialized["json"];

/** Keys superjson refuses to serialize (it throws): such a value is left to it. */
const REFUSED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * A JSON copy of `value` with its Dates as ISO strings, and a skeleton of where the Dates are
 * (objects with only the keys that lead to one, arrays with null elsewhere; undefined when
 * there is none). Null when the value holds anything else superjson would annotate or refuse:
 * undefined, holes, NaN, ±Infinity, -0, a non-plain object, an invalid Date, an object met
 * twice (a shared reference or a cycle), a refused key.
 */
function copyPlain(value: unknown, seen: Set<object>): [Json, unknown] | null {
  if (value === null || typeof value === "string" || typeof value === "boolean") return [value, undefined];
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0) ? [value, undefined] : null;
  if (typeof value !== "object" || seen.has(value)) return null;
  seen.add(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) return null;
    const out: Json[] = [];
    let dates: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return null;
      const item = copyPlain(value[i], seen);
      if (!item) return null;
      out.push(item[0]);
      if (item[1] !== undefined) {
        dates ??= new Array<unknown>(value.length).fill(null);
        dates[i] = item[1];
      }
    }
    return [out, dates];
  }
  if (proto === Date.prototype) {
    const date = value as Date;
    return Number.isNaN(date.getTime()) ? null : [date.toISOString(), date];
  }
  if ((proto !== Object.prototype && proto !== null) || value === Object.prototype) return null;
  const out: { [key: string]: Json } = {};
  let dates: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    if (REFUSED_KEYS.has(key)) return null;
    const item = copyPlain((value as Record<string, unknown>)[key], seen);
    if (!item) return null;
    out[key] = item[0];
    if (item[1] !== undefined) {
      dates ??= {};
      dates[key] = item[1];
    }
  }
  return [out, dates];
}

/**
 * superjson's serialization, the same value for the same input. superjson walks every node of
 * an answer with a path and a dozen type checks each, which made it the largest part of an
 * uncached getEvent's CPU, growing with the sections of the venue. A tree of plain objects,
 * arrays, strings, finite numbers, booleans, null and Dates (what the procedures answer) is
 * copied here in one pass instead; superjson itself then annotates only a skeleton holding the
 * Dates at their paths, so `meta` is its own. Anything else goes to superjson whole.
 * `checked-answers.test.ts` checks the bytes against superjson's on generated values.
 */
export function serializeForWire(value: unknown): Serialized {
  const copied = typeof value === "object" && value !== null ? copyPlain(value, new Set()) : null;
  if (!copied) return superjson.serialize(value);
  const [json, dates] = copied;
  if (dates === undefined) return { json };
  const { meta } = superjson.serialize(dates);
  return meta ? { json, meta } : { json };
}

/** A checked answer's wire form, made on first use and frozen with it. */
function wireFormOf(value: object): { serialized: Serialized; text?: string } {
  let form = wireForms.get(value);
  if (!form) {
    form = { serialized: serializeForWire(value) };
    freezeDeep(form.serialized);
    wireForms.set(value, form);
  }
  return form;
}

/**
 * superjson, with a checked answer's serialization computed once and shared (frozen, so the
 * bytes on the wire are the ones superjson gives for it every time).
 */
export const wireTransformer = {
  serialize(value: unknown): Serialized {
    if (typeof value !== "object" || value === null || !checkedAnswers.has(value)) return serializeForWire(value);
    return wireFormOf(value).serialized;
  },
  deserialize: <T = unknown>(payload: ReturnType<typeof superjson.serialize>): T => superjson.deserialize<T>(payload),
};

/**
 * The JSON text of a checked answer's serialization, computed once: a cached answer is sent to
 * every caller as the same bytes, so re-encoding it per call would only add work that grows
 * with the answer (an arena's sections). Undefined for any other value.
 */
export function checkedAnswerText(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || !checkedAnswers.has(value)) return undefined;
  const form = wireFormOf(value);
  form.text ??= JSON.stringify(form.serialized);
  return form.text;
}
