"""Swift 2.30's swift.common.middleware.acl over a batch of inputs, for acl_test.ts.

Usage: /usr/bin/python3 _acl_oracle.py SPEC.json

SPEC holds lists of inputs per function: "clean" [[header, value]], "parse_v1" [value|null],
"parse_v2" [data|null], "referrer" [[referer|null, [designation...]]], "format_v1"
[{"groups", "referrers", "header_name"}], "format_v2" [dict], "acls" [sysmeta|null].

Prints the same keys with one result per input: the return value (parse_v2's and acls' as
format_acl_v2() of it, so NaN survives the trip), or {"error": message} for clean_acl's
and format_acl's ValueError and {"error": class name} for anything urlparse() raises.
"""
import json
import sys

from swift.common.middleware import acl


def attempt(fn, *args, **kwargs):
    try:
        return {"ok": fn(*args, **kwargs)}
    except ValueError as err:
        return {"error": str(err)}


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    out = {
        "clean": [attempt(acl.clean_acl, name, value) for name, value in spec["clean"]],
        "parse_v1": [list(acl.parse_acl(value)) for value in spec["parse_v1"]],
        "parse_v2": [],
        "referrer": [attempt(acl.referrer_allowed, ref, designations)
                     for ref, designations in spec["referrer"]],
        "format_v1": [attempt(acl.format_acl, version=1, **kw) for kw in spec["format_v1"]],
        "format_v2": [acl.format_acl(version=2, acl_dict=d) for d in spec["format_v2"]],
        "acls": [],
    }
    for data in spec["acls"]:
        info = {"sysmeta": {"core-access-control": data}} if data is not None else {}
        result = acl.acls_from_account_info(info)
        out["acls"].append(None if result is None else acl.format_acl_v2(result))
    for data in spec["parse_v2"]:
        result = acl.parse_acl(version=2, data=data)
        out["parse_v2"].append(None if result is None else acl.format_acl_v2(result))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
