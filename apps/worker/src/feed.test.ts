import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkRow, FeedError, readFeed } from "./feed";

const dir = mkdtempSync(join(tmpdir(), "worker-feed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function feedFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("reading a CSV feed", () => {
  it("numbers rows and the line each starts on, across quoted line breaks and blank lines", async () => {
    const path = feedFile(
      "events.csv",
      [
        "\uFEFFexternalId,Name,venue,startsAt,description",
        'gala-1,Spring Gala,The Lantern Room,2027-04-01T19:30:00Z,"Two sets,',
        'one night"',
        "",
        "gala-2,Summer Gala,The Lantern Room,2027-07-01T19:30:00+02:00,",
        "gala-3,Short,The Lantern Room",
        "",
      ].join("\r\n"),
    );
    const rows = await readFeed(path);
    expect(rows).toEqual([
      {
        row: 1,
        line: 2,
        fields: {
          externalId: "gala-1",
          name: "Spring Gala",
          venue: "The Lantern Room",
          startsAt: "2027-04-01T19:30:00Z",
          description: "Two sets,\none night",
        },
      },
      {
        row: 2,
        line: 5,
        fields: {
          externalId: "gala-2",
          name: "Summer Gala",
          venue: "The Lantern Room",
          startsAt: "2027-07-01T19:30:00+02:00",
        },
      },
      {
        row: 3,
        line: 6,
        fields: { externalId: "gala-3", name: "Short", venue: "The Lantern Room" },
        problem: "has 3 fields; the header has 5",
      },
    ]);
  });

  it("refuses a file it cannot read as a feed, saying why", async () => {
    const cases: [string, string, string][] = [
      ["empty.csv", "", "empty.csv is empty: a CSV feed starts with a header row"],
      [
        "extra.csv",
        "externalId,name,venue,startsAt,price\n",
        'extra.csv: unknown column "price" (columns: externalId, name, venue, startsAt, description, status, organizerId)',
      ],
      ["lacking.csv", "externalId,name\n", "lacking.csv: the header lacks venue, startsAt"],
      ["twice.csv", "externalId,name,venue,startsAt,Name\n", "twice.csv: the column name appears twice"],
      ["quote.csv", 'externalId,name,venue,startsAt\na,"open,b,c\n', "quote.csv is not valid CSV: Quote Not Closed"],
      ["broken.json", "[{", "broken.json is not valid JSON"],
      ["object.json", '{"rows": []}', "object.json must hold a JSON array of rows"],
      ["events.xml", "<events/>", "events.xml: a feed is a .json or .csv file"],
    ];
    for (const [name, content, message] of cases) {
      const read = readFeed(feedFile(name, content));
      await expect(read).rejects.toBeInstanceOf(FeedError);
      await expect(read).rejects.toThrow(message);
    }
    await expect(readFeed(join(dir, "missing.json"))).rejects.toThrow(`${join(dir, "missing.json")}: no such file`);
  });
});

describe("checking a row", () => {
  const good = {
    externalId: "gala-1",
    name: "Spring Gala",
    venue: "The Lantern Room",
    startsAt: "2027-04-01T21:30:00+02:00",
  };

  it("accepts a good row and sends startsAt as the same instant", () => {
    expect(checkRow({ row: 1, fields: { ...good, status: "on_sale" } })).toEqual({
      ok: true,
      row: 1,
      input: { ...good, startsAt: "2027-04-01T19:30:00.000Z", status: "on_sale" },
    });
  });

  it("gives each bad row a reason a person can act on", () => {
    const reasonFor = (fields: Record<string, unknown>, problem?: string) => {
      const checked = checkRow({ row: 4, line: 5, fields, ...(problem && { problem }) });
      if (checked.ok) throw new Error("expected a bad row");
      return checked.reason;
    };
    expect(reasonFor({ ...good, startsAt: "2027-04-01T19:30:00" })).toBe(
      "startsAt must be an ISO 8601 date-time with a UTC offset (Z or ±hh:mm)",
    );
    expect(reasonFor({ ...good, startsAt: "next Friday" })).toBe(
      "startsAt must be an ISO 8601 date-time with a UTC offset (Z or ±hh:mm)",
    );
    expect(reasonFor({ externalId: "x-1", startsAt: good.startsAt })).toBe("name is required; venue is required");
    expect(reasonFor({ ...good, externalId: "no spaces!" })).toBe("externalId may hold letters, digits and . _ : - /");
    expect(reasonFor({ ...good, status: "maybe" })).toBe(
      'status: Invalid option: expected one of "scheduled"|"on_sale"|"sold_out"|"cancelled"',
    );
    expect(reasonFor({ ...good, price: 12 })).toBe('Unrecognized key: "price"');
    expect(reasonFor({ ...good, name: 42 })).toBe("name: Invalid input: expected string, received number");
    expect(reasonFor({}, "is 42, not an object")).toBe("is 42, not an object");
  });

  it("keeps where the row was and its externalId with the reason", () => {
    expect(checkRow({ row: 4, line: 5, fields: { ...good, startsAt: "2027-04-01" } })).toMatchObject({
      ok: false,
      row: 4,
      line: 5,
      externalId: "gala-1",
    });
  });
});

describe("reading a JSON feed", () => {
  it("numbers rows from 1 and flags rows that are not objects", async () => {
    const rows = await readFeed(feedFile("events.json", JSON.stringify([{ externalId: "a" }, 42, null, ["x"]])));
    expect(rows).toEqual([
      { row: 1, fields: { externalId: "a" } },
      { row: 2, fields: {}, problem: "is 42, not an object" },
      { row: 3, fields: {}, problem: "is null, not an object" },
      { row: 4, fields: {}, problem: 'is ["x"], not an object' },
    ]);
  });
});
