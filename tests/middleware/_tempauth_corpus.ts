/**
 * The requests tempauth_test.ts sends to swiftd's tempauth and to Swift's (through
 * _tempauth_oracle.py): auth requests, every token kind, cross-account attempts, container
 * ACLs with referrers, account ACLs, service tokens, overrides, and conf variants.
 */

/** One request; "${name}" in a header is the token the request saved as `name` got. */
export interface CorpusRequest {
  readonly method: string;
  /** Percent-encoded path. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The container ACL the fake proxy hands to swift.authorize. */
  readonly acl?: string | null;
  readonly env?: {
    readonly "swift.authorize_override"?: boolean;
    readonly swift_sync_key?: string;
    /** Another auth middleware installed swift.authorize before tempauth. */
    readonly preauth?: boolean;
  };
  /** Keep the X-Auth-Token of a 200 under this name. */
  readonly save?: string;
}

/** One tempauth instance (conf), its cache and the requests it gets. */
export interface CorpusCase {
  readonly conf: Readonly<Record<string, string>>;
  /** Cache entries before the first request (JSON values). */
  readonly seed?: Readonly<Record<string, unknown>>;
  /** X-Account-Sysmeta-Core-Access-Control of accounts, as the account HEAD answers it. */
  readonly account_acls?: Readonly<Record<string, string>>;
  /** Every cache set fails (MemcacheConnectionError) and every get misses. */
  readonly cache_down?: boolean;
  readonly requests: readonly CorpusRequest[];
}

/** The conf most cases share: Swift's sample users plus a few more roles. */
export const BASE_CONF: Readonly<Record<string, string>> = {
  user_admin_admin: "admin .admin .reseller_admin",
  user_test_tester: "testing .admin",
  user_test2_tester2: "testing2 .admin",
  user_test_tester3: "testing3",
  user_reader_reader: "readerpw .reseller_reader",
  user_glance_glance: "glancepw .service",
  user_test5_tester5: "testing5 service https://cluster.example.com/v1/AUTH_five",
  reseller_prefix: "AUTH, SERVICE",
  SERVICE_require_group: ".service",
};

const LATER = 4102444800.25; // 2100-01-01
const EXPIRED = 1000000000.5;

/** Tokens in the cache before the requests, by the name the requests use. */
export const SEED: Readonly<Record<string, unknown>> = {
  "AUTH_/token/AUTH_tktest": [LATER, "test,test:tester,AUTH_test,SERVICE_test"],
  "AUTH_/token/AUTH_tktester3": [LATER, "test,test:tester3"],
  "AUTH_/token/AUTH_tktest2": [LATER, "test2,test2:tester2,AUTH_test2,SERVICE_test2"],
  "AUTH_/token/AUTH_tkadmin": [LATER, "admin,admin:admin,.reseller_admin,AUTH_admin,SERVICE_admin"],
  "AUTH_/token/AUTH_tkreader": [LATER, "reader,reader:reader,.reseller_reader"],
  "AUTH_/token/AUTH_tkglance": [LATER, "glance,glance:glance,.service"],
  "AUTH_/token/AUTH_tkexpired": [EXPIRED, "test,test:tester,AUTH_test,SERVICE_test"],
  "AUTH_/token/AUTH_tkevil": [LATER, "evil,evil:evil,x.reseller_adminy"],
  "AUTH_/token/AUTH_tkmalformed": [LATER],
  "AUTH_/user/test:tester": "AUTH_tkexpired",
  "AUTH_/user/test2:tester2": "AUTH_tktest2",
};

const TOKENS = [
  undefined,
  "",
  "AUTH_tktest",
  "AUTH_tktester3",
  "AUTH_tktest2",
  "AUTH_tkadmin",
  "AUTH_tkreader",
  "AUTH_tkglance",
  "AUTH_tkexpired",
  "AUTH_tkevil",
  "AUTH_tknope",
  "OTHER_tkx",
];

const PATHS = [
  "/v1/AUTH_test",
  "/v1/AUTH_test/",
  "/v1/AUTH_test/c",
  "/v1/AUTH_test/c/o/p",
  "/v1/AUTH_test2/c/o",
  "/v1/SERVICE_test/c",
  "/v1/AUTH_.hidden/c",
  "/v1/AUTH_",
  "/v1/AUTH_admin",
  "/v1/OTHER_x/c",
  "/v1/AUTH_t%C3%A9st/c",
  "/v1",
  "/",
  "/info",
];

const METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"];

function tokenHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { "X-Auth-Token": token };
}

/** Every token against every path and method, without ACLs. */
function tokenMatrix(): CorpusCase {
  const requests: CorpusRequest[] = [];
  for (const token of TOKENS) {
    for (const path of PATHS) {
      for (const method of METHODS) requests.push({ method, path, headers: tokenHeaders(token) });
    }
  }
  // X-Storage-Token counts when X-Auth-Token is absent, and only then.
  requests.push({
    method: "GET",
    path: "/v1/AUTH_test/c",
    headers: { "X-Storage-Token": "AUTH_tktest" },
  });
  requests.push({
    method: "GET",
    path: "/v1/AUTH_test/c",
    headers: { "X-Auth-Token": "", "X-Storage-Token": "AUTH_tktest" },
  });
  requests.push({
    method: "GET",
    path: "/v1/AUTH_test/c",
    headers: { "X-Auth-Token": "AUTH_tkmalformed" },
  });
  return { conf: BASE_CONF, seed: SEED, requests };
}

const CONTAINER_ACLS = [
  null,
  "",
  ".r:*",
  ".r:*,.rlistings",
  ".r:.example.com",
  ".r:.example.com,.r:-bad.example.com",
  ".r:-bad.example.com,.r:*",
  ".r:www.example.com",
  "test:tester3",
  "test",
  "test2,test2:tester2",
  "a,,b",
  "te%73t:tester3",
  ".rlistings",
];

const REFERERS = [
  undefined,
  "http://example.com/x",
  "http://www.example.com/page",
  "http://bad.example.com/",
  "https://user:pw@WWW.Example.COM:8443/p?q#f",
  "//www.example.com/",
  "www.example.com",
  "http://[::1]/",
  "http://[bad/",
  "http://[::1]x/",
  "http://[1.2.3.4]/",
];

/** Container ACLs (groups, referrers, .rlistings) for outsiders and anonymous users. */
function containerAclMatrix(): CorpusCase {
  const requests: CorpusRequest[] = [];
  for (const token of [undefined, "AUTH_tktester3", "AUTH_tktest2", "AUTH_tknope"]) {
    for (const path of ["/v1/AUTH_test/c", "/v1/AUTH_test/c/o"]) {
      for (const method of ["GET", "PUT"]) {
        for (const acl of CONTAINER_ACLS) {
          for (const referer of REFERERS) {
            const headers = { ...tokenHeaders(token), ...(referer ? { Referer: referer } : {}) };
            requests.push({ method, path, headers, acl });
          }
        }
      }
    }
  }
  return { conf: BASE_CONF, seed: SEED, requests };
}

const ACCOUNT_ACLS = [
  '{"admin":["test2:tester2"],"read-write":["test:tester3"],"read-only":["reader"]}',
  '{"read-only":["test2"]}',
  '{"read-write":["test2:tester2"]}',
  '{"admin":"test2"}',
  '{"admin":[],"read-only":[]}',
  '{"admin":{"test2":1}}',
  '{"admin":5}',
  '{"admin":[["x"]]}',
  '{"admin":null,"read-only":["test2"]}',
  "not json",
  "[]",
  "",
];

/** Account ACLs stored in the account's sysmeta, seen through the HEAD tempauth makes. */
function accountAclCases(): CorpusCase[] {
  return ACCOUNT_ACLS.map((stored) => {
    const requests: CorpusRequest[] = [];
    for (const token of [undefined, "AUTH_tktester3", "AUTH_tktest2", "AUTH_tkreader"]) {
      for (const path of ["/v1/AUTH_test", "/v1/AUTH_test/c", "/v1/AUTH_test/c/o"]) {
        for (const method of ["GET", "HEAD", "PUT", "POST", "DELETE"]) {
          requests.push({ method, path, headers: tokenHeaders(token) });
        }
      }
    }
    return { conf: BASE_CONF, seed: SEED, account_acls: { AUTH_test: stored }, requests };
  });
}

const ACL_HEADERS = [
  '{"admin":["a"],"read-write":["b"],"read-only":["c"]}',
  "{}",
  "",
  "not json",
  "[]",
  '"admin"',
  '{"admin":"x"}',
  '{"admin":[1]}',
  '{"admin":NaN}',
  '{"admin":Infinity}',
  '{"foo":[]}',
  '{"read-only":["a"],"zzz":[],"aaa":[]}',
  '{"admin":["\u00e9"]}',
  '{"\u00e9":[]}',
  '{"admin": ["a"], \'x\'}',
  "\u00ff\u00fe",
];

