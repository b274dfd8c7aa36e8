import { describe, expect, it } from "vitest";
import { type Cached, createEventCache } from "./event-cache";

type Named = { name: string };
type CachedEvent = Cached<Named>;
const loaded = (name: string, changesAt: Date | null = null): CachedEvent => ({ value: { name }, changesAt });

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe("the event read cache", () => {
  it("answers from memory until a mutation invalidates it", async () => {
    const cache = createEventCache();
    let reads = 0;
    const load = async () => loaded(`v${++reads}`);
    expect((await cache.get("e1", "e1", load)).name).toBe("v1");
    expect((await cache.get("e1", "e1", load)).name).toBe("v1");
    expect(reads).toBe(1);
    cache.invalidate();
    expect((await cache.get("e1", "e1", load)).name).toBe("v2");
    expect(reads).toBe(2);
  });

  it("lets an entry lapse when the event's earliest hold expires", async () => {
    let clock = 1_000;
    const cache = createEventCache({ now: () => clock });
    let reads = 0;
    const load = async () => loaded(`v${++reads}`, new Date(2_000));
    await cache.get("e1", "e1", load);
    clock = 1_999;
    expect((await cache.get("e1", "e1", load)).name).toBe("v1");
    clock = 2_000;
    expect((await cache.get("e1", "e1", load)).name).toBe("v2");
  });

  it("does not keep a read that overlapped an invalidation, nor let later callers join it", async () => {
    const cache = createEventCache();
    const slow = deferred<CachedEvent>();
    const first = cache.get("e1", "e1", () => slow.promise);
    // A booking commits while the first read is under way.
    cache.invalidate();
    const second = cache.get("e1", "e1", async () => loaded("after"));
    slow.resolve(loaded("before"));
    expect((await first).name).toBe("before");
    expect((await second).name).toBe("after");
    expect((await cache.get("e1", "e1", async () => loaded("third"))).name).toBe("after");
  });

  it("shares one read among concurrent callers, but not its failure", async () => {
    const cache = createEventCache();
    const slow = deferred<CachedEvent>();
    let reads = 0;
    const calls = Array.from({ length: 5 }, () =>
      cache.get("e1", "e1", () => {
        reads++;
        return slow.promise;
      }),
    );
    slow.resolve(loaded("shared"));
    expect((await Promise.all(calls)).map((event) => event.name)).toEqual(Array(5).fill("shared"));
    expect(reads).toBe(1);

    let fail!: (error: Error) => void;
    const owner = cache.get(
      "e2",
      "e2",
      () =>
        new Promise<CachedEvent>((_, reject) => {
          fail = reject;
        }),
    );
    const joiner = cache.get("e2", "e2", async () => loaded("own read"));
    // The owner's read fails (its deadline, say): it sees the error, the joiner reads for itself.
    fail(new Error("deadline"));
    await expect(owner).rejects.toThrow("deadline");
    expect((await joiner).name).toBe("own read");
  });

  it("keeps at most maxEntries events, dropping the oldest", async () => {
    const cache = createEventCache({ maxEntries: 2 });
    for (const id of ["a", "b", "c"]) await cache.get(id, id, async () => loaded(id));
    expect(cache.size).toBe(2);
    let reread = false;
    await cache.get("a", "a", async () => {
      reread = true;
      return loaded("a");
    });
    expect(reread).toBe(true);
  });

  it("forgets one event's entries and every list on that event's change, and keeps the rest", async () => {
    const cache = createEventCache();
    let reads = 0;
    const load = (name: string) => async () => loaded(`${name}${++reads}`);
    await cache.get("getEvent:a", "a", load("a"));
    await cache.get("getSeatMap:a", "a", load("map-a"));
    await cache.get("getEvent:b", "b", load("b"));
    await cache.get("listEvents:{}", null, load("list"));
    expect(cache.size).toBe(4);
    cache.invalidateEvents(["a"]);
    expect(cache.size).toBe(1);
    expect((await cache.get("getEvent:b", "b", load("b"))).name).toBe("b3");
    expect((await cache.get("getEvent:a", "a", load("a"))).name).toBe("a5");
    expect((await cache.get("listEvents:{}", null, load("list"))).name).toBe("list6");
  });

  it("while disabled reads every time and keeps nothing; enabling starts empty", async () => {
    const cache = createEventCache({ enabled: false });
    let reads = 0;
    const load = async () => loaded(`v${++reads}`);
    expect((await cache.get("e1", "e1", load)).name).toBe("v1");
    expect((await cache.get("e1", "e1", load)).name).toBe("v2");
    expect(cache.size).toBe(0);
    cache.setEnabled(true);
    expect((await cache.get("e1", "e1", load)).name).toBe("v3");
    expect((await cache.get("e1", "e1", load)).name).toBe("v3");
    // A read in flight when the feed drops is not kept either.
    cache.invalidate();
    const slow = deferred<CachedEvent>();
    const during = cache.get("e1", "e1", () => slow.promise);
    cache.setEnabled(false);
    slow.resolve(loaded("during"));
    expect((await during).name).toBe("during");
    cache.setEnabled(true);
    expect(cache.size).toBe(0);
  });
});
