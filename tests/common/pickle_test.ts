import { assertEquals, assertThrows } from "@std/assert";
import { fromFileUrl } from "@std/path";
import {
  dumpPickle,
  loadPickle,
  PyFloat,
  PyHeaderKeyDict,
  PyTuple,
  UnpicklingError,
} from "../../lib/common/pickle.ts";
import type { PickleProtocol, PickleValue, Py2StringEncoding } from "../../lib/common/pickle.ts";
import { decodeUtf8, encodeUtf8 } from "../../lib/common/python_codecs.ts";

const ORACLE = fromFileUrl(new URL("./_pickle_oracle.py", import.meta.url));
const PROTOCOLS: PickleProtocol[] = [0, 1, 2, 3, 4, 5];

type Tagged = [string, ...unknown[]];

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(text: string): Uint8Array {
  return new Uint8Array(text.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
}

function floatTag(x: number): Tagged {
  if (Number.isNaN(x)) return ["float", "nan"];
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  return ["float", hex(new Uint8Array(buf.buffer))];
}

/** Mirrors to_tagged() in _pickle_oracle.py. */
function toTagged(v: PickleValue): Tagged {
  if (v === null) return ["none"];
  if (typeof v === "boolean") return ["bool", v];
  if (typeof v === "bigint") return ["int", v.toString()];
  if (typeof v === "number") return Number.isSafeInteger(v) ? ["int", String(v)] : floatTag(v);
  if (v instanceof PyFloat) return floatTag(v.value);
  if (typeof v === "string") return ["str", hex(encodeUtf8(v, "surrogatepass"))];
  if (v instanceof Uint8Array) return ["bytes", hex(v)];
  if (Array.isArray(v)) return ["list", v.map(toTagged)];
  if (v instanceof PyTuple) return ["tuple", v.items.map(toTagged)];
  const items = [...v].map(([k, x]) => [toTagged(k), toTagged(x)]);
  return [v instanceof PyHeaderKeyDict ? "hkd" : "dict", items];
}

/** Mirrors from_tagged() in _pickle_oracle.py: fresh objects, floats kept as floats. */
function fromTagged(t: Tagged): PickleValue {
  const [kind, arg] = t;
  switch (kind) {
    case "none":
      return null;
    case "bool":
      return arg as boolean;
    case "int": {
      const n = BigInt(arg as string);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(n)
        : n;
    }
    case "float":
      return new PyFloat(new DataView(unhex(arg as string).buffer).getFloat64(0));
    case "str":
      return decodeUtf8(unhex(arg as string), "surrogatepass");
    case "bytes":
      return unhex(arg as string);
    case "list":
      return (arg as Tagged[]).map(fromTagged);
    case "tuple":
      return new PyTuple((arg as Tagged[]).map(fromTagged));
    case "dict":
    case "hkd": {
      const entries = (arg as [Tagged, Tagged][]).map(([k, x]) =>
        [fromTagged(k), fromTagged(x)] as [PickleValue, PickleValue]
      );
      return kind === "hkd" ? new PyHeaderKeyDict(entries) : new Map(entries);
    }
  }
  throw new Error(`Unknown tag "${kind}"`);
}

/** Normalizes NaN payloads, which neither JS numbers nor protocol 0 preserve. */
function normalized(t: unknown): unknown {
  return JSON.parse(JSON.stringify(t), (_k, v) => v === "7ff8000000000000" ? "nan" : v);
}

async function oracle(args: string[], requests: unknown[] = []): Promise<unknown[]> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: [ORACLE, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Read while writing: the oracle answers line by line and would block on a full stdout pipe.
  const output = child.output();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(requests.map((r) => JSON.stringify(r)).join("\n")));
  await writer.close();
  const { code, stdout, stderr } = await output;
  if (code !== 0) throw new Error(`Oracle ${args[0]} failed: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout).trim().split("\n").filter((l) => l).map((l) =>
    JSON.parse(l)
  );
}

type CorpusEntry = { tagged: Tagged; pickles: string[] };
const corpus = (await oracle(["corpus", "20250101", "300"])) as CorpusEntry[];

Deno.test("loadPickle() reads Python's pickles of the corpus as equal values at every protocol", () => {
  for (const [i, entry] of corpus.entries()) {
    for (const p of PROTOCOLS) {
      const value = loadPickle(unhex(entry.pickles[p]), { exactFloats: true });
      assertEquals(normalized(toTagged(value)), normalized(entry.tagged), `entry ${i} proto ${p}`);
    }
  }
});

Deno.test("dumpPickle() writes the same bytes as CPython for the corpus at every protocol", () => {
  for (const [i, entry] of corpus.entries()) {
    const value = fromTagged(entry.tagged);
    for (const p of PROTOCOLS) {
      assertEquals(
        hex(dumpPickle(value, { protocol: p })),
        entry.pickles[p],
        `entry ${i} proto ${p}`,
      );
    }
  }
});

Deno.test("Python reads what dumpPickle() writes as equal values", async () => {
  const requests = corpus.flatMap((entry) =>
    PROTOCOLS.map((p) => ({ hex: hex(dumpPickle(fromTagged(entry.tagged), { protocol: p })) }))
  );
  const answers = (await oracle(["load"], requests)) as { tagged: Tagged }[];
  for (const [i, answer] of answers.entries()) {
    assertEquals(normalized(answer.tagged), normalized(corpus[Math.floor(i / 6)].tagged), `#${i}`);
  }
});

