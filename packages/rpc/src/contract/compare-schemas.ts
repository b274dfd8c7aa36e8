import type { JsonSchema } from "./json-schema";

/**
 * - breaking: a client written against the previous contract can fail (a call it makes is
 *   refused, or an answer it gets is one it was not written for);
 * - deprecation: something is newly marked for removal;
 * - additive: the contract grew (a client can do more), nothing an old client does changes;
 * - compatible: every other change, one an old client cannot notice (an answer that narrowed, a
 *   description that changed).
 */
export type ChangeLevel = "breaking" | "deprecation" | "additive" | "compatible";

export interface Change {
  level: ChangeLevel;
  /** Where, e.g. `createBooking.input.seatIds[]` or `GET /api/v1/events.response(200).items[].status`. */
  path: string;
  message: string;
}

/**
 * Which side of a call a schema describes. An input may widen (accept more) but not narrow;
 * an output may narrow (return less) but not widen, except by new object fields, which old
 * clients do not read.
 */
export type Position = "input" | "output";

type Kind = "any" | "null" | "boolean" | "number" | "string" | "object" | "array";

/** One branch of a schema: a single JSON type with its keywords (a union has several). */
interface Variant {
  kind: Kind;
  schema: JsonSchema;
  /** Allowed values (`enum`/`const`); undefined when any value of the kind is allowed. */
  values?: readonly unknown[];
}

interface Side {
  schema: JsonSchema;
  /** The document that `$ref`s point into (the schema itself, or an OpenAPI document). */
  root: JsonSchema;
}

interface Walk {
  position: Position;
  changes: Change[];
  /** `$ref` pairs being compared, so that a recursive schema ends. */
  visiting: Set<string>;
}

const ANNOTATIONS = ["description", "default", "title", "examples"] as const;
const LOWER_BOUNDS = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"] as const;
const UPPER_BOUNDS = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"] as const;
const EXACT_CONSTRAINTS = ["pattern", "format", "multipleOf", "uniqueItems", "contentMediaType"] as const;

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const show = (value: unknown) => JSON.stringify(value);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Follows a local `$ref` (`#/…`, JSON Pointer) into the side's root document. */
function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; typeof current.$ref === "string" && hops < 32; hops += 1) {
    const ref = current.$ref as string;
    if (!ref.startsWith("#")) throw new Error(`Only local $refs can be compared, not ${ref}`);
    let target: unknown = root;
    for (const token of ref.slice(1).split("/").filter(Boolean)) {
      const key = decodeURIComponent(token).replaceAll("~1", "/").replaceAll("~0", "~");
      target = isObject(target) ? target[key] : undefined;
    }
    if (!isObject(target)) throw new Error(`$ref ${ref} points at nothing`);
    const { $ref: _followed, ...siblings } = current;
    current = { ...target, ...siblings };
  }
  return current;
}

/** allOf of objects (zod's intersections) as one object schema. */
function mergeAllOf(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const parts = (schema.allOf as JsonSchema[]).map((part) => resolve(part, root));
  const { allOf: _parts, ...rest } = schema;
  const merged: JsonSchema = { ...rest };
  const properties: JsonSchema = {};
  const required = new Set<string>();
  for (const part of parts) {
    Object.assign(merged, part);
    Object.assign(properties, part.properties ?? {});
    for (const name of (part.required as string[] | undefined) ?? []) required.add(name);
  }
  if (Object.keys(properties).length > 0) {
    merged.properties = properties;
    merged.required = [...required];
    merged.type = "object";
  }
  return merged;
}

function kindOfValue(value: unknown): Kind {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return "number";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  return "object";
}

function kindOfType(type: string): Kind {
  return type === "integer" ? "number" : (type as Kind);
}

/** The branches of a schema: one per JSON type it allows, unions and nullable flattened. */
function variantsOf(input: JsonSchema | boolean, root: JsonSchema): Variant[] {
  if (input === true) return [{ kind: "any", schema: {} }];
  if (input === false) return [];
  let schema = resolve(input, root);
  if (Array.isArray(schema.allOf)) schema = mergeAllOf(schema, root);
  const union = (schema.anyOf ?? schema.oneOf) as (JsonSchema | boolean)[] | undefined;
  if (Array.isArray(union)) {
    const { anyOf: _any, oneOf: _one, ...shared } = schema;
    return union.flatMap((branch) => variantsOf(typeof branch === "boolean" ? branch : { ...shared, ...branch }, root));
  }
  const values = "const" in schema ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : undefined;
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : [];
  if (types.length === 0) {
    if (values) {
      const kinds = [...new Set(values.map(kindOfValue))];
      return kinds.map((kind) => ({ kind, schema, values: values.filter((value) => kindOfValue(value) === kind) }));
    }
    if (isObject(schema.properties) || "additionalProperties" in schema) return [{ kind: "object", schema }];
    if ("items" in schema || "prefixItems" in schema) return [{ kind: "array", schema }];
    return [{ kind: "any", schema }];
  }
  return types.map((type) => {
    const kind = kindOfType(type);
    const own = values?.filter((value) => kindOfValue(value) === kind);
    const narrowed = types.length > 1 ? { ...schema, type } : schema;
    return own ? { kind, schema: narrowed, values: own } : { kind, schema: narrowed };
  });
}

