/**
 * Schema upgrades AccountBroker applies to databases made by older Swift
 * releases (the _migrate_* methods of swift/account/backend.py).
 */
import { POLICY_STAT_TABLE_SCRIPT, POLICY_STAT_TRIGGER_SCRIPT } from "./account_schema.ts";
import type { SqlConnection } from "./sql.ts";

/** Adds policy_stat.container_count and fills it from the container rows. */
export function migrateAddContainerCount(conn: SqlConnection): void {
  conn.exec(
    `
            DROP TRIGGER container_delete_ps;
            DROP TRIGGER container_insert_ps;
            ALTER TABLE policy_stat
            ADD COLUMN container_count INTEGER DEFAULT 0;
        ` + POLICY_STAT_TRIGGER_SCRIPT,
  );
  // One policy: the account total is exact. Several: count rows per policy.
  conn.exec(`
        UPDATE policy_stat
        SET container_count = (
            SELECT container_count
            FROM account_stat)
        WHERE (
            SELECT COUNT(storage_policy_index)
            FROM policy_stat
        ) <= 1;

        INSERT OR REPLACE INTO policy_stat (
            storage_policy_index,
            container_count,
            object_count,
            bytes_used
        )
        SELECT p.storage_policy_index,
               c.count,
               p.object_count,
               p.bytes_used
        FROM (
            SELECT storage_policy_index,
                   COUNT(*) as count
            FROM container
            WHERE deleted = 0
            GROUP BY storage_policy_index
        ) c
        JOIN policy_stat p
        ON p.storage_policy_index = c.storage_policy_index
        WHERE NOT EXISTS(
            SELECT changes() as change
            FROM policy_stat
            WHERE change <> 0
        );
        `);
}

/** Creates policy_stat (seeded from account_stat) when missing. */
export function createPolicyStatTable(conn: SqlConnection): void {
  conn.exec(POLICY_STAT_TABLE_SCRIPT);
}

/** Adds container.storage_policy_index and the policy triggers, creating policy_stat if needed. */
export function migrateAddStoragePolicyIndex(conn: SqlConnection): void {
  try {
    createPolicyStatTable(conn);
  } catch (err) {
    if (!String((err as Error).message).includes("table policy_stat already exists")) throw err;
  }
  conn.exec(
    `
            ALTER TABLE container
            ADD COLUMN storage_policy_index INTEGER DEFAULT 0;
        ` + POLICY_STAT_TRIGGER_SCRIPT,
  );
}
