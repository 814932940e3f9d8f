# Logs the messages given as JSON on stdin through Swift's own get_logger() to a Unix socket.
import json, sys
from swift.common.utils import get_logger
cases = json.load(sys.stdin)
for case in cases:
    conf = {"log_address": case["address"], "log_facility": case["facility"],
            "log_level": case["level"], "log_max_line_length": str(case["max"])}
    logger = get_logger(conf, case["name"], log_route=case["name"] + "-route")
    logger.txn_id = case.get("txn")
    logger.client_ip = case.get("ip")
    getattr(logger, case["method"])(case["message"])
