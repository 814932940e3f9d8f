/**
 * Swift's capture_stdio(): once a server is up, stray writes to stdout/stderr become log lines
 * (`STDOUT: ...` / `STDERR: ...` at ERROR) and uncaught errors are logged as
 * `UNCAUGHT EXCEPTION` with their stack. Swift then dies of the exception; a swiftd process
 * logs it and keeps serving, because one failed callback must not drop every request in flight.
 */
import { redirectToDevNull } from "../common/dev_null.ts";
import { Level } from "./format.ts";
import type { SwiftLogger } from "./logger.ts";

type ConsoleMethod = "log" | "info" | "debug" | "dir" | "table" | "warn" | "error" | "trace";

/** Which stream each console method writes to in Deno. */
const STREAM_OF: Record<ConsoleMethod, "STDOUT" | "STDERR"> = {
  log: "STDOUT",
  info: "STDOUT",
  debug: "STDOUT",
  dir: "STDOUT",
  table: "STDOUT",
  warn: "STDERR",
  error: "STDERR",
  trace: "STDERR",
};

/** How to capture. */
export interface CaptureOptions {
  /** Keep fd 2 open because log lines are written there (stderr logging, `--verbose`). */
  readonly keepStderr: boolean;
  /** Keep fd 0 open: a worker's stdin is the pipe whose end tells it the parent is gone. */
  readonly keepStdin?: boolean;
  /** Point fds 0, 1 (and 2 unless kept) at /dev/null, as Swift does; off in unit tests. */
  readonly redirectFds?: boolean;
}

/** Routes console output and uncaught errors to `logger`; returns a function that undoes it. */
export function captureStdio(logger: SwiftLogger, options: CaptureOptions): () => void {
  const saved = new Map<ConsoleMethod, (...args: unknown[]) => void>();
  let writing = false; // a failing log write must not recurse through console.error
  for (const method of Object.keys(STREAM_OF) as ConsoleMethod[]) {
    saved.set(method, console[method] as (...args: unknown[]) => void);
    console[method] = (...args: unknown[]) => {
      if (writing) return;
      writing = true;
      try {
        const text = args.map((a) => typeof a === "string" ? a : Deno.inspect(a)).join(" ").trim();
        if (!text) return;
        const type = STREAM_OF[method];
        logger.error(
          text.includes("Connection reset by peer")
            ? `${type}: Connection reset by peer`
            : `${type}: ${text}`,
        );
      } finally {
        writing = false;
      }
    };
  }
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    logger.log(Level.CRITICAL, "UNCAUGHT EXCEPTION", event.error ?? event.message);
  };
  const onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    logger.log(Level.CRITICAL, "UNCAUGHT EXCEPTION", event.reason);
  };
  globalThis.addEventListener("error", onError);
  globalThis.addEventListener("unhandledrejection", onRejection);
  if (options.redirectFds ?? true) {
    redirectToDevNull(
      [0, 1, 2].filter((fd) =>
        !(fd === 0 && options.keepStdin) && !(fd === 2 && options.keepStderr)
      ),
    );
  }
  return () => {
    for (const [method, fn] of saved) console[method] = fn;
    globalThis.removeEventListener("error", onError);
    globalThis.removeEventListener("unhandledrejection", onRejection);
  };
}
