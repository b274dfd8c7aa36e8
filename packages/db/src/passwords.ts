import { scrypt, timingSafeEqual } from "node:crypto";
import { type Algorithm, hash, parseOptions, verify } from "@node-rs/argon2";

/**
 * OWASP's current recommendation for argon2id: 19 MiB, 2 passes, 1 lane (~20–45 ms per
 * hash on this project's 2-core CI machine; docs/decisions/018). The hash is a PHC
 * string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) that names its own parameters,
 * so raising them later upgrades every stored hash at its owner's next sign-in.
 */
export const PASSWORD_POLICY = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// The package declares its enums `const`, which isolated modules cannot read: the value
// is spelled out, and the type still checks it is Argon2id.
const ARGON2ID: Algorithm.Argon2id = 2;

// Unicode has several encodings of one visible password (é as one code point or two):
// every form a person can type hashes the same.
const normalize = (password: string) => password.normalize("NFKC");

/** Hashes a password with argon2id at PASSWORD_POLICY, as a PHC string. */
export function hashPassword(password: string): Promise<string> {
  return hash(normalize(password), { algorithm: ARGON2ID, ...PASSWORD_POLICY });
}

/** Checks a password against a stored hash (argon2id, or the older scrypt form); false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith("scrypt$")) return verifyLegacyScrypt(normalize(password), stored);
  if (!stored.startsWith("$argon2")) return false;
  try {
    return await verify(stored, normalize(password));
  } catch {
    return false;
  }
}

/**
 * Whether a stored hash was made another way than PASSWORD_POLICY says today: after a
 * successful sign-in, such a hash is replaced by a new one.
 */
export function passwordNeedsRehash(stored: string): boolean {
  if (!stored.startsWith("$argon2id$")) return true;
  try {
    const used = parseOptions(stored);
    return (
      used.memoryCost !== PASSWORD_POLICY.memoryCost ||
      used.timeCost !== PASSWORD_POLICY.timeCost ||
      used.parallelism !== PASSWORD_POLICY.parallelism
    );
  } catch {
    return true;
  }
}

/** A stored value no password matches: for accounts that exist but must not sign in. */
export const NO_PASSWORD = "disabled";

// Hashes stored before argon2id: `scrypt$N$r$p$salt$key` (base64url), N=2^15, r=8, p=1.
// They are verified only so their owners can sign in once and be upgraded.
const LEGACY_KEY_LENGTH = 32;
const LEGACY_MAX_N = 2 ** 17;

function verifyLegacyScrypt(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4] ?? "", "base64url");
  const expected = Buffer.from(parts[5] ?? "", "base64url");
  if (parts.length !== 6 || !n || !r || !p || n > LEGACY_MAX_N || expected.length !== LEGACY_KEY_LENGTH) {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    scrypt(password, salt, LEGACY_KEY_LENGTH, { N: n, r, p, maxmem: 256 * n * r }, (error, key) =>
      resolve(!error && timingSafeEqual(key, expected)),
    );
  });
}
