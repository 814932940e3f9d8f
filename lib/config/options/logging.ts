/** Logging options: Swift's get_logger() settings, read by every server and filter. */
import {
  csv,
  facility,
  float,
  int,
  InvalidValue,
  logLevel,
  optionalText,
  port,
  text,
} from "../values.ts";
import { option } from "./option.ts";

/** Settings of swift.common.utils.get_logger(), shared by servers and filters. */
export const LOG_OPTIONS = [
  option({
    key: "log_name",
    parse: optionalText,
    default: "",
    doc: "Name in each log line and the statsd prefix; empty means the server's app section " +
      "name (proxy-server), which filters inherit unless they `set log_name`.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "log_facility",
    parse: facility,
    default: "LOG_LOCAL0",
    doc: "Syslog facility, LOG_LOCAL0 to LOG_LOCAL7.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "log_level",
    parse: logLevel,
    default: "INFO",
    doc: "Lowest level logged: DEBUG, INFO, NOTICE, WARNING, ERROR or CRITICAL.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "log_address",
    parse: text,
    default: "/dev/log",
    doc: "Unix datagram socket of the local syslog daemon. When it does not exist and no " +
      "log_udp_host is set, swiftd logs to stderr (Swift would send to UDP localhost:514).",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "log_udp_host",
    parse: optionalText,
    default: "",
    doc: "Send syslog datagrams to this host over UDP instead of log_address.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "log_udp_port",
    parse: port,
    default: "514",
    doc: "UDP port of log_udp_host.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "log_max_line_length",
    parse: int({ min: 0 }),
    default: "0",
    doc: "Shorten longer log lines to this many characters, keeping both ends; 0 keeps them whole.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "log_statsd_host",
    parse: optionalText,
    default: "",
    doc: "Send statsd metrics to this host; empty disables metrics.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "log_statsd_port",
    parse: port,
    default: "8125",
    doc: "UDP port of log_statsd_host.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "log_statsd_metric_prefix",
    parse: text,
    default: "",
    doc: "Prefix of every statsd metric name.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "log_statsd_default_sample_rate",
    parse: float({ min: 0, max: 1 }),
    default: "1.0",
    doc: "Fraction of events sent to statsd.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "log_statsd_sample_rate_factor",
    parse: float({ min: 0, max: 1 }),
    default: "1.0",
    doc: "Factor applied to every statsd sample rate.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "log_custom_handlers",
    parse: (raw) => {
      if (csv(raw, () => {}).length === 0) return [];
      throw new InvalidValue("names Python logging hooks, which swiftd cannot load; remove it");
    },
    default: "",
    doc: "Python logging hooks in Swift; swiftd cannot load Python code, so it must stay empty.",
    sampleIn: "DEFAULT",
  }),
] as const;