/** X-Account-Access-Control as the account owner sends it: validated, then moved to sysmeta. */
function aclHeaderCase(): CorpusCase {
  const requests: CorpusRequest[] = [];
  for (const value of ACL_HEADERS) {
    for (const method of ["POST", "HEAD"]) {
      for (const token of ["AUTH_tktest", "AUTH_tktest2"]) {
        requests.push({
          method,
          path: "/v1/AUTH_test",
          headers: { "X-Auth-Token": token, "X-Account-Access-Control": value },
        });
      }
    }
  }
  return { conf: BASE_CONF, seed: SEED, requests };
}

/** Service tokens: SERVICE_ accounts need the .service group of a second token. */
function serviceTokenCase(): CorpusCase {
  const requests: CorpusRequest[] = [];
  for (const token of ["AUTH_tktest", "AUTH_tknope", "AUTH_tkglance"]) {
    for (const service of [undefined, "AUTH_tkglance", "AUTH_tknope", "AUTH_tkexpired"]) {
      for (const path of ["/v1/SERVICE_test/c/o", "/v1/AUTH_test/c/o", "/v1/SERVICE_test"]) {
        const headers: Record<string, string> = { "X-Auth-Token": token };
        if (service) headers["X-Service-Token"] = service;
        requests.push({ method: "PUT", path, headers });
        requests.push({ method: "GET", path, headers });
      }
    }
  }
  return { conf: BASE_CONF, seed: SEED, requests };
}

/** Overrides, another auth's swift.authorize, and container sync keys. */
function environCase(conf: Record<string, string>): CorpusCase {
  const requests: CorpusRequest[] = [];
  for (const token of [undefined, "AUTH_tknope", "AUTH_tktester3", "OTHER_tk"]) {
    for (const path of ["/v1/AUTH_test/c", "/v1/OTHER_x/c", "/v1", "/auth/v1.0"]) {
      const headers = tokenHeaders(token);
      requests.push({ method: "GET", path, headers, env: { "swift.authorize_override": true } });
      requests.push({ method: "GET", path, headers, env: { preauth: true } });
      requests.push({ method: "PUT", path, headers, env: { swift_sync_key: "sekrit" } });
      requests.push({
        method: "PUT",
        path,
        headers: { ...headers, "X-Container-Sync-Key": "sekrit", "X-Timestamp": "1.0" },
        env: { swift_sync_key: "sekrit" },
      });
      requests.push({
        method: "PUT",
        path,
        headers: { ...headers, "X-Container-Sync-Key": "wrong", "X-Timestamp": "1.0" },
        env: { swift_sync_key: "sekrit" },
      });
    }
  }
  return { conf, seed: SEED, requests };
}

/** Right and wrong credentials in every form the token endpoint takes. */
function authRequests(prefix = "/auth/"): CorpusRequest[] {
  const requests: CorpusRequest[] = [];
  const forms: Record<string, string>[] = [
    { "X-Auth-User": "test:tester", "X-Auth-Key": "testing" },
    { "X-Storage-User": "test:tester", "X-Storage-Pass": "testing" },
    { "X-Auth-User": "test:tester", "X-Storage-Pass": "testing", "X-Auth-Key": "" },
    { "X-Auth-User": "test:tester", "X-Auth-Key": "wrong" },
    { "X-Auth-User": "test:tester", "X-Auth-Key": "testin" },
    { "X-Auth-User": "test:tester", "X-Auth-Key": "testingg" },
    { "X-Auth-User": "test:tester", "X-Auth-Key": "" },
    { "X-Auth-User": "test:tester" },
    { "X-Auth-User": "tester", "X-Auth-Key": "testing" },
    { "X-Auth-User": "nobody:tester", "X-Auth-Key": "testing" },
    { "X-Auth-User": ":tester", "X-Auth-Key": "testing" },
    { "X-Auth-User": "test:", "X-Auth-Key": "testing" },
    { "X-Storage-User": "tester", "X-Storage-Pass": "testing" },
    { "X-Auth-User": "test:tester:x", "X-Auth-Key": "testing" },
    {},
  ];
  const paths = [
    "v1.0",
    "auth",
    "v1/test/auth",
    "v1/other/auth",
    "v1/test/auth/x",
    "v1/test",
    "v2",
    "",
    "v1.0/extra",
    "v1//auth",
    "v1/test/autH",
  ]; // deno-fmt-ignore
  for (const path of paths) {
    for (const headers of forms) requests.push({ method: "GET", path: prefix + path, headers });
  }
  requests.push({ method: "HEAD", path: `${prefix}v1.0`, headers: forms[0] });
  requests.push({ method: "POST", path: `${prefix}v1.0`, headers: forms[0] });
  return requests;
}

