/**
 * Deno 2.9 opens a V8 inspector on 127.0.0.1:9229 the first time a process gets SIGUSR1
 * (Node.js compatibility), and Deno has no switch to turn that off. SIGUSR1 is Swift's reload
 * signal, and an inspector lets any local user run code in the (root) supervisor. The
 * inspector cannot start if the port is taken, so the supervisor holds it: if another process
 * already holds it, no inspector can open either. While the port is free of holders the guard
 * keeps trying to take it.
 */

/** The address Deno's SIGUSR1 inspector binds. */
export const INSPECTOR_ADDRESS = { hostname: "127.0.0.1", port: 9229 } as const;

const RETRY_MS = 5_000;

/** Holds the inspector's port for as long as the process runs; returns a function to let go. */
export function guardInspectorPort(): () => void {
  let listener: Deno.Listener | undefined;
  let stopped = false;
  const take = () => {
    if (stopped || listener) return;
    try {
      listener = Deno.listen({ ...INSPECTOR_ADDRESS, transport: "tcp" });
      // Connections are never accepted: the port is held, not served.
    } catch {
      // Held by someone else (another swiftd, or a debugger the operator started): either way
      // Deno's inspector cannot bind it now; try again later in case it is released.
    }
  };
  take();
  const timer = setInterval(take, RETRY_MS);
  Deno.unrefTimer(timer);
  return () => {
    stopped = true;
    clearInterval(timer);
    listener?.close();
  };
}
