"use client";

import type { RouterOutputs } from "@ticketing/api";
import { type KeyboardEvent, memo, useMemo, useRef, useState } from "react";
import { formatMoney } from "@/lib/format";

export type Seat = RouterOutputs["getSeatMap"]["seats"][number];

interface Row {
  name: string;
  seats: Seat[];
}

/** Seats arrive ordered by section, row and number; this keeps that order per row. */
function rowsOf(seats: Seat[]): Row[] {
  const rows: Row[] = [];
  for (const seat of seats) {
    const last = rows.at(-1);
    if (last?.name === seat.row) last.seats.push(seat);
    else rows.push({ name: seat.row, seats: [seat] });
  }
  return rows;
}

const statusWords = { available: "available", held: "held by another buyer", sold: "sold" } as const;

function statusWord(seat: Seat, selected: boolean, mine: boolean): string {
  if (selected) return "selected";
  if (seat.status === "held" && mine) return "held by you, awaiting payment";
  return statusWords[seat.status];
}

interface SeatMapProps {
  section: string;
  seats: Seat[];
  selected: ReadonlySet<string>;
  /** Seats of the viewer's own unpaid holds: "held" on the map, but theirs. */
  mine: ReadonlySet<string>;
  /** Seats that someone else just took from this buyer's pick: outlined until the next booking try. */
  taken: ReadonlySet<string>;
  tierRank: ReadonlyMap<string, number>;
  tierNames: ReadonlyMap<string, string>;
  onToggle(seat: Seat): void;
}

/**
 * One section's seats, row by row. A single tab stop enters the map; the arrow keys move
 * between seats (roving tabindex), Enter or Space picks one. Held and sold seats stay
 * focusable so a screen reader can hear why they cannot be picked.
 */
export const SeatMap = memo(function SeatMap({
  section,
  seats,
  selected,
  mine,
  taken,
  tierRank,
  tierNames,
  onToggle,
}: SeatMapProps) {
  const rows = useMemo(() => rowsOf(seats), [seats]);
  const [focus, setFocus] = useState<{ row: number; index: number }>({ row: 0, index: 0 });
  const container = useRef<HTMLDivElement>(null);

  const moveTo = (row: number, index: number) => {
    const target = rows[row];
    if (!target) return;
    const clamped = Math.max(0, Math.min(index, target.seats.length - 1));
    setFocus({ row, index: clamped });
    container.current?.children[row]?.querySelectorAll("button")[clamped]?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      moveTo(focus.row + move[0], focus.index + move[1]);
    } else if (event.key === "Home") {
      event.preventDefault();
      moveTo(focus.row, 0);
    } else if (event.key === "End") {
      event.preventDefault();
      moveTo(focus.row, Number.MAX_SAFE_INTEGER);
    }
  };

  const focusRow = Math.min(focus.row, rows.length - 1);
  return (
    <div className="seat-map">
      <div className="stage" aria-hidden="true">
        STAGE
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a fieldset would impose form semantics on a picture of seats */}
      <div
        ref={container}
        className="seat-rows"
        role="group"
        aria-label={`Seats in ${section}. Use the arrow keys to move between seats.`}
        onKeyDown={onKeyDown}
      >
        {rows.map((row, r) => (
          <div className="seat-row" key={row.name}>
            <span className="seat-row__label" aria-hidden="true">
              {row.name}
            </span>
            {row.seats.map((seat, i) => {
              const isSelected = selected.has(seat.seatId);
              const isMine = seat.status === "held" && mine.has(seat.seatId);
              const current = r === focusRow && i === Math.min(focus.index, row.seats.length - 1);
              return (
                <button
                  key={seat.seatId}
                  type="button"
                  className={tierRank.get(seat.tier) === 0 ? "seat seat--top" : "seat"}
                  data-status={seat.status}
                  data-mine={isMine || undefined}
                  data-taken={taken.has(seat.seatId) || undefined}
                  tabIndex={current ? 0 : -1}
                  aria-pressed={isSelected}
                  aria-disabled={seat.status !== "available" || undefined}
                  aria-label={`${section} row ${seat.row} seat ${seat.number}, ${tierNames.get(seat.tier) ?? seat.tier} ${formatMoney(seat.priceCents)}, ${statusWord(seat, isSelected, isMine)}`}
                  onFocus={() => setFocus({ row: r, index: i })}
                  onClick={() => seat.status === "available" && onToggle(seat)}
                />
              );
            })}
          </div>
        ))}
      </div>
      <ul className="legend" aria-label="Legend">
        <li>
          <span className="seat" data-status="available" /> Available
        </li>
        <li>
          <span className="seat" data-selected="true" /> Your pick
        </li>
        {mine.size > 0 && (
          <li>
            <span className="seat" data-status="held" data-mine="true" /> Your hold
          </li>
        )}
        <li>
          <span className="seat" data-status="held" /> Held
        </li>
        <li>
          <span className="seat" data-status="sold" /> Sold
        </li>
      </ul>
    </div>
  );
});
