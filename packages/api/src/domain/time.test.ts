import { afterEach, describe, expect, it } from "vitest";
import { formatClockTime, formatEventDate, formatEventTime } from "./time";

const processZone = process.env.TZ;
afterEach(() => {
  if (processZone === undefined) delete process.env.TZ;
  else process.env.TZ = processZone;
});

// 7:30 PM in Austin on Dec 18, 2026: 01:30 UTC on the 19th, 10:30 AM on the 19th in Tokyo.
const austinShow = new Date("2026-12-19T01:30:00Z");

describe("event times", () => {
  it("read in the venue's zone with its abbreviation, whatever the zone of the process", () => {
    for (const zone of ["UTC", "Asia/Tokyo", "America/Los_Angeles"]) {
      process.env.TZ = zone;
      expect(new Date(0).getTimezoneOffset()).toBe(zone === "UTC" ? 0 : zone === "Asia/Tokyo" ? -540 : 480);
      expect(formatEventTime(austinShow, "America/Chicago")).toBe("Fri, Dec 18, 2026, 7:30 PM CST");
      expect(formatEventDate(austinShow, "America/Chicago")).toBe("Dec 18");
    }
  });

  it("follow daylight saving time and name zones without a US abbreviation by their offset", () => {
    expect(formatEventTime(new Date("2027-07-03T00:30:00Z"), "America/Chicago")).toBe("Fri, Jul 2, 2027, 7:30 PM CDT");
    expect(formatEventTime(new Date("2026-12-18T19:30:00Z"), "Europe/London")).toBe("Fri, Dec 18, 2026, 7:30 PM GMT");
    expect(formatEventTime(new Date("2027-07-02T18:30:00Z"), "Europe/London")).toBe("Fri, Jul 2, 2027, 7:30 PM GMT+1");
    expect(formatClockTime(new Date("2026-12-19T01:42:00Z"), "America/Los_Angeles")).toBe("5:42 PM PST");
  });
});
