import { assertEquals, assertMatch } from "@std/assert";
import { join } from "@std/path";
import { captureStdio } from "../../lib/log/capture.ts";
import { createLogger } from "../../lib/log/logger.ts";

Deno.test("captureStdio() logs stray console output as STDOUT:/STDERR: at ERROR, and uncaught errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-capture-" });
  const path = join(dir, "log.sock");
  const socket = Deno.listenDatagram({ transport: "unixpacket", path });
  const log = createLogger({
    name: "srv",
    facility: 16,
    level: 20,
    address: path,
    udpPort: 514,
    maxLineLength: 0,
  });
  const restore = captureStdio(log.logger, { keepStderr: true, redirectFds: false });
  try {
    console.log("  hello\n");
    console.log("");
    console.error("oops", { a: 1 });
    console.warn("read ECONNRESET: Connection reset by peer");
    const failure = Promise.reject(new Error("nobody caught me"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const lines: string[] = [];
    for (let i = 0; i < 4; i++) lines.push(new TextDecoder().decode((await socket.receive())[0]));
    assertEquals(lines.slice(0, 3), [
      "<131>srv: STDOUT: hello\0",
      "<131>srv: STDERR: oops { a: 1 }\0",
      "<131>srv: STDERR: Connection reset by peer\0",
    ]);
    assertMatch(lines[3], /^<130>srv: UNCAUGHT EXCEPTION#012Error: nobody caught me#012 {4}at /);
    await failure.catch(() => {});
  } finally {
    restore();
    log.close();
    socket.close();
    await Deno.remove(dir, { recursive: true });
  }
});
