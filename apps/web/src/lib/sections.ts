/**
 * The section the seat map opens on: the one asked for (a return from sign-in), else the
 * one with the most seats left. Server and browser must agree, so both call this.
 */
export function pickSection(
  sections: readonly { name: string; available: number }[] | undefined,
  wanted?: string,
): string | undefined {
  if (!sections || sections.length === 0) return undefined;
  if (wanted && sections.some((section) => section.name === wanted)) return wanted;
  let best = sections[0];
  for (const section of sections) if (best && section.available > best.available) best = section;
  return best?.name;
}
