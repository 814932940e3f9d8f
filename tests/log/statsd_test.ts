/**
 * StatsdClient against Swift 2.30's own (_statsd_oracle.py): the same calls with the same
 * random draws must put the same datagrams on a UDP socket, byte for byte.
 */
import { assert, assertEquals } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { BaseHandler, Logger, type LogRecord } from "@std/log";
import { createStatsdClient, StatsdClient, type StatsdSettings } from "../../lib/log/statsd.ts";
import { SwiftLogger } from "../../lib/log/logger.ts";
import { runPythonJson } from "../_helpers/python.ts";

const ORACLE = fromFileUrl(new URL("./_statsd_oracle.py", import.meta.url));

/** One argument of a call; {float: n} is Python's float n (JSON cannot tell 5.0 from 5). */
type Arg = string | number | { float: number };

interface Case {
  readonly host: "127.0.0.1" | "::1" | "localhost";
  readonly client: {
    base_prefix?: string;
    tail_prefix?: string;
    default_sample_rate?: number;
    sample_rate_factor?: number;
  };
  readonly randoms: number[];
  readonly calls: [string, ...Arg[]][];
}

const decoder = new TextDecoder();

/** Receives datagrams until `last` arrives (the sentinel every case ends with). */
async function receiveUntil(socket: Deno.DatagramConn, last: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const text = decoder.decode((await socket.receive())[0]);
    if (text.endsWith(last)) return out;
    out.push(text);
  }
}

const METHODS: Record<string, (client: StatsdClient, args: Arg[]) => void> = {
  update_stats: (c, a) => c.updateStats(a[0] as string, num(a[1]), optional(a[2])),
  increment: (c, a) => c.increment(a[0] as string, optional(a[1])),
  decrement: (c, a) => c.decrement(a[0] as string, optional(a[1])),
  timing: (c, a) => c.timing(a[0] as string, num(a[1]), optional(a[2])),
  transfer_rate: (c, a) => c.transferRate(a[0] as string, num(a[1]), num(a[2]), optional(a[3])),
};

function num(arg: Arg): number {
  return typeof arg === "object" ? arg.float : Number(arg);
}

function optional(arg: Arg | undefined): number | undefined {
  return arg === undefined ? undefined : num(arg);
}

/** What swiftd's client sends for `spec`, received on a socket of the host's family. */
async function swiftdDatagrams(spec: Case): Promise<string[]> {
  const hostname = spec.host === "::1" ? "::1" : "127.0.0.1";
  const socket = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
  const randoms = [...spec.randoms];
  const client = new StatsdClient({
    host: spec.host,
    port: (socket.addr as Deno.NetAddr).port,
    basePrefix: spec.client.base_prefix,
    tailPrefix: spec.client.tail_prefix,
    defaultSampleRate: spec.client.default_sample_rate,
    sampleRateFactor: spec.client.sample_rate_factor,
    random: () => randoms.shift()!,
  });
  try {
    for (const [name, ...args] of spec.calls) METHODS[name](client, args);
    // A sentinel sent last on the same socket flushes everything sent before it.
    // (rate 10: any factor >= 0.1 keeps it unsampled).
    client.updateStats("sentinel", 1, 10);
    return await receiveUntil(socket, "sentinel:1|c");
  } finally {
    client.close();
    socket.close();
  }
}

