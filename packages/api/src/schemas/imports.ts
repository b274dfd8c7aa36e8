import { z } from "zod";
import { id } from "./common";

export const importIdInput = z.object({ importId: id("importId") });

export const importProgressInput = importIdInput.extend({
  lastEventId: z
    .string()
    .regex(/^\d{1,9}$/, { error: "lastEventId is the id of an update this subscription sent" })
    .nullish(),
});

export const rowFailure = z.object({
  row: z.number().int(),
  line: z.number().int().optional(),
  externalId: z.string().optional(),
  reason: z.string(),
});

export const importStatus = z.enum(["running", "done", "failed"]);

/** An import's progress, and when it is done, its report. */
export const importRunOutput = z.object({
  importId: z.uuid(),
  status: importStatus,
  /** Rows read so far, good and bad. */
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  failedCount: z.number().int(),
  /** The failed rows, the first ones when there are very many (failedCount has them all). */
  failed: z.array(rowFailure),
  /** Why an import stopped before the end of its feed. */
  error: z.string().nullable(),
  startedAt: z.date(),
  updatedAt: z.date(),
  finishedAt: z.date().nullable(),
});

export type ImportRun = z.infer<typeof importRunOutput>;
