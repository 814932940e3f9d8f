/**
 * sd_notify(3) for Type=notify and Type=notify-reload units: READY=1 once serving, RELOADING=1
 * while a SIGUSR1 reload runs, STOPPING=1 when shutting down. Swift sends only READY=1.
 */
import { UnixDatagramSender } from "../common/unix_datagram.ts";

/** Sends sd_notify messages when NOTIFY_SOCKET is set; otherwise does nothing. */
export class SystemdNotifier {
  readonly #sender?: UnixDatagramSender;

  constructor(socketPath = Deno.env.get("NOTIFY_SOCKET")) {
    if (socketPath) this.#sender = new UnixDatagramSender(socketPath);
    // Workers must not inherit the socket path and announce themselves to systemd.
    Deno.env.delete("NOTIFY_SOCKET");
  }

  /** The service is up (again); MAINPID names the supervisor. */
  ready(): void {
    this.#send(`READY=1\nMAINPID=${Deno.pid}`);
  }

  /** A reload started; systemd wants the monotonic time with it. */
  reloading(): void {
    this.#send(`RELOADING=1\nMONOTONIC_USEC=${monotonicUsec()}`);
  }

  /** Shutdown started. */
  stopping(): void {
    this.#send("STOPPING=1");
  }

  /** Free-form status line for `systemctl status`. */
  status(text: string): void {
    this.#send(`STATUS=${text}`);
  }

  #send(message: string): void {
    this.#sender?.send(new TextEncoder().encode(message));
  }

  /** Closes the socket. */
  close(): void {
    this.#sender?.close();
  }
}

/** CLOCK_MONOTONIC now, in microseconds (10 ms resolution), which RELOADING=1 must carry. */
function monotonicUsec(): bigint {
  try {
    // /proc/uptime is CLOCK_BOOTTIME, equal to CLOCK_MONOTONIC unless the host has suspended.
    return BigInt(Math.round(Number(Deno.readTextFileSync("/proc/uptime").split(" ")[0]) * 1e6));
  } catch {
    return 0n;
  }
}
