"""Runs a JSON list of broker operations against real Swift 2.30.

Reads {"ops": [...]} on stdin and prints a JSON list with one result per
operation. tests/db/_ops.ts runs the same operations against swiftd, so the
two outputs can be compared. Each operation builds a fresh broker, the way a
Swift server does per request, so .pending files behave as in production.
"""
import json
import sqlite3
import sys

from swift.account.backend import AccountBroker
from swift.container.backend import ContainerBroker


def broker(op):
    kind = op.get('kind', 'container')
    if kind == 'container':
        return ContainerBroker(op['db'], account=op.get('account'),
                               container=op.get('container'))
    return AccountBroker(op['db'], account=op.get('account'))


def listing_args(op):
    return dict(limit=op.get('limit', 10000), marker=op.get('marker', ''),
                end_marker=op.get('end_marker', ''),
                prefix=op.get('prefix'), delimiter=op.get('delimiter'),
                reverse=op.get('reverse', False),
                allow_reserved=op.get('allow_reserved', False))


def run(op):
    name = op['op']
    if name == 'initialize':
        b = broker(op)
        b.initialize(op.get('put_timestamp'), op.get('storage_policy_index'))
        return None
    if name == 'put_object':
        broker(op).put_object(
            op['name'], op['timestamp'], op['size'], op['content_type'],
            op['etag'], deleted=op.get('deleted', 0),
            storage_policy_index=op.get('storage_policy_index', 0),
            ctype_timestamp=op.get('ctype_timestamp'),
            meta_timestamp=op.get('meta_timestamp'))
        return None
    if name == 'delete_object':
        broker(op).delete_object(op['name'], op['timestamp'],
                                 op.get('storage_policy_index', 0))
        return None
    if name == 'put_container':
        broker(op).put_container(
            op['name'], op['put_timestamp'], op['delete_timestamp'],
            op['object_count'], op['bytes_used'],
            op['storage_policy_index'])
        return None
    if name == 'merge_items':
        broker(op).merge_items(op['items'], op.get('source'))
        return None
    if name == 'update_metadata':
        broker(op).update_metadata(
            {k: tuple(v) for k, v in op['updates']},
            validate_metadata=op.get('validate', False))
        return None
    if name == 'delete_db':
        broker(op).delete_db(op['timestamp'])
        return None
    if name == 'info':
        return broker(op).get_info()
    if name == 'metadata':
        return list(broker(op).metadata.items())
    if name == 'raw_metadata':
        return broker(op).get_raw_metadata()
    if name == 'is_deleted':
        return broker(op).is_deleted()
    if name == 'empty':
        return broker(op).empty()
    if name == 'policy_stats':
        return sorted(broker(op).get_policy_stats().items())
    if name == 'set_storage_policy_index':
        broker(op).set_storage_policy_index(op['policy_index'],
                                            op.get('timestamp'))
        return None
    if name == 'reported':
        broker(op).reported(op['put_timestamp'], op['delete_timestamp'],
                            op['object_count'], op['bytes_used'])
        return None
    if name == 'list_objects':
        args = listing_args(op)
        return broker(op).list_objects_iter(
            path=op.get('path'),
            storage_policy_index=op.get('storage_policy_index', 0),
            include_deleted=op.get('include_deleted', False), **args)
    if name == 'list_containers':
        return broker(op).list_containers_iter(**listing_args(op))
    if name == 'items_since':
        return broker(op).get_items_since(op.get('start', -1),
                                          op.get('count', 100000))
    if name == 'reclaim':
        r = broker(op).reclaim(op['age_timestamp'], op['sync_timestamp'])
        return [r.reclaimed, r.get_tombstone_count()]
    if name == 'syncs':
        return broker(op).get_syncs(op.get('incoming', True))
    if name == 'merge_syncs':
        broker(op).merge_syncs(op['points'], op.get('incoming', True))
        return None
    if name == 'replication_info':
        info = broker(op).get_replication_info()
        return info
    if name == 'rows':
        conn = sqlite3.connect(op['db'])
        try:
            cur = conn.execute('SELECT * FROM %s ORDER BY ROWID' % op['table'])
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, r)) for r in cur]
        finally:
            conn.close()
    if name == 'schema':
        conn = sqlite3.connect(op['db'])
        try:
            return [list(r) for r in conn.execute(
                'SELECT type, name, tbl_name, sql FROM sqlite_master '
                'ORDER BY rowid')]
        finally:
            conn.close()
    raise ValueError('unknown op %r' % name)


def main():
    script = json.load(sys.stdin)
    out = []
    for op in script['ops']:
        try:
            out.append({'ok': run(op)})
        except Exception as e:
            out.append({'error': type(e).__name__})
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
