/**
 * Swift's drop_privileges(): a worker started as root binds its port, then becomes `user`
 * (supplementary groups from the group database, primary group, uid, HOME). Deno has no
 * setuid API, so this goes through libc; glibc applies setuid/setgid to every thread of the
 * process, which Deno's runtime threads need.
 *
 * The parent stays root (as nginx's master does) so it can bind again on reload and replace
 * workers; Swift's parent stays root too.
 */

import { lastErrno, openLibc } from "../common/libc.ts";

const SYMBOLS = {
  getpwnam: { parameters: ["buffer"], result: "pointer" },
  initgroups: { parameters: ["buffer", "u32"], result: "i32" },
  setgid: { parameters: ["u32"], result: "i32" },
  setuid: { parameters: ["u32"], result: "i32" },
  getuid: { parameters: [], result: "u32" },
  geteuid: { parameters: [], result: "u32" },
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
} as const;

/** prctl(PR_SET_DUMPABLE): setuid clears it, which makes /proc/self unreadable to ourselves. */
const PR_SET_DUMPABLE = 4;

const symbols = openLibc(SYMBOLS);

function cString(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${text}\0`);
}

/** A user from the password database (NSS: files, LDAP, ...). */
export interface UserEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** Looks `name` up with getpwnam(3); undefined when there is no such user. */
export function lookupUser(name: string): UserEntry | undefined {
  const entry = symbols().getpwnam(cString(name));
  if (!entry) return undefined;
  // struct passwd on Linux (glibc and musl, 64-bit): pw_name, pw_passwd (pointers), pw_uid and
  // pw_gid (u32 each), then pw_gecos, pw_dir, pw_shell (pointers).
  const view = new Deno.UnsafePointerView(entry);
  const home = view.getPointer(32);
  return {
    name,
    uid: view.getUint32(16),
    gid: view.getUint32(20),
    home: home ? Deno.UnsafePointerView.getCString(home) : "/",
  };
}

/** The effective uid of this process. */
export function effectiveUid(): number {
  return symbols().geteuid();
}

/** What a process started by `startUid` must do about the configured `user`. */
export type PrivilegePlan =
  | { readonly action: "keep" }
  | { readonly action: "drop"; readonly user: UserEntry };

/** Thrown when the user setting cannot be honoured. */
export class PrivilegeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrivilegeError";
  }
}

/**
 * Decides what to do about `user`, before anything starts. Swift's default is "swift"; an empty
 * value (swiftd's addition) keeps the user swiftd was started as.
 */
export function planPrivileges(user: string, startUid = effectiveUid()): PrivilegePlan {
  if (!user) return { action: "keep" };
  const entry = lookupUser(user);
  if (!entry) {
    throw new PrivilegeError(
      `Cannot run as user "${user}": no such user; name another one in 'user', or set ` +
        `"user =" (empty) to keep the user swiftd is started as`,
    );
  }
  if (startUid === 0) return entry.uid === 0 ? { action: "keep" } : { action: "drop", user: entry };
  if (entry.uid === startUid) return { action: "keep" };
  throw new PrivilegeError(
    `Cannot run as user "${user}": swiftd was started as uid ${startUid}, and only root can ` +
      `switch users; start it as root or as "${user}", or set "user =" (empty) to run as uid ` +
      `${startUid}`,
  );
}

/** Becomes `user` for good: supplementary groups, gid, uid, HOME, as drop_privileges() does. */
export function dropPrivileges(user: UserEntry): void {
  const lib = symbols();
  if (lib.initgroups(cString(user.name), user.gid) !== 0) {
    throw new PrivilegeError(`Cannot set the groups of user "${user.name}": errno ${lastErrno()}`);
  }
  if (lib.setgid(user.gid) !== 0) {
    throw new PrivilegeError(`Cannot set gid ${user.gid} ("${user.name}"): errno ${lastErrno()}`);
  }
  if (lib.setuid(user.uid) !== 0) {
    throw new PrivilegeError(`Cannot set uid ${user.uid} ("${user.name}"): errno ${lastErrno()}`);
  }
  lib.prctl(PR_SET_DUMPABLE, 1n, 0n, 0n, 0n);
  Deno.env.set("HOME", user.home);
}