function describe(variant: Variant): string {
  if (variant.values) return `${variant.values.map(show).join(" | ")}`;
  if (variant.kind === "number" && variant.schema.type === "integer") return "integer";
  return variant.kind === "any" ? "any value" : variant.kind;
}

/** The values of an object variant's properties that are fixed (a discriminated union's tag). */
function tagOf(variant: Variant, root: JsonSchema): string {
  const properties = isObject(variant.schema.properties) ? variant.schema.properties : {};
  const tags: string[] = [];
  for (const [name, property] of Object.entries(properties)) {
    if (!isObject(property)) continue;
    const resolved = resolve(property, root);
    if ("const" in resolved) tags.push(`${name}=${show(resolved.const)}`);
    else if (Array.isArray(resolved.enum) && resolved.enum.length === 1) tags.push(`${name}=${show(resolved.enum[0])}`);
  }
  return tags.sort().join(",");
}

/**
 * Pairs the branches of two schemas: by JSON type, and objects of a discriminated union by
 * their tag. What is left unpaired was removed (previous) or added (current).
 */
function pairVariants(previous: Variant[], current: Variant[], prevRoot: JsonSchema, currRoot: JsonSchema) {
  const pairs: [Variant, Variant][] = [];
  const left = [...current];
  const removed: Variant[] = [];
  const tagged = (variants: Variant[]) => variants.filter((variant) => variant.kind === "object").length > 1;
  const byTag = tagged(previous) || tagged(current);
  for (const before of previous) {
    const index = left.findIndex(
      (after) =>
        after.kind === before.kind &&
        (after.kind !== "object" || !byTag || tagOf(after, currRoot) === tagOf(before, prevRoot)),
    );
    if (index < 0) {
      removed.push(before);
      continue;
    }
    pairs.push([before, left[index] as Variant]);
    left.splice(index, 1);
  }
  return { pairs, removed, added: left };
}

function isDeprecated(schema: JsonSchema | boolean, root: JsonSchema): boolean {
  if (typeof schema === "boolean") return false;
  const resolved = resolve(schema, root);
  return (
    resolved.deprecated === true || variantsOf(resolved, root).some((variant) => variant.schema.deprecated === true)
  );
}

/** Records a change whose level depends on the side: [level for an input, level for an output]. */
function record(walk: Walk, path: string, levels: [ChangeLevel, ChangeLevel], message: string) {
  walk.changes.push({ level: walk.position === "input" ? levels[0] : levels[1], path, message });
}

function compareAnnotations(walk: Walk, path: string, before: JsonSchema, after: JsonSchema) {
  for (const key of ANNOTATIONS) {
    if (show(before[key]) !== show(after[key])) {
      record(
        walk,
        path,
        ["compatible", "compatible"],
        `${key} changed from ${show(before[key]) ?? "none"} to ${show(after[key]) ?? "none"}`,
      );
    }
  }
}

function compareValues(walk: Walk, path: string, before: Variant, after: Variant) {
  const noun = walk.position === "input" ? "accepts" : "returns";
  if (!before.values && !after.values) return;
  if (!before.values && after.values) {
    record(walk, path, ["breaking", "compatible"], `now only ${noun} ${after.values.map(show).join(" | ")}`);
    return;
  }
  if (before.values && !after.values) {
    record(
      walk,
      path,
      ["additive", "breaking"],
      `now ${noun} any ${after.kind} (was ${before.values.map(show).join(" | ")})`,
    );
    return;
  }
  const was = new Set((before.values ?? []).map(show));
  const is = new Set((after.values ?? []).map(show));
  const removed = [...was].filter((value) => !is.has(value));
  const added = [...is].filter((value) => !was.has(value));
  if (removed.length > 0) {
    record(walk, path, ["breaking", "compatible"], `no longer ${noun} ${removed.join(", ")}`);
  }
  if (added.length > 0) {
    record(
      walk,
      path,
      ["additive", "breaking"],
      walk.position === "input"
        ? `now also accepts ${added.join(", ")}`
        : `may now return ${added.join(", ")}, which an old client's exhaustive switch does not handle`,
    );
  }
}

/** A bound; ±2^53−1 (zod's implied bounds of an integer) is no bound: no JSON client goes past it. */
function bound(value: unknown): number | undefined {
  if (typeof value !== "number" || Math.abs(value) === Number.MAX_SAFE_INTEGER) return undefined;
  return value;
}

