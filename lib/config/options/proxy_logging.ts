/**
 * Options of `egg:swift#proxy_logging` (swift/common/middleware/proxy_logging.py, Swift 2.30):
 * the keys ProxyLoggingMiddleware.__init__ reads, plus get_logger()'s.
 *
 * The access logger is a logger of its own. Swift builds it from `access_log_<key>`, falling
 * back to `log_<key>`, for the facility, name, level, UDP host and port and the statsd
 * settings only: it never reads log_address (nor an access_log_address) or
 * log_max_line_length, so access lines go to /dev/log (or log_udp_host) whatever those say,
 * and swiftd does the same. A key set to an empty value counts as unset.
 */
import {
  bool,
  csv,
  facility,
  float,
  int,
  InvalidValue,
  logLevel,
  type Parser,
  port,
  text,
} from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option, type OptionTable } from "./option.ts";
import { SWIFT_CONF_DIR_OPTION } from "./swift_dir.ts";

/** Swift's default log_msg_template. */
export const DEFAULT_LOG_MSG_TEMPLATE = "{client_ip} {remote_addr} {end_time.datetime} {method} " +
  "{path} {protocol} {status_int} {referer} {user_agent} {auth_token} {bytes_recvd} " +
  "{bytes_sent} {client_etag} {transaction_id} {headers} {request_time} {source} {log_info} " +
  "{start_time} {end_time} {policy_index}";

/** hashlib names Swift accepts for log_anonymization_method, as node:crypto names them. */
export const ANONYMIZATION_HASHES: Readonly<Record<string, string>> = {
  md5: "md5",
  sha1: "sha1",
  sha224: "sha224",
  sha256: "sha256",
  sha384: "sha384",
  sha512: "sha512",
  sha3_224: "sha3-224",
  sha3_256: "sha3-256",
  sha3_384: "sha3-384",
  sha3_512: "sha3-512",
  blake2b: "blake2b512",
  blake2s: "blake2s256",
};

/** log_anonymization_method: a hashlib.algorithms_guaranteed name, in any case. */
const anonymizationMethod: Parser<string> = (raw) => {
  const method = raw.toLowerCase();
  if (ANONYMIZATION_HASHES[method]) return method;
  // shake_128/shake_256 pass Swift's check but fail at every anonymized field (their
  // hexdigest() needs a length), so swiftd refuses them up front.
  throw new InvalidValue(
    `must be one of ${Object.keys(ANONYMIZATION_HASHES).join(", ")} (Swift: unsupported hashing ` +
      `method)`,
  );
};

/** An access_log_* override: empty means "use the log_* value". */
function unlessEmpty<T>(parse: Parser<T>): Parser<T | undefined> {
  return (raw, warn) => raw === "" ? undefined : parse(raw, warn);
}

/** Methods counted under their own name in statsd metrics; others count as BAD_METHOD. */
const methods: Parser<string[]> = (raw) =>
  raw.split(",").map((m) => m.trim().toUpperCase()).filter(Boolean);

/** `access_log_<key>` options, each falling back to `log_<key>`. */
const ACCESS_LOG_OPTIONS = [
  option({
    key: "access_log_name",
    parse: unlessEmpty(text),
    default: "",
    doc: "Name at the head of access lines; empty uses log_name.",
  }),
  option({
    key: "access_log_facility",
    parse: unlessEmpty(facility),
    default: "",
    doc: "Syslog facility of access lines; empty uses log_facility.",
  }),
  option({
    key: "access_log_level",
    parse: unlessEmpty(logLevel),
    default: "",
    doc: "Level of the access logger; empty uses log_level.",
  }),
  option({
    key: "access_log_udp_host",
    parse: unlessEmpty(text),
    default: "",
    doc: "Send access lines to this syslog host over UDP; empty uses log_udp_host.",
  }),
  option({
    key: "access_log_udp_port",
    parse: unlessEmpty(port),
    default: "",
    doc: "UDP port of access_log_udp_host; empty uses log_udp_port.",
  }),
  option({
    key: "access_log_statsd_host",
    parse: unlessEmpty(text),
    default: "",
    doc: "Statsd host of the request metrics; empty uses log_statsd_host.",
  }),
  option({
    key: "access_log_statsd_port",
    parse: unlessEmpty(port),
    default: "",
    doc: "UDP port of access_log_statsd_host; empty uses log_statsd_port.",
  }),
  option({
    key: "access_log_statsd_default_sample_rate",
    parse: unlessEmpty(float({ min: 0 })),
    default: "",
    doc: "Fraction of request metrics sent; empty uses log_statsd_default_sample_rate.",
  }),
  option({
    key: "access_log_statsd_sample_rate_factor",
    parse: unlessEmpty(float({ min: 0 })),
    default: "",
    doc: "Factor on every sample rate; empty uses log_statsd_sample_rate_factor.",
  }),
  option({
    key: "access_log_statsd_metric_prefix",
    parse: unlessEmpty(text),
    default: "",
    doc: "Prefix of request metric names; empty uses log_statsd_metric_prefix.",
  }),
] as const;

/** `egg:swift#proxy_logging`: one access line and statsd metrics per client request. */
export const PROXY_LOGGING_FILTER = {
  name: "proxy_logging",
  doc: "Logs one line per request (log_msg_template) and sends its timing and transfer " +
    "metrics to statsd; used twice in a pipeline, the right one logs subrequests.",
  options: [
    option({
      key: "log_msg_template",
      parse: text,
      default: DEFAULT_LOG_MSG_TEMPLATE,
      doc: "Access line as a Python str.format() template over Swift's field names " +
        "({client_ip}, {path}, {status_int}, {start_time.datetime}...).",
    }),
    option({
      key: "log_anonymization_method",
      parse: anonymizationMethod,
      default: "md5",
      doc: "Hash of the {field.anonymized} forms of client_ip, path, user_agent and the like.",
    }),
    option({
      key: "log_anonymization_salt",
      parse: text,
      default: "",
      doc: "Salt hashed before each anonymized value (shown as {SMD5} instead of {MD5}).",
    }),
    option({
      key: "access_log_headers",
      parse: unlessEmpty(bool),
      default: "",
      doc: "Log the request headers in the {headers} field; empty uses log_headers.",
    }),
    option({
      key: "log_headers",
      parse: bool,
      default: "no",
      doc: "Log the request headers in the {headers} field (see access_log_headers).",
    }),
    option({
      key: "access_log_headers_only",
      parse: csv,
      default: "",
      doc: "With header logging on, log only these headers (comma-separated); empty logs all.",
    }),
    option({
      key: "access_log_statsd_valid_http_methods",
      parse: unlessEmpty(methods),
      default: "",
      doc: "Methods with metrics of their own; empty uses log_statsd_valid_http_methods.",
    }),
    option({
      key: "log_statsd_valid_http_methods",
      parse: methods,
      default: "GET,HEAD,POST,PUT,DELETE,COPY,OPTIONS",
      doc: "Methods with metrics of their own; the others are counted as BAD_METHOD.",
    }),
    option({
      key: "reveal_sensitive_prefix",
      parse: int(),
      default: "16",
      doc: "Characters of X-Auth-Token (and other sensitive values) logged before '...'.",
    }),
    option({
      key: "access_log_route",
      parse: text,
      default: "proxy-access",
      doc: "Python logger name in Swift; it does not appear in lines and has no effect here.",
    }),
    ...ACCESS_LOG_OPTIONS,
    SWIFT_CONF_DIR_OPTION,
    ...LOG_OPTIONS,
  ],
  complete: true,
} as const satisfies OptionTable;