const CASES: Case[] = [
  {
    host: "127.0.0.1",
    client: {},
    randoms: [],
    calls: [
      ["increment", "requests"],
      ["decrement", "active"],
      ["update_stats", "bytes", 123456],
      ["update_stats", "fraction", 0.5],
      ["timing", "GET.200.timing", 12.345678],
      ["timing", "GET.200.timing", { float: 5 }],
      ["timing", "tiny", 0.00001],
      ["timing", "huge", { float: 1e17 }],
      ["timing", "tie", 0.03125],
      ["transfer_rate", "xfer", 0.5, 3000],
      ["transfer_rate", "none", 0.5, 0],
      ["increment", "naïve/ünïcode"],
    ],
  },
  {
    host: "127.0.0.1",
    client: { base_prefix: "cluster", tail_prefix: "proxy-server" },
    randoms: [],
    calls: [["increment", "a"], ["timing", "b", 1.5]],
  },
  {
    host: "127.0.0.1",
    client: { tail_prefix: "object-auditor" },
    randoms: [],
    calls: [["increment", "a"]],
  },
  {
    host: "127.0.0.1",
    client: { base_prefix: "only-base" },
    randoms: [],
    calls: [["increment", "a"]],
  },
  {
    // Sampling: a draw below the rate sends with |@rate, a draw at or above it drops.
    host: "127.0.0.1",
    client: { default_sample_rate: 0.5, sample_rate_factor: 0.8 },
    randoms: [0.1, 0.9, 0.39999, 0.4, 0.05, 0.7, 0.2],
    calls: [
      ["increment", "kept"],
      ["increment", "dropped"],
      ["timing", "kept", 2.5],
      ["timing", "dropped-at-rate", 2.5],
      ["update_stats", "explicit-rate", 3, 0.1],
      ["update_stats", "explicit-rate-dropped", 3, 0.1],
      ["increment", "explicit-one", 1],
    ],
  },
  {
    host: "::1",
    client: { tail_prefix: "v6" },
    randoms: [],
    calls: [["increment", "over-ipv6"], ["timing", "t", 0.1]],
  },
  {
    host: "localhost",
    client: { tail_prefix: "named" },
    randoms: [],
    calls: [["increment", "by-name"]],
  },
];

Deno.test("StatsdClient sends Swift's StatsdClient datagrams byte for byte", async () => {
  const spec = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(spec, JSON.stringify(CASES));
    const expected = await runPythonJson(ORACLE, [spec]) as string[][];
    for (const [i, spec] of CASES.entries()) {
      assertEquals(await swiftdDatagrams(spec), expected[i], `case ${i}: ${JSON.stringify(spec)}`);
    }
  } finally {
    await Deno.remove(spec);
  }
});

const SETTINGS: StatsdSettings = {
  log_statsd_host: undefined,
  log_statsd_port: 8125,
  log_statsd_metric_prefix: "",
  log_statsd_default_sample_rate: 1,
  log_statsd_sample_rate_factor: 1,
};

Deno.test("createStatsdClient() gives no client without log_statsd_host, as get_logger()", () => {
  assertEquals(createStatsdClient(SETTINGS, "proxy-server"), undefined);
});

Deno.test("createStatsdClient() prefixes metrics with log_statsd_metric_prefix and the tail", async () => {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const client = createStatsdClient({
    ...SETTINGS,
    log_statsd_host: "127.0.0.1",
    log_statsd_port: (socket.addr as Deno.NetAddr).port,
    log_statsd_metric_prefix: "east",
  }, "object-server")!;
  try {
    assertEquals(client.prefix, "east.object-server.");
    client.timing("PUT.timing", 2.5);
    assertEquals(
      decoder.decode((await socket.receive())[0]),
      "east.object-server.PUT.timing:2.5|ms",
    );
  } finally {
    client.close();
    socket.close();
  }
});

class Capture extends BaseHandler {
  readonly messages: string[] = [];
  override handle(record: LogRecord): void {
    this.messages.push(record.msg);
  }
  log(): void {}
}

Deno.test("a metric that cannot be sent is a warning on the logger, never an exception", async () => {
  const capture = new Capture("DEBUG");
  const logger = new SwiftLogger(new Logger("t", "DEBUG", { handlers: [capture] }), "t", 0);
  // Port 0 is refused by sendto() (EINVAL); the call itself must still return normally.
  const client = new StatsdClient({ host: "127.0.0.1", port: 0, logger });
  try {
    client.increment("a");
    client.increment("b");
    while (capture.messages.length < 2) await new Promise((r) => setTimeout(r, 10));
    assert(capture.messages[0].startsWith("Error sending UDP message to ('127.0.0.1', 0): "));
  } finally {
    client.close();
  }
});

Deno.test("a closed client drops metrics quietly", async () => {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (socket.addr as Deno.NetAddr).port;
  const closed = new StatsdClient({ host: "127.0.0.1", port });
  const open = new StatsdClient({ host: "127.0.0.1", port });
  try {
    closed.close();
    closed.increment("after-close");
    open.increment("from-open-client");
    assertEquals(decoder.decode((await socket.receive())[0]), "from-open-client:1|c");
  } finally {
    open.close();
    socket.close();
  }
});
