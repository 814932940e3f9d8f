/** Runtime options: what run_wsgi() reads to bind, fork, serve and supervise (every server). */
import {
  autoCount,
  bool,
  fallocateReserve,
  int,
  optionalPath,
  path,
  port,
  seconds,
  text,
} from "../values.ts";
import { LOG_OPTIONS } from "./logging.ts";
import { option } from "./option.ts";

/** Settings of swift.common.wsgi.run_wsgi() and its helpers, plus swiftd's supervisor settings. */
export const RUNTIME_OPTIONS = [
  option({
    key: "bind_ip",
    parse: text,
    default: "0.0.0.0",
    doc: "Address to listen on: an IPv4 or IPv6 address, 0.0.0.0 or ::.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "bind_port",
    parse: port,
    default: "",
    doc: "Port to listen on. Required, as in Swift.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "backlog",
    parse: int({ min: 1 }),
    default: "4096",
    doc: "Length of the kernel's queue of connections not yet accepted.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "bind_timeout",
    parse: seconds,
    default: "30",
    doc: "Seconds to keep retrying while the port is in use before giving up.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "keep_idle",
    parse: int({ min: 1, max: 32766 }),
    default: "600",
    doc: "Seconds a connection is idle before TCP keepalive probes start (TCP_KEEPIDLE).",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "workers",
    parse: autoCount,
    default: "auto",
    doc: "Worker processes; auto is one per CPU, 0 serves from the parent process alone.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "max_clients",
    parse: int({ min: 1 }),
    default: "1024",
    doc: "Concurrent requests one worker serves; later requests wait their turn.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "client_timeout",
    parse: seconds,
    default: "60",
    doc: "Seconds a client may stall while sending a request before it is cut off.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "user",
    parse: text,
    default: "swift",
    doc: "User the workers run as when swiftd starts as root (as in Swift); empty keeps the " +
      "user swiftd is started as (a swiftd addition, for containers and local testing).",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "swift_dir",
    parse: path,
    default: "/etc/swift",
    doc: "Directory of swift.conf and the rings.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "run_dir",
    parse: path,
    default: "/var/run/swift",
    doc: "Directory of the pid and lock files that stop a second copy of a server from " +
      "sharing its port.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "graceful_shutdown_timeout",
    parse: seconds,
    default: "60",
    doc: "Seconds workers get to finish requests after SIGHUP, SIGINT or a reload before they " +
      "are killed; Swift waits forever.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "graceful_sigterm",
    parse: bool,
    default: "false",
    doc: "Make SIGTERM drain like SIGHUP, for orchestrators that send SIGTERM and wait.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "cert_file",
    parse: optionalPath,
    default: "",
    doc: "PEM certificate: with key_file, serve HTTPS (Swift advises TLS termination in front).",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "key_file",
    parse: optionalPath,
    default: "",
    doc: "PEM private key of cert_file.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "fallocate_reserve",
    parse: fallocateReserve,
    default: "1%",
    doc:
      "Space to keep free on each disk, in bytes or percent; writes that would go below get 507.",
    sampleIn: "DEFAULT",
  }),
  option({
    key: "disable_fallocate",
    parse: bool,
    default: "false",
    doc: "Do not preallocate space for uploads (for filesystems without fallocate).",
    sampleIn: "DEFAULT",
  }),
  ...LOG_OPTIONS,
] as const;