Deno.test("dumpPickle() shares memo entries like CPython when the same list appears twice", async () => {
  const shared: PickleValue[] = ["abc", new Uint8Array([1, 2])];
  const value = new Map<PickleValue, PickleValue>([["a", shared], ["b", shared], ["c", [shared]]]);
  for (const p of PROTOCOLS) {
    const ours = dumpPickle(value, { protocol: p });
    const [python] = await oracle(["load"], [{ hex: hex(ours) }]) as { tagged: Tagged }[];
    assertEquals(python.tagged, toTagged(value));
    const loaded = loadPickle(ours) as Map<string, PickleValue[]>;
    assertEquals(loaded.get("a") === loaded.get("b"), true, `proto ${p} keeps identity`);
  }
});

/** Python 2 pickles, spelled as Python 2.7's pickle/cPickle wrote them. */
const PY2_PICKLES: Record<string, string> = {
  // cPickle.dumps({'a': 'caf\xc3\xa9', 'n': 2**40, 'f': 1.5, 't': True, 'u': u'\xe9'}, 0)
  proto0: "(dp0\nS'a'\np1\nS'caf\\xc3\\xa9'\np2\nsS'n'\np3\nL1099511627776L\nsS'f'\np4\n" +
    "F1.5\nsS't'\np5\nI01\nsS'u'\np6\nVé\np7\ns.",
  // The same dict at protocol 2: SHORT_BINSTRING, LONG1, BINFLOAT, NEWTRUE, BINUNICODE.
  proto2: "\x80\x02}q\x00(U\x01aq\x01U\x05caf\xc3\xa9q\x02U\x01nq\x03\x8a\x06\x00\x00\x00\x00" +
    "\x00\x01U\x01fq\x04G?\xf8\x00\x00\x00\x00\x00\x00U\x01tq\x05\x88U\x01uq\x06X\x02\x00\x00" +
    "\x00\xc3\xa9q\x07u.",
  // A long py2 str uses BINSTRING; escapes in STRING use octal and \\n forms.
  binstring: "\x80\x02]q\x00(T\x04\x01\x00\x00" + "x".repeat(260) + "S'a\\'b\\n\\101\\\\'\n" +
    'S"q\'"\ne.',
  // A py2 HeaderKeyDict from an old async_pending (swob home, copy_reg reconstructor).
  asyncPending: "(dp0\nS'headers'\np1\nccopy_reg\n_reconstructor\np2\n(cswift.common.swob\n" +
    "HeaderKeyDict\np3\nc__builtin__\ndict\np4\n(dp5\nS'X-Size'\np6\nS'0'\np7\nstp8\nRp9\n" +
    "sS'op'\np10\nS'PUT'\np11\ns.",
};

Deno.test("loadPickle() reads Python 2 pickles like Python 3 does under each encoding", async () => {
  const encodings: Py2StringEncoding[] = ["ascii", "bytes", "latin1", "utf8"];
  const requests = Object.values(PY2_PICKLES).flatMap((text) =>
    encodings.map((encoding) => ({
      hex: hex(Uint8Array.from(text, (c) => c.charCodeAt(0))),
      encoding: encoding === "ascii" ? "ASCII" : encoding,
    }))
  );
  const answers = (await oracle(["load"], requests)) as { tagged?: Tagged; error?: string }[];
  for (const [i, req] of requests.entries()) {
    const encoding = encodings[i % encodings.length];
    const answer = answers[i];
    if (answer.error !== undefined) {
      assertThrows(() => loadPickle(unhex(req.hex), { encoding }), UnpicklingError);
    } else {
      const value = loadPickle(unhex(req.hex), { encoding, exactFloats: true });
      assertEquals(toTagged(value), answer.tagged, `pickle #${Math.floor(i / 4)} ${encoding}`);
    }
  }
});

