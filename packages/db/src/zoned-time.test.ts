import { describe, expect, it } from "vitest";
import { isTimeZone, resolveWallTime, zonedDate, zoneOffsetMs } from "./zoned-time";

const at = (iso: string) => new Date(iso);
const wall = (iso: string) => {
  const [date = "", time = ""] = iso.split("T");
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute, second = 0] = time.split(":").map(Number);
  return { year: year ?? 0, month: month ?? 0, day: day ?? 0, hour: hour ?? 0, minute: minute ?? 0, second };
};

describe("time zones", () => {
  it("knows IANA zones from the runtime's list, and UTC", () => {
    expect(isTimeZone("America/Chicago")).toBe(true);
    expect(isTimeZone("Europe/London")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("America/Atlantis")).toBe(false);
    expect(isTimeZone("CST")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });

  it("reads a zone's offset at an instant, daylight saving included", () => {
    expect(zoneOffsetMs(at("2026-12-18T12:00:00Z"), "America/Chicago")).toBe(-6 * 3_600_000);
    expect(zoneOffsetMs(at("2026-07-18T12:00:00Z"), "America/Chicago")).toBe(-5 * 3_600_000);
    expect(zoneOffsetMs(at("2026-07-18T12:00:00Z"), "Asia/Kolkata")).toBe(5.5 * 3_600_000);
    expect(zoneOffsetMs(at("2026-07-18T12:00:00Z"), "UTC")).toBe(0);
  });

  it("gives the local day of an instant: late evening in Austin is the next day in UTC", () => {
    expect(zonedDate(at("2026-12-19T04:30:00Z"), "America/Chicago")).toEqual({ year: 2026, month: 12, day: 18 });
    expect(zonedDate(at("2026-12-19T04:30:00Z"), "UTC")).toEqual({ year: 2026, month: 12, day: 19 });
  });
});

describe("a local date-time in a zone", () => {
  it("is one instant on an ordinary day, in winter and in summer", () => {
    expect(resolveWallTime(wall("2026-12-18T19:30"), "America/Chicago")).toEqual({
      kind: "instant",
      instant: at("2026-12-19T01:30:00Z"),
    });
    expect(resolveWallTime(wall("2027-07-02T19:30"), "America/Chicago")).toEqual({
      kind: "instant",
      instant: at("2027-07-03T00:30:00Z"),
    });
    expect(resolveWallTime(wall("2026-12-18T19:30"), "Europe/London")).toEqual({
      kind: "instant",
      instant: at("2026-12-18T19:30:00Z"),
    });
    expect(resolveWallTime(wall("2026-12-18T19:30"), "Asia/Kathmandu")).toEqual({
      kind: "instant",
      instant: at("2026-12-18T13:45:00Z"),
    });
  });

  it("does not exist in the hour the clocks skip (spring forward)", () => {
    // Chicago, 2027-03-14: 1:59:59 AM CST is followed by 3:00 AM CDT.
    expect(resolveWallTime(wall("2027-03-14T02:00"), "America/Chicago")).toEqual({ kind: "gap" });
    expect(resolveWallTime(wall("2027-03-14T02:59:59"), "America/Chicago")).toEqual({ kind: "gap" });
    expect(resolveWallTime(wall("2027-03-14T01:59:59"), "America/Chicago")).toEqual({
      kind: "instant",
      instant: at("2027-03-14T07:59:59Z"),
    });
    expect(resolveWallTime(wall("2027-03-14T03:00"), "America/Chicago")).toEqual({
      kind: "instant",
      instant: at("2027-03-14T08:00:00Z"),
    });
    // London, 2027-03-28: 1:00 AM GMT jumps to 2:00 AM BST.
    expect(resolveWallTime(wall("2027-03-28T01:30"), "Europe/London")).toEqual({ kind: "gap" });
    // Southern hemisphere: Sydney springs forward in October.
    expect(resolveWallTime(wall("2026-10-04T02:30"), "Australia/Sydney")).toEqual({ kind: "gap" });
  });

  it("happens twice in the hour the clocks repeat (fall back), and says both instants", () => {
    // Chicago, 2026-11-01: 1:59:59 AM CDT is followed by 1:00 AM CST.
    expect(resolveWallTime(wall("2026-11-01T01:30"), "America/Chicago")).toEqual({
      kind: "overlap",
      earlier: at("2026-11-01T06:30:00Z"),
      later: at("2026-11-01T07:30:00Z"),
    });
    expect(resolveWallTime(wall("2026-11-01T01:00"), "America/Chicago").kind).toBe("overlap");
    expect(resolveWallTime(wall("2026-11-01T00:59:59"), "America/Chicago")).toEqual({
      kind: "instant",
      instant: at("2026-11-01T05:59:59Z"),
    });
    expect(resolveWallTime(wall("2026-11-01T02:00"), "America/Chicago")).toEqual({
      kind: "instant",
      instant: at("2026-11-01T08:00:00Z"),
    });
    // Lord Howe Island moves its clocks by half an hour.
    expect(resolveWallTime(wall("2027-04-04T01:45"), "Australia/Lord_Howe")).toEqual({
      kind: "overlap",
      earlier: at("2027-04-03T14:45:00Z"),
      later: at("2027-04-03T15:15:00Z"),
    });
  });

  it("does not exist on a day a zone skipped whole (Samoa crossed the date line in 2011)", () => {
    expect(resolveWallTime(wall("2011-12-30T12:00"), "Pacific/Apia")).toEqual({ kind: "gap" });
    expect(resolveWallTime(wall("2011-12-31T12:00"), "Pacific/Apia")).toEqual({
      kind: "instant",
      instant: at("2011-12-30T22:00:00Z"),
    });
  });

  it("never has a gap or an overlap in UTC", () => {
    expect(resolveWallTime(wall("2027-03-14T02:30"), "UTC")).toEqual({
      kind: "instant",
      instant: at("2027-03-14T02:30:00Z"),
    });
  });
});
