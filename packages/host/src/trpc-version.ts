import { createRequire } from "node:module";

/**
 * The @trpc/server releases this host's direct path was checked against: the wire
 * equivalence suites (apps/server's direct-path.test.ts, this package's direct.test.ts) pass
 * on each, so for them the direct path answers byte for byte as tRPC's own adapter would.
 * Adding a release here is the last step of an upgrade (docs/upgrading.md), after those
 * suites pass on it.
 */
export const VERIFIED_TRPC_RELEASES: readonly string[] = ["11.22.1"];

/** The version of the @trpc/server that this process loads, from its package.json. */
export function installedTrpcRelease(): string {
  const require = createRequire(import.meta.url);
  return (require("@trpc/server/package.json") as { version: string }).version;
}

export interface DirectPathCheck {
  /** Whether the direct path may serve: the installed release is one it was checked against. */
  verified: boolean;
  installed: string;
  verifiedReleases: readonly string[];
}

/**
 * Whether the direct path may serve with the installed @trpc/server. It follows tRPC's
 * internals (resolveResponse, the procedure caller), which a release may change without
 * notice; on a release it was not checked against, the host serves everything through
 * tRPC's own fetch adapter instead: slower, and correct by construction.
 */
export function checkDirectPath(installed: string = installedTrpcRelease()): DirectPathCheck {
  return { verified: VERIFIED_TRPC_RELEASES.includes(installed), installed, verifiedReleases: VERIFIED_TRPC_RELEASES };
}