Deno.test("loadPickle() refuses globals and opcodes that could run code", () => {
  const refused: Record<string, string> = {
    "os.system via GLOBAL": "cos\nsystem\n(S'id'\ntR.",
    "builtins.eval via STACK_GLOBAL": "\x80\x04\x8c\x08builtins\x8c\x04eval\x93.",
    "INST": "(S'id'\nios\nsystem\n.",
    "OBJ": "(cos\nsystem\nS'id'\no.",
    "BINPERSID": "\x80\x02K\x01Q.",
    "EXT1": "\x80\x02\x82\x01.",
    "set": "\x80\x04\x8f.",
    "_codecs.encode with another codec": "\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x04\x00" +
      "\x00\x00rot13\x86R.",
    "a class as a value": "\x80\x02c__builtin__\nbytes\n.",
    "a recursive list": "\x80\x02]q\x00h\x00a.",
    "a list as dict key": "\x80\x02}]K\x01s.",
    "truncated data": "\x80\x02X\x10\x00\x00\x00abc",
    "a missing STOP": "\x80\x02K\x01",
    "HeaderKeyDict BUILD state": "\x80\x02cswift.common.header_key_dict\nHeaderKeyDict\n)\x81}" +
      "X\x01\x00\x00\x00aK\x01sb.",
  };
  for (const [what, text] of Object.entries(refused)) {
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    assertThrows(() => loadPickle(bytes), UnpicklingError, undefined, what);
  }
});

Deno.test("loadPickle() names the refused global and its offset in the error", () => {
  const bytes = new TextEncoder().encode("cos\nsystem\n(S'id'\ntR.");
  assertThrows(() => loadPickle(bytes), UnpicklingError, 'refusing global "os.system"');
  assertThrows(() => loadPickle(bytes), UnpicklingError, "offset 0");
});

Deno.test("dumpPickle() rewrites the pickles real Swift wrote (hashes.pkl, async_pending, .pending) byte for byte", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swiftd-pickles-" });
  try {
    const script = fromFileUrl(new URL("./_swift_pickles.py", import.meta.url));
    const { code, stdout, stderr } = await new Deno.Command("/usr/bin/python3", {
      args: [script, dir],
    }).output();
    if (code !== 0) {
      throw new Error(`Swift pickle script failed: ${new TextDecoder().decode(stderr)}`);
    }
    const files = new TextDecoder().decode(stdout).trim().split("\n").map((l) => JSON.parse(l)) as {
      what: string;
      protocol: PickleProtocol;
      encoding: Py2StringEncoding;
      shareOneCharStrs: boolean;
      hex: string;
    }[];
    assertEquals(files.filter((f) => f.what.startsWith("async_pending ")).length >= 4, true);
    for (const f of files) {
      const value = loadPickle(unhex(f.hex), { encoding: f.encoding, exactFloats: true });
      const again = dumpPickle(value, {
        protocol: f.protocol,
        shareOneCharStrs: f.shareOneCharStrs,
      });
      assertEquals(hex(again), f.hex, f.what);
    }
    const hashes = loadPickle(unhex(files[0].hex)) as Map<string, PickleValue>;
    assertEquals(hashes.get("valid"), true);
    assertEquals(typeof hashes.get("updated"), "number");
    const update = loadPickle(unhex(files[1].hex)) as Map<string, PickleValue>;
    assertEquals(update.get("headers") instanceof PyHeaderKeyDict, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dumpPickle() with shareOneCharStrs matches CPython's cached one-char strs", async () => {
  const value: PickleValue = ["0", "0", "é", ["é", "x", "0"], new PyTuple(["", ""])];
  const requests = PROTOCOLS.flatMap((protocol) => [
    { tagged: toTagged(value), protocol, singletons: true },
    { tagged: toTagged(value), protocol, singletons: false },
  ]);
  const answers = (await oracle(["dump"], requests)) as { hex: string }[];
  for (const [i, req] of requests.entries()) {
    const ours = dumpPickle(value, { protocol: req.protocol, shareOneCharStrs: req.singletons });
    assertEquals(hex(ours), answers[i].hex, `protocol ${req.protocol} shared ${req.singletons}`);
  }
});