function compareConstraints(walk: Walk, path: string, before: JsonSchema, after: JsonSchema) {
  const tighter = (key: string, was: unknown, is: unknown, how: string) =>
    record(walk, path, ["breaking", "compatible"], `${key} ${how}: ${show(was) ?? "none"} → ${show(is) ?? "none"}`);
  const looser = (key: string, was: unknown, is: unknown, how: string) =>
    record(walk, path, ["additive", "breaking"], `${key} ${how}: ${show(was) ?? "none"} → ${show(is) ?? "none"}`);
  for (const key of LOWER_BOUNDS) {
    const was = bound(before[key]);
    const is = bound(after[key]);
    if (was === is) continue;
    if (was === undefined || (is !== undefined && is > was)) tighter(key, was, is, "raised");
    else looser(key, was, is, is === undefined ? "dropped" : "lowered");
  }
  for (const key of UPPER_BOUNDS) {
    const was = bound(before[key]);
    const is = bound(after[key]);
    if (was === is) continue;
    if (was === undefined || (is !== undefined && is < was)) tighter(key, was, is, "lowered");
    else looser(key, was, is, is === undefined ? "dropped" : "raised");
  }
  for (const key of EXACT_CONSTRAINTS) {
    const was = before[key];
    const is = after[key];
    if (show(was) === show(is)) continue;
    if (was === undefined) tighter(key, was, is, "added");
    else if (is === undefined) looser(key, was, is, "dropped");
    else record(walk, path, ["breaking", "breaking"], `${key} changed: ${show(was)} → ${show(is)}`);
  }
  if (before.type === "integer" && after.type === "number") {
    record(walk, path, ["additive", "breaking"], "type widened: integer → number");
  }
  if (before.type === "number" && after.type === "integer") {
    record(walk, path, ["breaking", "compatible"], "type narrowed: number → integer");
  }
}

function requiredOf(schema: JsonSchema): Set<string> {
  return new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
}

function compareObjects(walk: Walk, path: string, before: Side, after: Side) {
  const wasProps = isObject(before.schema.properties) ? before.schema.properties : {};
  const isProps = isObject(after.schema.properties) ? after.schema.properties : {};
  const wasRequired = requiredOf(before.schema);
  const isRequired = requiredOf(after.schema);
  const names = [...new Set([...Object.keys(wasProps), ...Object.keys(isProps)])].sort();
  for (const name of names) {
    const at = join(path, name);
    const was = wasProps[name] as JsonSchema | boolean | undefined;
    const is = isProps[name] as JsonSchema | boolean | undefined;
    if (was === undefined && is !== undefined) {
      if (walk.position === "output") record(walk, at, ["additive", "additive"], "new output field");
      else if (isRequired.has(name)) record(walk, at, ["breaking", "breaking"], "new required input field");
      else record(walk, at, ["additive", "additive"], "new optional input field");
      if (isDeprecated(is, after.root)) record(walk, at, ["deprecation", "deprecation"], "deprecated");
      continue;
    }
    if (was !== undefined && is === undefined) {
      record(
        walk,
        at,
        ["breaking", "breaking"],
        walk.position === "input"
          ? "input field removed: old clients still send it, and it no longer does anything"
          : "output field removed",
      );
      continue;
    }
    if (wasRequired.has(name) && !isRequired.has(name)) {
      record(walk, at, ["additive", "breaking"], walk.position === "input" ? "now optional" : "made optional");
    }
    if (!wasRequired.has(name) && isRequired.has(name)) {
      record(walk, at, ["breaking", "compatible"], walk.position === "input" ? "now required" : "now always present");
    }
    compareSide(
      walk,
      at,
      { schema: was as JsonSchema, root: before.root },
      { schema: is as JsonSchema, root: after.root },
    );
  }
  const wasExtra = before.schema.additionalProperties;
  const isExtra = after.schema.additionalProperties;
  if (isObject(wasExtra) && isObject(isExtra)) {
    compareSide(
      walk,
      join(path, "{key}"),
      { schema: wasExtra, root: before.root },
      { schema: isExtra, root: after.root },
    );
  } else if (walk.position === "input" && wasExtra !== false && isExtra === false) {
    record(walk, path, ["breaking", "breaking"], "now refuses fields it does not know");
  } else if (walk.position === "input" && wasExtra === false && isExtra !== false) {
    record(walk, path, ["additive", "additive"], "now accepts fields it does not know");
  } else if (walk.position === "output" && (wasExtra === false) !== (isExtra === false)) {
    // Clients read the fields they know; whether an answer says "no others" changes nothing for them.
    record(
      walk,
      path,
      ["compatible", "compatible"],
      isExtra === false ? "closed to other fields" : "open to other fields",
    );
  }
}

