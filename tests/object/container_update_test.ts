import { assertEquals, assertMatch } from "@std/assert";
import { Level } from "../../lib/log/format.ts";
import {
  expirerContainer,
  httpUpdateSender,
  type UpdateRequest,
} from "../../lib/object/container_update.ts";
import { runPythonJson } from "../_helpers/python.ts";
import { putText, testServer } from "./_server.ts";
import { RecordingBackend } from "./_scripted_backend.ts";

const PATH = "/sda1/0/a/c/o";
const CONTAINER_HEADERS = {
  "X-Container-Host": "10.0.0.1:6201, 10.0.0.2:6201",
  "X-Container-Device": "sdb, sdc",
  "X-Container-Partition": "42",
  "X-Trans-Id": "tx7",
};

function recorder(status = 201) {
  const sent: UpdateRequest[] = [];
  const send = (update: UpdateRequest) => {
    sent.push(update);
    return Promise.resolve({ status, headers: new Headers() });
  };
  return { sent, send };
}

Deno.test("PUT updates every container replica named by X-Container-*", async () => {
  const { sent, send } = recorder();
  const server = testServer({ send });
  const res = await putText(server, PATH, "hello", CONTAINER_HEADERS);
  assertEquals(res.status, 201);
  assertEquals(sent.map((u) => [u.host, u.device, u.partition, u.op, u.path]), [
    ["10.0.0.1:6201", "sdb", "42", "PUT", "/a/c/o"],
    ["10.0.0.2:6201", "sdc", "42", "PUT", "/a/c/o"],
  ]);
  assertEquals(sent[0].headers, {
    "X-Size": "5",
    "X-Content-Type": "text/plain",
    "X-Timestamp": "1700000000.00000",
    "X-Etag": "5d41402abc4b2a76b9719d911017c592",
    "X-Trans-Id": "tx7",
    "Referer": "PUT http://127.0.0.1:6200/sda1/0/a/c/o",
    "X-Backend-Storage-Policy-Index": "0",
    "User-Agent": `object-server ${Deno.pid}`,
  });
  assertEquals(sent[0].timeout, 3.5);
});

Deno.test("DELETE tells the containers with the tombstone's timestamp", async () => {
  const { sent, send } = recorder(204);
  const server = testServer({ send });
  await putText(server, PATH, "x");
  sent.length = 0;
  await server.send("DELETE", PATH, {
    headers: { "X-Timestamp": "1700000001.00000", ...CONTAINER_HEADERS },
  });
  assertEquals(sent.map((u) => [u.op, u.headers["X-Timestamp"]]), [
    ["DELETE", "1700000001.00000"],
    ["DELETE", "1700000001.00000"],
  ]);
});

Deno.test("container update overrides replace size, ETag and type; sysmeta ones win", async () => {
  const { sent, send } = recorder();
  const server = testServer({ send });
  await putText(server, PATH, "x", {
    ...CONTAINER_HEADERS,
    "X-Backend-Container-Update-Override-Etag": "backend-etag",
    "X-Backend-Container-Update-Override-Size": "99",
    "X-Object-Sysmeta-Container-Update-Override-Etag": "sysmeta-etag",
  });
  assertEquals([sent[0].headers["X-Etag"], sent[0].headers["X-Size"]], ["sysmeta-etag", "99"]);
});

Deno.test("a failed container update is kept as an async update and logged", async () => {
  const backend = new RecordingBackend();
  const failing = (update: UpdateRequest) =>
    update.host.startsWith("10.0.0.1")
      ? Promise.reject(new Error("connection refused"))
      : Promise.resolve({ status: 503, headers: new Headers() });
  const server = testServer({ backend, send: failing });
  const res = await putText(server, PATH, "x", CONTAINER_HEADERS);
  assertEquals(res.status, 201);
  assertEquals(backend.seen.asyncUpdates.map((u) => [u.op, u.account, u.container, u.object]), [
    ["PUT", "a", "c", "o"],
    ["PUT", "a", "c", "o"],
  ]);
  assertEquals(backend.seen.asyncUpdates[0].timestamp, "1700000000.00000");
  assertEquals(backend.seen.asyncUpdates[0].device, "sda1");
  const errors = server.lines.filter((l) => l.level === Level.ERROR).map((l) => l.message);
  assertEquals(errors.sort(), [
    "ERROR Container update failed (saving for async update later): 503 response from " +
    "10.0.0.2:6201/sdc",
    "ERROR container update failed with 10.0.0.1:6201/sdb (saving for async update later): ",
  ]);
});

