import { type Algorithm, hash } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import { hashPassword, NO_PASSWORD, passwordNeedsRehash, verifyPassword } from "./passwords";

// The package's enums are `const` (no runtime object under isolated modules): values spelled out.
const ARGON2I: Algorithm.Argon2i = 1;
const ARGON2ID: Algorithm.Argon2id = 2;

describe("password hashes", () => {
  it("are argon2id PHC strings at OWASP's parameters, salted per hash", async () => {
    const first = await hashPassword("correct horse battery");
    const second = await hashPassword("correct horse battery");
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(second).not.toBe(first);
    expect(await verifyPassword("correct horse battery", first)).toBe(true);
    expect(await verifyPassword("correct horse batterY", first)).toBe(false);
    expect(passwordNeedsRehash(first)).toBe(false);
  });

  it("match the same password however Unicode composes it", async () => {
    const composed = "caf\u00e9 au lait, s'il vous pla\u00eet";
    const decomposed = composed.normalize("NFD");
    expect(decomposed).not.toBe(composed);
    expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true);
  });

  it("ask for a new hash when made under other parameters or by the older scrypt scheme", async () => {
    const cheaper = await hash("x", { algorithm: ARGON2ID, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    expect(passwordNeedsRehash(cheaper)).toBe(true);
    const argon2i = await hash("x", { algorithm: ARGON2I, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(passwordNeedsRehash(argon2i)).toBe(true);
    expect(passwordNeedsRehash("scrypt$32768$8$1$c2FsdA$a2V5")).toBe(true);
  });

  it("never match a malformed or disabled stored value", async () => {
    for (const stored of [NO_PASSWORD, "", "$argon2id$v=19$m=19456,t=2,p=1$bad", "scrypt$0$8$1$$", "scrypt$x"]) {
      expect(await verifyPassword("disabled", stored)).toBe(false);
      expect(await verifyPassword("", stored)).toBe(false);
    }
  });
});
