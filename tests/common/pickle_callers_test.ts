/**
 * Every kind of pickle swiftd writes, byte for byte: as swiftd wrote it before its two pickle
 * modules became one (the hex below was recorded from lib/db/pickle.ts for `.pending` records
 * and from lib/common/pickle.ts for the object server's files), and as Python writes it.
 */
import { assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { decodePendingRecord, encodePendingRecord } from "../../lib/db/pending_file.ts";
import { dumpPickle, PyFloat, PyHeaderKeyDict } from "../../lib/common/pickle.ts";
import type { PickleValue } from "../../lib/common/pickle.ts";
import { encodeMetadataPickle } from "../../lib/object/metadata.ts";
import { encodeUtf8 } from "../../lib/common/python_codecs.ts";
import { runPython as python } from "../db/_python.ts";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(text: string): Uint8Array {
  return new Uint8Array(text.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
}

/** A record field for Python: strs as UTF-8 hex (lone surrogates survive), ints as text. */
function tag(v: PickleValue): unknown {
  if (typeof v === "string") return ["s", hex(encodeUtf8(v, "surrogatepass"))];
  if (typeof v === "bigint") return ["i", v.toString()];
  if (typeof v === "number") return Number.isInteger(v) ? ["i", BigInt(v).toString()] : ["f", v];
  return ["v", v];
}

// Each str is decoded from bytes as Swift's are (wsgi_to_str), so CPython shares the empty and
// one-char latin-1 ones and no other.
const PYTHON_RECORDS = `
import json, pickle, sys
def field(t):
    kind, v = t
    if kind == 's': return bytes.fromhex(v).decode('utf-8', 'surrogatepass')
    if kind == 'i': return int(v)
    return v
print(json.dumps([pickle.dumps(tuple(field(f) for f in r), protocol=2).hex()
                  for r in json.load(sys.stdin)]))
`;

const TS = "0000001234.56789";

interface PendingCase {
  what: string;
  record: PickleValue[];
  before: string;
  /** Why Swift's bytes differ, for the cases swiftd keeps as they were. */
  notSwift?: string;
}

const PENDING: PendingCase[] = [
  {
    what: "object PUT",
    record: [
      "obj\u00e9",
      TS,
      5,
      "text/plain",
      "d41d8cd98f00b204e9800998ecf8427e",
      0,
      0,
      null,
      null,
    ],
    before:
      "80022858050000006f626ac3a971005810000000303030303030313233342e353637383971014b05580a000000746578742f706c61696e71025820000000643431643863643938663030623230346539383030393938656366383432376571034b004b004e4e7471042e",
  },
  {
    what: "object DELETE",
    record: ["gone", TS, 0, "application/deleted", "noetag", 1, 0, null, null],
    before:
      "8002285804000000676f6e6571005810000000303030303030313233342e353637383971014b0058130000006170706c69636174696f6e2f64656c65746564710258060000006e6f6574616771034b014b004e4e7471042e",
  },
  {
    what: "reserved name, 2**40 bytes, distinct ctype and meta timestamps",
    record: [
      "\u0000versions\u0000c",
      "0000000001.00000_0000000000000001",
      2 ** 40,
      "a/b",
      "e",
      1,
      3,
      "0000001235.00000",
      "0000001236.00000",
    ],
    before:
      "800228580b0000000076657273696f6e73006371005821000000303030303030303030312e30303030305f3030303030303030303030303030303171018a060000000000015803000000612f62710258010000006571034b014b035810000000303030303030313233352e303030303071045810000000303030303030313233362e303030303071057471062e",
  },
  {
    what: "astral name, empty and one-char strs (shared by CPython too)",
    record: ["😀/x", TS, 5368709120, "", "", 0, 0, "0", "0"],
    before:
      "8002285806000000f09f98802f7871005810000000303030303030313233342e353637383971018a0500000040015800000000710268024b004b00580100000030710368037471042e",
  },
  {
    what: "ints past 2**53 (number and bigint), a long str, bools and a float",
    record: ["big", TS, 2 ** 70, "x".repeat(300), "e", true, false, 1.25, -(2 ** 45)],
    before:
      "800228580300000062696771005810000000303030303030313233342e353637383971018a09000000000000000040582c010000" +
      "78".repeat(300) + "710258010000006571038889473ff40000000000008a060000000000e07471042e",
  },
  {
    what: "negative and 32-bit ints, a bigint",
    record: ["neg", TS, -3, "t", "t", 0, 70000, -70000, 2n ** 70n],
    before:
      "80022858030000006e656771005810000000303030303030313233342e353637383971014afdffffff580100000074710268024b004a701101004a90eefeff8a090000000000000000407471032e",
  },
  {
    what: "container update to an account, counts as header text",
    record: ["cont", TS, "0", "5", "1024", 0, "0"],
    before:
      "8002285804000000636f6e7471005810000000303030303030313233342e353637383971015801000000307102580100000035710358040000003130323471044b0068027471052e",
  },
  {
    what: "container update to an account, counts as ints",
    record: ["cont", TS, "0000001230.00000", 5, 1024, 1, 2],
    before:
      "8002285804000000636f6e7471005810000000303030303030313233342e353637383971015810000000303030303030313233302e303030303071024b054d00044b014b027471032e",
  },
  {
    what: "object POST with equal ctype and meta timestamps",
    record: ["o", TS, 5, "text/plain", "etag", 0, 1, "0000001300.00000", "0000001300.00000"],
    before:
      "80022858010000006f71005810000000303030303030313233342e353637383971014b05580a000000746578742f706c61696e710258040000006574616771034b004b015810000000303030303030313330302e3030303030710468047471052e",
    notSwift: "the repeated timestamp is a memo GET; Swift writes it twice",
  },
  {
    what: "repeated one-char str outside latin-1",
    record: ["€", TS, 0, "€", "é", 0, 0, null, null],
    before:
      "8002285803000000e282ac71005810000000303030303030313233342e353637383971014b0068005802000000c3a971024b004b004e4e7471032e",
    notSwift: "the repeated '€' is a memo GET; CPython caches one-char strs below U+0100 only",
  },
  {
    what: "lone surrogates from headers that were not UTF-8",
    record: ["bad\udcff", TS, 0, "text/\udcfe", "e", 0, 0, null, null],
    before:
      "8002285806000000626164efbfbd71005810000000303030303030313233342e353637383971014b005808000000746578742fefbfbd710258010000006571034b004b004e4e7471042e",
    notSwift: "lone surrogates are written as U+FFFD; Swift writes them with surrogatepass",
  },
];

Deno.test("encodePendingRecord() writes every record as swiftd wrote it before the merge", () => {
  for (const c of PENDING) assertEquals(hex(encodePendingRecord(c.record)), c.before, c.what);
});

Deno.test("encodePendingRecord() writes Swift's bytes but for the differences it keeps", async () => {
  const swift = await python(PYTHON_RECORDS, PENDING.map((c) => c.record.map(tag))) as string[];
  for (const [i, c] of PENDING.entries()) {
    const ours = hex(encodePendingRecord(c.record));
    if (c.notSwift) assertNotEquals(ours, swift[i], `${c.what}: ${c.notSwift}`);
    else assertEquals(ours, swift[i], c.what);
  }
});

Deno.test("decodePendingRecord() reads Swift's records as the tuples swiftd wrote", async () => {
  const swift = await python(PYTHON_RECORDS, PENDING.map((c) => c.record.map(tag))) as string[];
  for (const [i, c] of PENDING.entries()) {
    const expected = c.record.map((v) =>
      typeof v === "string" ? v.toWellFormed() : v === 2 ** 70 ? 2n ** 70n : v
    );
    assertEquals(decodePendingRecord(unhex(c.before)), expected, `${c.what} (ours)`);
    if (c.what.startsWith("lone")) continue; // Swift's surrogates load as they are
    assertEquals(decodePendingRecord(unhex(swift[i])), expected, `${c.what} (Swift's)`);
  }
});

Deno.test("decodePendingRecord() reads Python 2 str and Python 3 bytes records as Swift does", async () => {
  const [py2, bytes] = await python(
    `
import json, pickle, sys
# What Python 2's pickle.dumps(('caf\\xc3\\xa9', 'x' * 300, 7), 2) wrote: BINSTRING opcodes.
py2 = b'\\x80\\x02U\\x05caf\\xc3\\xa9q\\x00T\\x2c\\x01\\x00\\x00' + b'x' * 300 + b'q\\x01K\\x07\\x87q\\x02.'
assert pickle.loads(py2, encoding='utf8') == ('caf\\xe9', 'x' * 300, 7)
print(json.dumps([py2.hex(), pickle.dumps(('s', 's', b'caf\\xc3\\xa9', b''), protocol=2).hex()]))
`,
    null,
  ) as string[];
  assertEquals(decodePendingRecord(unhex(py2)), ["café", "x".repeat(300), 7]);
  assertEquals(decodePendingRecord(unhex(bytes)), [
    "s",
    "s",
    new TextEncoder().encode("café"),
    new Uint8Array(0),
  ]);
});

Deno.test("decodePendingRecord() refuses truncated records and foreign globals", () => {
  assertThrows(() => decodePendingRecord(new Uint8Array([0x80, 0x02, 0x58, 0x05, 0x00])));
  const global = Uint8Array.from("\x80\x02cos\nsystem\n.", (c) => c.charCodeAt(0));
  assertThrows(() => decodePendingRecord(global), Error, '"os.system"');
});

// The object server's pickles never went through lib/db/pickle.ts; these pin them across the
// writer's new option.
const METADATA = {
  name: "/a/c/o\u00e9",
  "X-Timestamp": TS,
  "Content-Length": "0",
  ETag: "d41d8cd98f00b204e9800998ecf8427e",
  "X-Object-Meta-\udcff": "\udcfe",
};

Deno.test("encodeMetadataPickle() writes the xattr pickle as before and as Swift does", async () => {
  const before =
    "80027d710028635f636f646563730a656e636f64650a710158040000006e616d65710258060000006c6174696e3171038671045271056801580a0000002f612f632f6fc383c2a9710668038671075271086801580b000000582d54696d657374616d707109680386710a52710b68015810000000303030303030313233342e3536373839710c680386710d52710e6801580e000000436f6e74656e742d4c656e677468710f68038671105271116801580100000030711268038671135271146801580400000045546167711568038671165271176801582000000064343164386364393866303062323034653938303039393865636638343237657118680386711952711a68015810000000582d4f626a6563742d4d6574612dc3bf711b680386711c52711d68015802000000c3be711e680386711f527120752e";
  const ours = hex(encodeMetadataPickle(METADATA));
  assertEquals(ours, before);
  const swift = await python(
    `
import json, pickle, sys
from swift.obj.diskfile import _encode_metadata
md = {bytes.fromhex(k).decode('utf-8', 'surrogatepass'): bytes.fromhex(v).decode('utf-8', 'surrogatepass')
      for k, v in json.load(sys.stdin)}
print(json.dumps(pickle.dumps(_encode_metadata(md), 2).hex()))
`,
    Object.entries(METADATA).map(([k, v]) => [
      hex(encodeUtf8(k, "surrogatepass")),
      hex(encodeUtf8(v, "surrogatepass")),
    ]),
  );
  assertEquals(ours, swift);
});

Deno.test("hashes.pkl and async_pending pickles are written as before", async () => {
  const hashes = new Map<PickleValue, PickleValue>([
    ["abc", "d41d8cd98f00b204e9800998ecf8427e"],
    ["0ff", null],
    ["valid", true],
    ["updated", new PyFloat(1700000000)],
  ]);
  const hashesBefore =
    "80027d71002858030000006162637101582000000064343164386364393866303062323034653938303039393865636638343237657102580300000030666671034e580500000076616c696471048858070000007570646174656471054741d954fc40000000752e";
  assertEquals(hex(dumpPickle(hashes, { protocol: 2 })), hashesBefore);
  const swift = await python(
    `
import json, pickle
print(json.dumps(pickle.dumps({'abc': 'd41d8cd98f00b204e9800998ecf8427e', '0ff': None,
                               'valid': True, 'updated': 1700000000.0}, 2).hex()))
`,
    null,
  );
  assertEquals(hashesBefore, swift);
  // Swift's own async_pending files are compared in pickle_test.ts; this pins the headers form.
  const update = new Map<PickleValue, PickleValue>([
    ["op", "PUT"],
    ["account", "a"],
    ["container", "c"],
    ["obj", "o\u00e9"],
    [
      "headers",
      new PyHeaderKeyDict(Object.entries({
        "x-size": "0",
        "x-content-type": "text/plain",
        "x-timestamp": TS,
        "x-etag": "d41d8cd98f00b204e9800998ecf8427e",
        "x-trans-id": "tx",
        "referer": "PUT http://localhost/sda1/p/a/c/o",
        "x-backend-storage-policy-index": "0",
      })),
    ],
  ]);
  assertEquals(
    hex(dumpPickle(update, { protocol: 0 })),
    "286470300a566f700a70310a565055540a70320a73566163636f756e740a70330a56610a70340a7356636f6e7461696e65720a70350a56630a70360a73566f626a0a70370a566fe90a70380a7356686561646572730a70390a63636f70795f7265670a5f7265636f6e7374727563746f720a7031300a286373776966742e636f6d6d6f6e2e6865616465725f6b65795f646963740a4865616465724b6579446963740a7031310a635f5f6275696c74696e5f5f0a646963740a7031320a28647031330a56782d73697a650a7031340a56300a7031350a7356782d636f6e74656e742d747970650a7031360a56746578742f706c61696e0a7031370a7356782d74696d657374616d700a7031380a56303030303030313233342e35363738390a7031390a7356782d657461670a7032300a5664343164386364393866303062323034653938303039393865636638343237650a7032310a7356782d7472616e732d69640a7032320a5674780a7032330a7356726566657265720a7032340a5650555420687474703a2f2f6c6f63616c686f73742f736461312f702f612f632f6f0a7032350a7356782d6261636b656e642d73746f726167652d706f6c6963792d696e6465780a7032360a56300a7032370a73747032380a527032390a732e",
  );
});
