/** Builds Swift 1.x-era databases (before storage policies) for migration tests. */
import { join } from "@std/path";
import { runPython } from "./_python.ts";
import { copyTree } from "./_temp.ts";

// Container and account databases as Swift 1.x created them: no storage
// policies, no policy_stat, no shard_range; counts live in <type>_stat.
const MAKE_LEGACY = `
import json, sqlite3, sys
from swift.common.db import chexor
args = json.load(sys.stdin)
conn = sqlite3.connect(args['db'])
conn.create_function('chexor', 3, chexor)
conn.executescript('''
CREATE TABLE outgoing_sync (remote_id TEXT UNIQUE, sync_point INTEGER, updated_at TEXT DEFAULT 0);
CREATE TABLE incoming_sync (remote_id TEXT UNIQUE, sync_point INTEGER, updated_at TEXT DEFAULT 0);
''')
if args['kind'] == 'container':
    conn.executescript('''
    CREATE TABLE object (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, created_at TEXT,
        size INTEGER, content_type TEXT, etag TEXT, deleted INTEGER DEFAULT 0);
    CREATE INDEX ix_object_deleted_name ON object (deleted, name);
    CREATE TRIGGER object_insert AFTER INSERT ON object BEGIN
        UPDATE container_stat SET object_count = object_count + (1 - new.deleted),
            bytes_used = bytes_used + new.size, hash = chexor(hash, new.name, new.created_at);
    END;
    CREATE TRIGGER object_update BEFORE UPDATE ON object BEGIN
        SELECT RAISE(FAIL, 'UPDATE not allowed; DELETE and INSERT');
    END;
    CREATE TRIGGER object_delete AFTER DELETE ON object BEGIN
        UPDATE container_stat SET object_count = object_count - (1 - old.deleted),
            bytes_used = bytes_used - old.size, hash = chexor(hash, old.name, old.created_at);
    END;
    CREATE TABLE container_stat (account TEXT, container TEXT, created_at TEXT,
        put_timestamp TEXT DEFAULT '0', delete_timestamp TEXT DEFAULT '0',
        object_count INTEGER, bytes_used INTEGER, reported_put_timestamp TEXT DEFAULT '0',
        reported_delete_timestamp TEXT DEFAULT '0', reported_object_count INTEGER DEFAULT 0,
        reported_bytes_used INTEGER DEFAULT 0, hash TEXT default '00000000000000000000000000000000',
        id TEXT, status TEXT DEFAULT '', status_changed_at TEXT DEFAULT '0', metadata TEXT DEFAULT '');
    INSERT INTO container_stat (object_count, bytes_used, account, container, created_at, id,
        put_timestamp) VALUES (0, 0, 'a', 'c', '0000000001.00000', 'legacy-id', '0000000001.00000');
    INSERT INTO object (name, created_at, size, content_type, etag) VALUES
        ('old1', '0000000002.00000', 10, 'text/plain', 'e1'),
        ('d/old2', '0000000002.00000', 20, 'text/plain', 'e2');
    ''')
else:
    conn.executescript('''
    CREATE TABLE container (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, put_timestamp TEXT,
        delete_timestamp TEXT, object_count INTEGER, bytes_used INTEGER, deleted INTEGER DEFAULT 0);
    CREATE INDEX ix_container_deleted_name ON container (deleted, name);
    CREATE TRIGGER container_insert AFTER INSERT ON container BEGIN
        UPDATE account_stat SET container_count = container_count + (1 - new.deleted),
            object_count = object_count + new.object_count, bytes_used = bytes_used + new.bytes_used,
            hash = chexor(hash, new.name, new.put_timestamp || '-' || new.delete_timestamp || '-' ||
                          new.object_count || '-' || new.bytes_used);
    END;
    CREATE TRIGGER container_update BEFORE UPDATE ON container BEGIN
        SELECT RAISE(FAIL, 'UPDATE not allowed; DELETE and INSERT');
    END;
    CREATE TRIGGER container_delete AFTER DELETE ON container BEGIN
        UPDATE account_stat SET container_count = container_count - (1 - old.deleted),
            object_count = object_count - old.object_count, bytes_used = bytes_used - old.bytes_used,
            hash = chexor(hash, old.name, old.put_timestamp || '-' || old.delete_timestamp || '-' ||
                          old.object_count || '-' || old.bytes_used);
    END;
    CREATE TABLE account_stat (account TEXT, created_at TEXT, put_timestamp TEXT DEFAULT '0',
        delete_timestamp TEXT DEFAULT '0', container_count INTEGER, object_count INTEGER DEFAULT 0,
        bytes_used INTEGER DEFAULT 0, hash TEXT default '00000000000000000000000000000000',
        id TEXT, status TEXT DEFAULT '', status_changed_at TEXT DEFAULT '0', metadata TEXT DEFAULT '');
    INSERT INTO account_stat (container_count, account, created_at, id, put_timestamp)
        VALUES (0, 'a', '0000000001.00000', 'legacy-id', '0000000001.00000');
    INSERT INTO container (name, put_timestamp, delete_timestamp, object_count, bytes_used) VALUES
        ('c1', '0000000002.00000', '0', 3, 30), ('d/c2', '0000000002.00000', '0', 1, 1);
    ''')
conn.commit()
conn.close()
print('null')
`;

/** The db path under root/<name>. */
export function dbIn(root: string, name: string): string {
  return join(root, name, "containers", "1", "abc", "fffabc", "fffabc.db");
}

/** Creates one legacy database under root/a and an identical copy under root/b; returns both paths. */
export async function legacyCopies(
  root: string,
  kind: "container" | "account",
): Promise<[string, string]> {
  const first = dbIn(root, "a");
  Deno.mkdirSync(join(first, ".."), { recursive: true });
  await runPython(MAKE_LEGACY, { db: first, kind });
  copyTree(join(root, "a"), join(root, "b"));
  return [first, dbIn(root, "b")];
}
