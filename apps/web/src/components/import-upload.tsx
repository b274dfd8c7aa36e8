"use client";

import type { RouterOutputs } from "@ticketing/api";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useRef, useState } from "react";
import { AlertIcon, CheckIcon } from "@/components/icons";
import { describeError } from "@/lib/errors";
import { plural } from "@/lib/format";
import { newIdempotencyKey } from "@/lib/idempotency";
import { useTRPCClient } from "@/trpc/client";

type ImportRun = RouterOutputs["importEvents"];

type UploadState =
  | { kind: "idle" }
  | { kind: "uploading"; fileName: string; progress: ImportRun | null }
  | { kind: "done"; fileName: string; report: ImportRun }
  | { kind: "failed"; fileName: string; message: string; progress: ImportRun | null };

const counts = (run: ImportRun) => `${run.created} created, ${run.updated} updated, ${run.failedCount} failed`;

/**
 * Bulk import from a CSV or JSON file: the file is uploaded as it is (an octet stream, read
 * by the server row by row as it arrives), and the import's progress streams back over
 * server-sent events while it runs. The report lists every row that did not go in.
 */
export function ImportUpload() {
  const client = useTRPCClient();
  const router = useRouter();
  const inputId = useId();
  const file = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<UploadState>({ kind: "idle" });

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const chosen = file.current?.files?.[0];
    if (!chosen || state.kind === "uploading") return;
    // The client names the import, so it can follow the progress while the upload runs.
    const importId = newIdempotencyKey();
    let progress: ImportRun | null = null;
    setState({ kind: "uploading", fileName: chosen.name, progress });
    const watch = client.onImportProgress.subscribe(
      { importId },
      {
        onData: ({ data }) => {
          progress = data;
          setState((current) => (current.kind === "uploading" ? { ...current, progress: data } : current));
        },
      },
    );
    try {
      const report = await client.importEvents.mutate(chosen, { context: { idempotencyKey: importId } });
      setState({ kind: "done", fileName: chosen.name, report });
      if (report.created > 0 || report.updated > 0) router.refresh();
    } catch (error) {
      setState({ kind: "failed", fileName: chosen.name, message: describeError(error), progress });
    } finally {
      watch.unsubscribe();
    }
  };

  return (
    <section className="card import-upload" aria-labelledby={`${inputId}-title`}>
      <h2 id={`${inputId}-title`}>Import events</h2>
      <p className="muted">
        A CSV file with a header row, or a JSON array, with the columns externalId, name, venue and startsAt (with a UTC
        offset, or in the venue's local time: 2027-04-01T19:30), and optionally description and status. Events are
        matched by externalId: importing a file again updates them.
      </p>
      <form onSubmit={submit} className="import-upload__form">
        <div className="field">
          <label htmlFor={inputId}>Feed file</label>
          <input id={inputId} ref={file} type="file" accept=".csv,.json,text/csv,application/json" required />
        </div>
        <button type="submit" className="button" disabled={state.kind === "uploading"}>
          {state.kind === "uploading" ? "Importing…" : "Upload and import"}
        </button>
      </form>
      {state.kind === "uploading" && (
        <p role="status" data-testid="import-progress">
          {state.progress
            ? `${state.fileName}: ${plural(state.progress.rows, "row")} read — ${counts(state.progress)}`
            : `Uploading ${state.fileName}…`}
        </p>
      )}
      {state.kind === "failed" && (
        <div className="alert alert--error" role="alert">
          <AlertIcon />
          <div className="alert__body">
            <p>
              {state.fileName} could not be imported: {state.message}
            </p>
            {state.progress && <p>Before it stopped: {counts(state.progress)}.</p>}
          </div>
        </div>
      )}
      {state.kind === "done" && <ImportReport fileName={state.fileName} report={state.report} />}
    </section>
  );
}

function ImportReport({ fileName, report }: { fileName: string; report: ImportRun }) {
  const clean = report.failedCount === 0;
  return (
    <div data-testid="import-report">
      <div className={`alert ${clean ? "alert--success" : "alert--warning"}`} role="status">
        {clean ? <CheckIcon /> : <AlertIcon />}
        <div className="alert__body">
          <p>
            {fileName}: {plural(report.rows, "row")} — {counts(report)}
          </p>
        </div>
      </div>
      {report.failed.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption>Rows that were not imported</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Row
                </th>
                <th scope="col" className="num">
                  Line
                </th>
                <th scope="col">External id</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {report.failed.map((failure) => (
                <tr key={failure.row}>
                  <td className="num">{failure.row}</td>
                  <td className="num">{failure.line ?? "—"}</td>
                  <td>{failure.externalId ?? "—"}</td>
                  <td>{failure.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.failedCount > report.failed.length && (
            <p className="muted">…and {report.failedCount - report.failed.length} more.</p>
          )}
        </div>
      )}
    </div>
  );
}
