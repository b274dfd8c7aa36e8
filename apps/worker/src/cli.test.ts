import { describe, expect, it } from "vitest";
import { parseCommand } from "./cli";

describe("the command line", () => {
  it("runs the jobs, once or for good, or imports one feed", () => {
    expect(parseCommand([])).toEqual({ kind: "jobs", once: false });
    expect(parseCommand(["--once"])).toEqual({ kind: "jobs", once: true });
    expect(parseCommand(["import", "feed.csv"])).toEqual({ kind: "import", file: "feed.csv" });
    expect(parseCommand(["--help"])).toEqual({ kind: "help" });
  });

  it("says what is wrong with a command it does not understand", () => {
    expect(() => parseCommand(["sweep"])).toThrow('unknown command "sweep"');
    expect(() => parseCommand(["import"])).toThrow("import takes one feed file");
    expect(() => parseCommand(["import", "a.csv", "b.csv"])).toThrow("import takes one feed file");
    expect(() => parseCommand(["--twice"])).toThrow("Unknown option '--twice'");
  });
});
