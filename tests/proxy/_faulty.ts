/**
 * A TCP forwarder in front of a storage server for fault tests: it passes bytes both ways
 * until told to misbehave, then stalls (accepts and reads, never answers) or cuts a response
 * body after some bytes and goes silent. Closing it closes every connection it holds.
 */

/** What the forwarder does with new connections. */
export type FaultMode =
  | { readonly kind: "pass" }
  | { readonly kind: "stall" }
  | { readonly kind: "cut"; readonly afterBytes: number };

/** A forwarder on a free loopback port. */
export class FaultyForwarder {
  readonly port: number;
  mode: FaultMode = { kind: "pass" };
  /** Target port; undefined forwards nowhere (every connection stalls). */
  target: number | undefined;
  readonly #listener: Deno.TcpListener;
  readonly #conns = new Set<Deno.Conn>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;

  constructor(target?: number) {
    this.target = target;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#accepting = this.#accept();
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.#conns.add(conn);
        const task = this.#handle(conn, this.mode).catch(() => {}).finally(() => {
          this.#conns.delete(conn);
          try {
            conn.close();
          } catch { /* closed already */ }
        });
        this.#tasks.add(task);
        task.then(() => this.#tasks.delete(task));
      }
    } catch { /* listener closed */ }
  }

  async #handle(client: Deno.Conn, mode: FaultMode): Promise<void> {
    if (mode.kind === "stall" || this.target === undefined) {
      // Read and drop whatever comes, never answer.
      for await (const _ of client.readable) { /* drain */ }
      return;
    }
    const server = await Deno.connect({ hostname: "127.0.0.1", port: this.target });
    this.#conns.add(server);
    try {
      const up = client.readable.pipeTo(server.writable, { preventClose: true }).catch(() => {});
      // The mode is read per chunk: a pooled keep-alive connection outlives a mode change.
      let passedWhileCutting = 0;
      const writer = client.writable.getWriter();
      for await (const chunk of server.readable) {
        const now = this.mode;
        if (now.kind !== "cut") {
          await writer.write(chunk);
          continue;
        }
        const part = chunk.subarray(0, Math.max(0, now.afterBytes - passedWhileCutting));
        passedWhileCutting += part.length;
        if (part.length > 0) await writer.write(part);
      }
      await up;
    } finally {
      this.#conns.delete(server);
      try {
        server.close();
      } catch { /* closed already */ }
    }
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    this.#listener.close();
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch { /* closed already */ }
    }
    await this.#accepting;
    await Promise.allSettled([...this.#tasks]);
  }
}
