/** An issue as Standard Schema (and zod) report it: a message, and where. */
export interface Issue {
  message: string;
  path?: readonly (PropertyKey | { key: PropertyKey })[] | undefined;
}

/** How many issues a summary names; the rest are counted. */
const NAMED_ISSUES = 5;

/** One step of an issue's path as text (zod gives keys; Standard Schema may give `{ key }`). */
export const segmentName = (segment: PropertyKey | { key: PropertyKey }) =>
  String(typeof segment === "object" ? segment.key : segment);

/** Where an issue is, as `a.b.0`; empty for the input as a whole. */
const issuePath = (issue: Issue) => (issue.path ?? []).map(segmentName).join(".");

/**
 * The one sentence an invalid input is answered with, on /trpc and on REST alike: the first
 * issues with where they are, and how many more there are.
 */
export function describeIssues(issues: readonly Issue[]): string {
  const named = issues.slice(0, NAMED_ISSUES).map((issue) => {
    const path = issuePath(issue);
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = issues.length > NAMED_ISSUES ? ` (and ${issues.length - NAMED_ISSUES} more)` : "";
  return `Invalid input — ${named.join("; ")}${more}`;
}

/** The issues of a schema's failure (zod's error, or any Standard Schema result), if it is one. */
export function issuesOf(cause: unknown): Issue[] | undefined {
  const issues = (cause as { issues?: unknown } | null | undefined)?.issues;
  return Array.isArray(issues) && issues.every((issue) => typeof issue?.message === "string") ? issues : undefined;
}
