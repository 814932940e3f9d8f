/** Process exit codes of swiftd and its workers. */
export const ExitCode = {
  /** Clean exit. */
  OK: 0,
  /** The config is wrong or the server could not start (bind, privileges, pipeline). */
  CONFIG: 1,
  /** The command line is wrong; the usage is printed. */
  USAGE: 2,
  /** A worker could not boot; the parent stops rather than respawning it in a loop. */
  WORKER_BOOT: 3,
} as const;

/** One of the named exit codes. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];