Deno.test("a 301 from a container server saves the update for the shard it names", async () => {
  const backend = new RecordingBackend();
  const send = () =>
    Promise.resolve({
      status: 301,
      headers: new Headers({
        Location: "/.shards_a/c-shard-1/o",
        "X-Backend-Redirect-Timestamp": "1700000000.00000",
      }),
    });
  const server = testServer({ backend, send });
  await putText(server, PATH, "x", {
    ...CONTAINER_HEADERS,
    "X-Container-Host": "h:1",
    "X-Container-Device": "d",
  });
  assertEquals(backend.seen.asyncUpdates[0].containerPath, ".shards_a/c-shard-1");
});

Deno.test("different numbers of container hosts and devices send no update", async () => {
  const { sent, send } = recorder();
  const server = testServer({ send });
  await putText(server, PATH, "x", { ...CONTAINER_HEADERS, "X-Container-Device": "sdb" });
  assertEquals(sent, []);
  const error = server.lines.find((l) => l.level === Level.ERROR)!;
  assertMatch(error.message, /different numbers of hosts and devices/);
});

Deno.test("the request is answered after container_update_timeout while an update lingers", async () => {
  let release = () => {};
  const lingering = new Promise<void>((resolve) => release = resolve);
  const send = async () => {
    await lingering;
    return { status: 201, headers: new Headers() };
  };
  const server = testServer({ send, options: { container_update_timeout: "0" } });
  const res = await putText(server, PATH, "x", CONTAINER_HEADERS);
  assertEquals(res.status, 201);
  release();
  await server.updater.drain();
});

Deno.test("X-Delete-At with expirer hosts queues the object in .expiring_objects", async () => {
  const { sent, send } = recorder();
  const server = testServer({ send });
  await putText(server, PATH, "x", {
    "X-Delete-At": "1700086400",
    "X-Delete-At-Host": "10.0.0.3:6201",
    "X-Delete-At-Device": "sdd",
    "X-Delete-At-Partition": "9",
    "X-Delete-At-Container": "1700006400",
  });
  assertEquals(sent.map((u) => [u.host, u.device, u.partition, u.op, u.path]), [
    ["10.0.0.3:6201", "sdd", "9", "PUT", "/.expiring_objects/1700006400/1700086400-a/c/o"],
  ]);
  assertEquals(sent[0].headers["X-Size"], "0");
  assertEquals(sent[0].headers["X-Content-Type"], "text/plain");
  assertEquals(sent[0].headers["X-Etag"], "d41d8cd98f00b204e9800998ecf8427e");
  assertEquals(sent[0].headers["X-Backend-Storage-Policy-Index"], "0");
});

Deno.test("the expirer queue container matches Swift's get_expirer_container()", async () => {
  const names = [["a", "c", "o"], ["AUTH_test", "photos", "cat \u00e9.jpg"], ["x", "y", "z/w"]];
  const deleteAts = [1700000000, 1700086399, 9999999999];
  const script = `
import json, sys
from swift.common import utils
utils.HASH_PATH_PREFIX, utils.HASH_PATH_SUFFIX = b"pre", b"suf"
names, times = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps([[utils.get_expirer_container(t, 86400, *n) for t in times] for n in names]))
`;
  const path = await Deno.makeTempFile({ suffix: ".py" });
  try {
    await Deno.writeTextFile(path, script);
    const expected = await runPythonJson(path, [JSON.stringify(names), JSON.stringify(deleteAts)]);
    const actual = names.map(([account, container, object]) =>
      deleteAts.map((t) =>
        expirerContainer(t, 86400, { account, container, object }, { prefix: "pre", suffix: "suf" })
      )
    );
    assertEquals(actual, expected);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("httpUpdateSender sends the update over HTTP with the path quoted", async () => {
  const seen: { method: string; path: string; headers: Record<string, string> }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push({
      method: req.method,
      path: new URL(req.url).pathname,
      headers: Object.fromEntries(req.headers),
    });
    return new Response(null, { status: 201 });
  });
  try {
    const answer = await httpUpdateSender({
      host: `127.0.0.1:${server.addr.port}`,
      device: "sdb",
      partition: "3",
      op: "PUT",
      path: "/a/c/o \u00e9",
      headers: { "X-Size": "1", "X-Timestamp": "1700000000.00000" },
      timeout: 10,
    });
    assertEquals(answer.status, 201);
    assertEquals(seen.map((s) => [s.method, s.path]), [["PUT", "/sdb/3/a/c/o%20%C3%A9"]]);
    assertEquals(seen[0].headers["x-size"], "1");
  } finally {
    await server.shutdown();
  }
});
