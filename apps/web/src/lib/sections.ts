/**
 * The section the seat map opens on: the one asked for (a return from sign-in), else the
 * first with seats left. Server and browser must agree, so both call this.
 */
export function pickSection(
  sections: readonly { name: string; available: number }[] | undefined,
  wanted?: string,
): string | undefined {
  if (!sections || sections.length === 0) return undefined;
  if (wanted && sections.some((section) => section.name === wanted)) return wanted;
  return (sections.find((section) => section.available > 0) ?? sections[0])?.name;
}
