/** swiftd's log datagrams against real Swift's get_logger(), byte for byte. */
import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { FACILITIES, LOG_LEVELS } from "../../lib/config/values.ts";
import { createLogger } from "../../lib/log/logger.ts";

const ORACLE = new URL("./_swift_logger_oracle.py", import.meta.url).pathname;

interface Case {
  name: string;
  facility: string;
  level: string;
  max: number;
  method: "debug" | "info" | "notice" | "warning" | "error" | "critical";
  message: string;
  txn?: string;
  ip?: string;
}

const CASES: Case[] = [
  {
    name: "proxy-server",
    facility: "LOG_LOCAL0",
    level: "INFO",
    max: 0,
    method: "info",
    message: "plain",
  },
  {
    name: "object-server",
    facility: "LOG_LOCAL3",
    level: "DEBUG",
    max: 0,
    method: "debug",
    message: "two\nlines",
  },
  {
    name: "p",
    facility: "LOG_LOCAL7",
    level: "NOTICE",
    max: 0,
    method: "notice",
    message: "notice é ☃",
  },
  {
    name: "p",
    facility: "LOG_LOCAL1",
    level: "INFO",
    max: 0,
    method: "warning",
    message: "w",
    txn: "tx1",
    ip: "1.2.3.4",
  },
  {
    name: "p",
    facility: "LOG_LOCAL1",
    level: "INFO",
    max: 0,
    method: "info",
    message: "i",
    txn: "tx2",
    ip: "1.2.3.4",
  },
  {
    name: "p",
    facility: "LOG_DAEMON",
    level: "INFO",
    max: 0,
    method: "error",
    message: "seen tx3 already",
    txn: "tx3",
  },
  {
    name: "container-server",
    facility: "LOG_LOCAL0",
    level: "INFO",
    max: 20,
    method: "critical",
    message: "x".repeat(60),
  },
  {
    name: "a",
    facility: "LOG_LOCAL0",
    level: "INFO",
    max: 5,
    method: "error",
    message: "abcdefgh",
  },
];

Deno.test("log datagrams are byte-identical to Swift's get_logger() for every level and option", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-logfmt-" });
  const address = join(dir, "log.sock");
  const socket = Deno.listenDatagram({ transport: "unixpacket", path: address });
  try {
    const child = new Deno.Command("/usr/bin/python3", { args: [ORACLE], stdin: "piped" }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(
      new TextEncoder().encode(JSON.stringify(CASES.map((c) => ({ ...c, address })))),
    );
    await writer.close();
    assertEquals((await child.status).code, 0);
    const swift: string[] = [];
    for (const _ of CASES) swift.push(new TextDecoder().decode((await socket.receive())[0]));
    const ours: string[] = [];
    for (const c of CASES) {
      const log = createLogger({
        name: c.name,
        facility: FACILITIES[c.facility],
        level: LOG_LEVELS[c.level as keyof typeof LOG_LEVELS],
        address,
        udpPort: 514,
        maxLineLength: c.max,
      });
      log.logger.child({ txnId: c.txn, clientIp: c.ip })[c.method](c.message);
      ours.push(new TextDecoder().decode((await socket.receive())[0]));
      log.close();
    }
    assertEquals(ours, swift);
  } finally {
    socket.close();
    await Deno.remove(dir, { recursive: true });
  }
});
