import { describe, expect, it } from "vitest";
import { checkRow, FeedError, type FeedRow, readFeedRows } from "./feed";

/** The feed's bytes in chunks of `size`, as a network would deliver them. */
async function* chunked(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

async function rowsOf(text: string, size = 64 * 1024): Promise<FeedRow[]> {
  const rows: FeedRow[] = [];
  for await (const row of readFeedRows(chunked(text, size))) rows.push(row);
  return rows;
}

const csv = [
  "\uFEFFexternalId,Name,venue,startsAt,description",
  'gala-1,Spring Gala,The Lantern Room,2027-04-01T19:30:00Z,"Two sets,',
  'one night"',
  "",
  "gala-2,Summer Gala,The Lantern Room,2027-07-01T19:30:00+02:00,",
  "gala-3,Short,The Lantern Room",
  "",
].join("\r\n");

const csvRows: FeedRow[] = [
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
];

describe("reading a CSV feed as it arrives", () => {
  it("numbers rows and the line each starts on, across quoted line breaks and blank lines", async () => {
    expect(await rowsOf(csv)).toEqual(csvRows);
  });

  it("reads the same rows whatever the chunks are cut at (mid-character, mid-CRLF, mid-quote)", async () => {
    const withAccents = csv.replace("Spring Gala", "Fête du Printemps");
    const whole = await rowsOf(withAccents);
    for (let size = 1; size <= 40; size++) expect(await rowsOf(withAccents, size)).toEqual(whole);
  });

  it("hands out rows before the feed has ended", async () => {
    let sent = 0;
    async function* slow(): AsyncGenerator<Uint8Array> {
      const encoder = new TextEncoder();
      yield encoder.encode("externalId,name,venue,startsAt\na-1,A,The Lantern Room,2027-01-01T00:00:00Z\n");
      sent = 1;
      yield encoder.encode("a-2,B,The Lantern Room,2027-01-01T00:00:00Z\n");
      sent = 2;
    }
    const seen: [number, number][] = [];
    for await (const row of readFeedRows(slow())) seen.push([row.row, sent]);
    // Row 1 was handed out while the second chunk had not been read yet.
    expect(seen[0]).toEqual([1, 0]);
    expect(seen.map(([row]) => row)).toEqual([1, 2]);
  });

  it("refuses a feed it cannot read, saying why", async () => {
    const cases: [string, string][] = [
      ["", "The feed is empty: send a JSON array of rows or CSV with a header row."],
      [
        "externalId,name,venue,startsAt,price\n",
        'The feed has an unknown column "price" (columns: externalId, name, venue, startsAt, description, status, organizerId).',
      ],
      ["externalId,name\n", "The feed's header lacks venue, startsAt."],
      ["externalId,name,venue,startsAt,Name\n", "The feed's column name appears twice."],
      ['externalId,name,venue,startsAt\na,"open,b,c\n', "The feed is not valid CSV: Quote Not Closed"],
    ];
    for (const [content, message] of cases) {
      const read = rowsOf(content);
      await expect(read).rejects.toBeInstanceOf(FeedError);
      await expect(read).rejects.toThrow(message);
    }
  });
});

describe("reading a JSON feed as it arrives", () => {
  const json = JSON.stringify([
    { externalId: "a", name: 'quote " and ] and , inside', nested: { list: [1, 2, { x: "}" }] } },
    42,
    null,
    ["x"],
  ]);

  it("numbers rows from 1 and flags rows that are not objects", async () => {
    expect(await rowsOf(json)).toEqual([
      { row: 1, fields: { externalId: "a", name: 'quote " and ] and , inside', nested: { list: [1, 2, { x: "}" }] } } },
      { row: 2, fields: {}, problem: "is 42, not an object" },
      { row: 3, fields: {}, problem: "is null, not an object" },
      { row: 4, fields: {}, problem: 'is ["x"], not an object' },
    ]);
  });

  it("reads the same rows whatever the chunks are cut at", async () => {
    const pretty = `\n  ${JSON.stringify(JSON.parse(json), null, 2)}\n`;
    const whole = await rowsOf(pretty);
    for (let size = 1; size <= 30; size++) expect(await rowsOf(pretty, size)).toEqual(whole);
    expect(await rowsOf("[]")).toEqual([]);
  });

  it("refuses what is not a JSON array of rows, after the rows before the fault", async () => {
    const cases: [string, string][] = [
      ["[{", "The feed is not valid JSON: the array is not closed."],
      ['[{"a": 1}, {"b": }]', "The feed is not valid JSON at row 2"],
      ["[1,]", "The feed is not valid JSON at row 2"],
      ["[1] [2]", "The feed has text after its JSON array."],
    ];
    for (const [content, message] of cases) {
      await expect(rowsOf(content)).rejects.toThrow(message);
    }
    await expect(rowsOf('{"rows": []}')).rejects.toThrow("The feed must hold a JSON array of rows.");
    const bad = new Uint8Array([0x5b, 0xff, 0x5d]);
    await expect(
      (async () => {
        for await (const _ of readFeedRows(
          (async function* () {
            yield bad;
          })(),
        )) {
        }
      })(),
    ).rejects.toThrow("The feed is not UTF-8 text.");
  });
});

describe("checking a row", () => {
  const good = {
    externalId: "gala-1",
    name: "Spring Gala",
    venue: "The Lantern Room",
    startsAt: "2027-04-01T21:30:00+02:00",
  };

  it("accepts a good row as the same instant", () => {
    expect(checkRow({ row: 1, fields: { ...good, status: "on_sale" } })).toEqual({
      ok: true,
      row: 1,
      input: { ...good, startsAt: new Date("2027-04-01T19:30:00.000Z"), status: "on_sale" },
    });
  });

  it("takes a local date-time without an offset, to be read in the venue's time zone", () => {
    expect(checkRow({ row: 1, fields: { ...good, startsAt: "2027-04-01T19:30" } })).toEqual({
      ok: true,
      row: 1,
      input: {
        ...good,
        startsAt: {
          text: "2027-04-01T19:30",
          wall: { year: 2027, month: 4, day: 1, hour: 19, minute: 30, second: 0 },
        },
      },
    });
  });

  it("gives each bad row a reason a person can act on", () => {
    const reasonFor = (fields: Record<string, unknown>, problem?: string) => {
      const checked = checkRow({ row: 4, line: 5, fields, ...(problem && { problem }) });
      if (checked.ok) throw new Error("expected a bad row");
      return checked.reason;
    };
    expect(reasonFor({ ...good, startsAt: "next Friday" })).toBe(
      "startsAt must be an ISO 8601 date-time with a UTC offset (2027-04-01T19:30:00-05:00) or a local date-time in the venue's time zone (2027-04-01T19:30)",
    );
    // A day the calendar does not have is not a local time either.
    expect(reasonFor({ ...good, startsAt: "2027-02-30T19:30" })).toBe(
      "startsAt must be an ISO 8601 date-time with a UTC offset (2027-04-01T19:30:00-05:00) or a local date-time in the venue's time zone (2027-04-01T19:30)",
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
