import { assertEquals } from "@std/assert";
import { ipv6Bytes, UdpSender } from "../../lib/log/udp_sender.ts";
import { createLogger } from "../../lib/log/logger.ts";

async function receive(socket: Deno.DatagramConn, count: number): Promise<string[]> {
  const decoder = new TextDecoder();
  const out: string[] = [];
  while (out.length < count) {
    const [data] = await socket.receive();
    out.push(decoder.decode(data));
  }
  return out;
}

Deno.test("UdpSender delivers datagrams to an IPv4 address in the order they were sent", async () => {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const sender = UdpSender.forIp("127.0.0.1", (socket.addr as Deno.NetAddr).port)!;
  try {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    for (const line of lines) assertEquals(sender.send(new TextEncoder().encode(line)), 0);
    assertEquals(await receive(socket, lines.length), lines);
  } finally {
    sender.close();
    socket.close();
  }
});

Deno.test("UdpSender takes IP literals only and fails sends once closed", () => {
  assertEquals(UdpSender.forIp("localhost", 514), undefined);
  const sender = UdpSender.forIp("[::1]", 514)!;
  sender.close();
  assertEquals(sender.send(new Uint8Array(1)), 9);
});

Deno.test("ipv6Bytes() expands compressed and IPv4-tailed IPv6 literals", () => {
  const hex = (ip: string) => Array.from(ipv6Bytes(ip)!, (b) => b.toString(16).padStart(2, "0"));
  assertEquals(hex("::1").join(""), "00000000000000000000000000000001");
  assertEquals(hex("fe80::1:2").join(""), "fe800000000000000000000000010002");
  assertEquals(hex("::ffff:10.0.0.1").join(""), "00000000000000000000ffff0a000001");
  assertEquals(hex("1:2:3:4:5:6:7:8").join(""), "00010002000300040005000600070008");
  assertEquals(ipv6Bytes("fe80::1%eth0"), undefined);
  assertEquals(ipv6Bytes("10.0.0.1"), undefined);
});

Deno.test("createLogger() with a UDP host sends a burst of lines completely and in order", async () => {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (socket.addr as Deno.NetAddr).port;
  const log = createLogger({
    name: "object-server",
    facility: 0,
    level: 20,
    address: "/nonexistent/log",
    udpHost: "127.0.0.1",
    udpPort: port,
    maxLineLength: 0,
  });
  try {
    for (let i = 0; i < 200; i++) log.logger.info(`request ${i}`);
    const lines = await receive(socket, 200);
    assertEquals(lines, Array.from({ length: 200 }, (_, i) => `<6>object-server: request ${i}\0`));
  } finally {
    log.close();
    socket.close();
  }
});
