import { z } from "zod";
import { userRole } from "./common";

const email = z
  .email({ error: "Enter a valid email address" })
  .max(254)
  .transform((value) => value.toLowerCase());

export const signUpInput = z.object({
  email,
  password: z.string().min(8, { error: "Use at least 8 characters" }).max(200, { error: "Use at most 200 characters" }),
  name: z.string().trim().min(1, { error: "Tell us your name" }).max(100),
});

export const signInInput = z.object({
  email,
  password: z.string().min(1, { error: "Enter your password" }).max(200),
});

export const userOutput = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: userRole,
});

export const sessionOutput = z.object({
  token: z.string(),
  expiresAt: z.date(),
  user: userOutput,
});

export type User = z.infer<typeof userOutput>;
export type Session = z.infer<typeof sessionOutput>;
