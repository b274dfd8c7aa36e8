import { z } from "zod";
import { id } from "./common";

export const actions = ["read", "book", "cancel", "manage"] as const;
export const action = z.enum(actions);

/** `event:<uuid>`, `booking:<uuid>` or `admin`. */
export const resource = z
  .string()
  .regex(/^(admin|(event|booking):[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/, {
    error: "resource must be event:<uuid>, booking:<uuid> or admin",
  });

export const checkPermissionInput = z.object({ userId: id("userId"), resource, action });
export const decisionOutput = z.object({ allowed: z.boolean(), reason: z.string() });

export type Action = z.infer<typeof action>;
export type Decision = z.infer<typeof decisionOutput>;
