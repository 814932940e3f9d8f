import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "@std/path";
import { createLogger, type LogSettings } from "../../lib/log/logger.ts";

const BASE: LogSettings = {
  name: "proxy-server",
  facility: 16, // LOG_LOCAL0
  level: 20,
  address: "/nonexistent/log",
  udpPort: 514,
  maxLineLength: 0,
};

const decoder = new TextDecoder();

async function receive(socket: Deno.DatagramConn, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(decoder.decode((await socket.receive())[0]));
  return out;
}

Deno.test("createLogger() sends Swift's syslog datagrams to a Unix socket, byte for byte", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-log-" });
  const path = join(dir, "log.sock");
  const socket = Deno.listenDatagram({ transport: "unixpacket", path });
  const log = createLogger({ ...BASE, address: path, level: 10 });
  try {
    assertEquals(log.destination, `syslog socket ${path}`);
    assertEquals(log.fallbackReason, undefined);
    log.logger.debug("debug line");
    log.logger.info("two\nlines");
    log.logger.notice("notice");
    log.logger.warning("warn");
    log.logger.child({ txnId: "tx123", clientIp: "10.0.0.1" }).error("failed");
    log.logger.critical("bad");
    assertEquals(await receive(socket, 6), [
      "<135>proxy-server: debug line\0",
      "<134>proxy-server: two#012lines\0",
      "<133>proxy-server: notice\0",
      "<132>proxy-server: warn\0",
      "<131>proxy-server: failed (txn: tx123) (client_ip: 10.0.0.1)\0",
      "<130>proxy-server: bad\0",
    ]);
  } finally {
    log.close();
    socket.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createLogger() sends to log_udp_host with the facility's priority and drops lower levels", async () => {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (socket.addr as Deno.NetAddr).port;
  const log = createLogger({
    ...BASE,
    udpHost: "127.0.0.1",
    udpPort: port,
    facility: 23,
    level: 25,
  });
  try {
    assertEquals(log.destination, `syslog udp 127.0.0.1:${port}`);
    log.logger.info("dropped: below NOTICE");
    log.logger.notice("kept");
    assertEquals(await receive(socket, 1), ["<189>proxy-server: kept\0"]);
  } finally {
    log.close();
    socket.close();
  }
});

Deno.test("createLogger() falls back to stderr and says why when there is no syslog socket", () => {
  const log = createLogger(BASE);
  try {
    assertEquals(log.destination, "stderr");
    assert(log.usesStderr);
    assertMatch(
      log.fallbackReason!,
      /"\/nonexistent\/log" does not exist and log_udp_host is not set/,
    );
  } finally {
    log.close();
  }
});

Deno.test("logger.exception() appends the stack after ': #012' like Swift", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-log-" });
  const path = join(dir, "log.sock");
  const socket = Deno.listenDatagram({ transport: "unixpacket", path });
  const log = createLogger({ ...BASE, address: path });
  try {
    log.logger.child({ txnId: "txABC" }).exception("Error: An error occurred", new Error("boom"));
    const [line] = await receive(socket, 1);
    assertMatch(line, /^<131>proxy-server: Error: An error occurred: #012Error: boom#012 {4}at /);
    assertMatch(line, / \(txn: txABC\)\0$/);
    assert(!line.includes("\n"));
  } finally {
    log.close();
    socket.close();
    await Deno.remove(dir, { recursive: true });
  }
});