function compareArrays(walk: Walk, path: string, before: Side, after: Side) {
  const wasItems = before.schema.items;
  const isItems = after.schema.items;
  if (isObject(wasItems) && isObject(isItems)) {
    compareSide(walk, `${path}[]`, { schema: wasItems, root: before.root }, { schema: isItems, root: after.root });
  }
  const wasTuple = Array.isArray(before.schema.prefixItems) ? (before.schema.prefixItems as JsonSchema[]) : [];
  const isTuple = Array.isArray(after.schema.prefixItems) ? (after.schema.prefixItems as JsonSchema[]) : [];
  for (let index = 0; index < Math.min(wasTuple.length, isTuple.length); index += 1) {
    compareSide(
      walk,
      `${path}[${index}]`,
      { schema: wasTuple[index] as JsonSchema, root: before.root },
      { schema: isTuple[index] as JsonSchema, root: after.root },
    );
  }
  if (wasTuple.length !== isTuple.length) {
    record(walk, path, ["breaking", "breaking"], `tuple length changed: ${wasTuple.length} → ${isTuple.length}`);
  }
}

function compareVariant(walk: Walk, path: string, before: Variant, after: Variant, sides: [JsonSchema, JsonSchema]) {
  compareAnnotations(walk, path, before.schema, after.schema);
  compareValues(walk, path, before, after);
  compareConstraints(walk, path, before.schema, after.schema);
  const [prevRoot, currRoot] = sides;
  if (before.kind === "object") {
    compareObjects(walk, path, { schema: before.schema, root: prevRoot }, { schema: after.schema, root: currRoot });
  }
  if (before.kind === "array") {
    compareArrays(walk, path, { schema: before.schema, root: prevRoot }, { schema: after.schema, root: currRoot });
  }
}

function compareSide(walk: Walk, path: string, before: Side, after: Side) {
  const refs = `${String(before.schema.$ref)}|${String(after.schema.$ref)}`;
  const recursive = before.schema.$ref !== undefined && after.schema.$ref !== undefined;
  if (recursive && walk.visiting.has(refs)) return;
  if (recursive) walk.visiting.add(refs);
  try {
    if (isDeprecated(after.schema, after.root) && !isDeprecated(before.schema, before.root)) {
      record(walk, path, ["deprecation", "deprecation"], "deprecated");
    }
    const previous = variantsOf(before.schema, before.root);
    const current = variantsOf(after.schema, after.root);
    const wasAny = previous.some((variant) => variant.kind === "any");
    const isAny = current.some((variant) => variant.kind === "any");
    if (wasAny || isAny) {
      if (wasAny && !isAny) {
        record(
          walk,
          path,
          ["breaking", "compatible"],
          `narrowed from any value to ${current.map(describe).join(" | ")}`,
        );
      }
      if (isAny && !wasAny) {
        record(walk, path, ["additive", "breaking"], `widened from ${previous.map(describe).join(" | ")} to any value`);
      }
      return;
    }
    const { pairs, removed, added } = pairVariants(previous, current, before.root, after.root);
    if (pairs.length === 0 && removed.length > 0 && added.length > 0) {
      record(
        walk,
        path,
        ["breaking", "breaking"],
        `type changed from ${removed.map(describe).join(" | ")} to ${added.map(describe).join(" | ")}`,
      );
      return;
    }
    for (const variant of removed) {
      record(
        walk,
        path,
        ["breaking", "compatible"],
        walk.position === "input" ? `no longer accepts ${describe(variant)}` : `no longer returns ${describe(variant)}`,
      );
    }
    for (const variant of added) {
      record(
        walk,
        path,
        ["additive", "breaking"],
        walk.position === "input"
          ? `now also accepts ${describe(variant)}`
          : variant.kind === "null"
            ? "made nullable"
            : `may now return ${describe(variant)}`,
      );
    }
    for (const [was, is] of pairs) compareVariant(walk, path, was, is, [before.root, after.root]);
  } finally {
    if (recursive) walk.visiting.delete(refs);
  }
}

/**
 * Every difference between two JSON Schemas (zod 4's `z.toJSONSchema` output, or the schemas
 * of an OpenAPI document), each with what it means for a client written against the
 * previous one. `$ref`s resolve against each side's root (the schema itself by default).
 */
export function compareSchemas(
  previous: JsonSchema,
  current: JsonSchema,
  options: { position: Position; path?: string; previousRoot?: JsonSchema; currentRoot?: JsonSchema },
): Change[] {
  const walk: Walk = { position: options.position, changes: [], visiting: new Set() };
  compareSide(
    walk,
    options.path ?? "",
    { schema: previous, root: options.previousRoot ?? previous },
    { schema: current, root: options.currentRoot ?? current },
  );
  return walk.changes;
}
