/**
 * How swiftd starts a copy of itself: one list of Deno flags shared by the deno.json tasks
 * (a test keeps them equal) and by worker processes. A compiled binary (`deno compile`) has
 * the flags built in and is re-run as is; under `deno run` the same flags, config and main
 * module are passed again. Either way the executable is looked up at its path when a worker
 * starts, so replacing the binary and reloading (SIGUSR1) upgrades the workers.
 */
import { fromFileUrl } from "@std/path";

/**
 * Permissions and unstable features swiftd needs, for `deno run` and `deno compile` alike.
 * swiftd calls libc through FFI (xattrs, setuid, Unix datagrams), which no permission can
 * contain, and Deno grants reads of /proc/self (to find the sockets Deno.serve owns) only with
 * full access; so it asks for --allow-all rather than a list that would suggest a sandbox.
 * --unstable-net enables Deno.serve's reusePort.
 */
export const DENO_FLAGS = ["--allow-all", "--unstable-net"] as const;

/** The command and arguments that run `swiftd ...args` the way this process was run. */
export function selfCommand(args: readonly string[]): { command: string; args: string[] } {
  if (Deno.build.standalone) return { command: Deno.execPath(), args: [...args] };
  const main = fromFileUrl(Deno.mainModule);
  // The parent may have chdir'ed to "/", where deno would not find deno.json by itself.
  const config = fromFileUrl(new URL("./deno.json", Deno.mainModule));
  return {
    command: Deno.execPath(),
    args: ["run", ...DENO_FLAGS, "--config", config, main, ...args],
  };
}