/** Tokens from the endpoint, reused, renewed, used; storage URLs under Host variants. */
function tokenLifecycleCase(conf: Record<string, string>): CorpusCase {
  const users = [
    ["test:tester", "testing"],
    ["test2:tester2", "testing2"],
    ["test:tester3", "testing3"],
    ["admin:admin", "admin"],
    ["test5:tester5", "testing5"],
  ];
  const requests: CorpusRequest[] = [...authRequests()];
  users.forEach(([user, key], i) => {
    const headers = { "X-Auth-User": user, "X-Auth-Key": key };
    requests.push({ method: "GET", path: "/auth/v1.0", headers, save: `a${i}` });
    requests.push({ method: "GET", path: "/auth/v1.0", headers, save: `b${i}` });
    requests.push({
      method: "GET",
      path: "/auth/v1.0",
      headers: { ...headers, Host: "example.com:8080" },
    });
    requests.push({ method: "GET", path: "/auth/v1.0", headers: { ...headers, Host: "h:80" } });
    for (const path of ["/v1/AUTH_test/c", "/v1/AUTH_test2/c", "/v1/AUTH_five/c"]) {
      requests.push({ method: "PUT", path, headers: { "X-Auth-Token": `\${a${i}}` } });
    }
  });
  return { conf, seed: SEED, requests };
}

/** Variants of the conf: prefixes, require_group, URL scheme, auth_prefix, token_life. */
const CONF_VARIANTS: Record<string, string>[] = [
  BASE_CONF,
  { ...BASE_CONF, reseller_prefix: "AUTH", require_group: "admins" },
  { ...BASE_CONF, reseller_prefix: "''", storage_url_scheme: "https" },
  { ...BASE_CONF, reseller_prefix: "AUTH_, '', AUTH", token_life: "100" },
  { ...BASE_CONF, reseller_prefix: "", allow_overrides: "no", storage_url_scheme: "http" },
  { ...BASE_CONF, auth_prefix: "authx", "''require_group": "x", require_group: " " },
  { ...BASE_CONF, auth_prefix: "" },
  { ...BASE_CONF, auth_prefix: "/a/b/" },
  { ...BASE_CONF, user_test_tester: "testing .admin .admin $HOST/v1/AUTH_elsewhere" },
];

/** Conf lines Swift refuses or reads in surprising ways (users, base64 names). */
const CONF_EDGES: Record<string, string>[] = [
  { user64_dW5pY29kZQ_dXNlcg: "pw .admin" },
  { user64_dW5pY29kZQ_dXNlcg: "pw", user_unicode_user: "other" },
  { "user64_dGVzdA==_dXNlcg": "pw" },
  { "user64_dGV*zdA_dXN!lcg": "pw" },
  { user64_w_dXNlcg: "pw" },
  { user64_dGVzd_dXNlcg: "pw" },
  { user64_w6k_dXNlcg: "pw" },
  { user64__w: "pw" },
  { user_a_b_c: "pw" },
  { user_ab: "pw" },
  { user_a_b: "" },
  { "user_t\u00e9st_b": "pw" },
  { user_a_b: "pw one://two" },
  { user_a_b: "pw\tg1  g2\u3000g3 $HOST" },
  { user_a_: "pw" },
  { reseller_prefix: " , ,", user_a_b: "pw" },
];

/** Every case of the differential corpus. */
export function corpus(): CorpusCase[] {
  return [
    tokenMatrix(),
    containerAclMatrix(),
    ...accountAclCases(),
    aclHeaderCase(),
    serviceTokenCase(),
    ...CONF_VARIANTS.map(environCase),
    ...CONF_VARIANTS.map(tokenLifecycleCase),
    ...CONF_VARIANTS.slice(5, 8).map((conf) => ({ conf, requests: authRequests("/a/") })),
    { conf: BASE_CONF, seed: SEED, cache_down: true, requests: authRequests() },
    ...CONF_EDGES.map((conf) => ({ conf, requests: [] })),
  ];
}
