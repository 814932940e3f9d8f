"""Reads swift.conf files with Swift 2.30's own code, for tests/common/swift_conf_test.ts.

stdin: {"paths": [swift.conf paths], "index_probes": [...], "name_probes": [...],
"split_probes": [...]}. stdout: a JSON object with PyECLib's usable ec_types and, per path,
what each of Swift's three readers made of it:
  hash:        validate_hash_conf()      -> prefix/suffix bytes (hex), or the error
  constraints: reload_constraints()      -> EFFECTIVE_CONSTRAINTS, overrides, MAX_HEADER_COUNT
  policies:    reload_storage_policies() -> every policy and get_policy_info()
The readers take swift.conf's path from swift.common.utils.SWIFT_CONF_FILE, which is what
set_swift_dir() sets (set_swift_dir() itself would exit on a bad [swift-hash]).
"""
import json
import sys

from pyeclib.ec_iface import VALID_EC_TYPES
from swift.common import constraints, storage_policy, utils
from swift.obj import diskfile


def error(exc):
    return {'ok': False, 'error': '%s: %s' % (type(exc).__name__, exc)}


def read_hash(path):
    utils.SWIFT_CONF_FILE = path
    utils.HASH_PATH_PREFIX = b''
    utils.HASH_PATH_SUFFIX = b''
    try:
        utils.validate_hash_conf()
    except BaseException as exc:  # IOError, configparser errors, InvalidHashPathConfigError
        return error(exc)
    return {'ok': True, 'prefix': utils.HASH_PATH_PREFIX.hex(),
            'suffix': utils.HASH_PATH_SUFFIX.hex()}


def read_constraints(path):
    utils.SWIFT_CONF_FILE = path
    try:
        constraints.reload_constraints()
    except BaseException as exc:
        return error(exc)
    effective = dict(constraints.EFFECTIVE_CONSTRAINTS)
    return {
        'ok': True,
        'effective': effective,
        'overridden': list(constraints.OVERRIDE_CONSTRAINTS),
        # constraints.py computes MAX_HEADER_COUNT once at import, with this formula.
        'max_header_count': effective['max_meta_count'] + 36 +
        max(effective['extra_header_count'], 0),
    }


def policy_json(policy):
    out = {
        'index': policy.idx,
        'name': policy.name,
        'names': list(policy.alias_list),
        'default': policy.is_default,
        'deprecated': policy.is_deprecated,
        'type': policy.policy_type,
        'diskfile_module': policy.diskfile_module,
        'ring_name': policy.ring_name,
        'data_dir': diskfile.get_data_dir(policy),
        'async_dir': diskfile.get_async_dir(policy),
        'tmp_dir': diskfile.get_tmp_dir(policy),
        'config_info': policy.get_info(config=True),
    }
    if policy.policy_type == storage_policy.EC_POLICY:
        out['ec'] = {
            'ec_type': policy.ec_type,
            'data': policy.ec_ndata,
            'parity': policy.ec_nparity,
            'segment_size': policy.ec_segment_size,
            'duplication_factor': policy.ec_duplication_factor,
            'scheme': policy.ec_scheme_description,
        }
    return out


def index_of(policy):
    return None if policy is None else policy.idx


def split(text):
    try:
        base, policy = storage_policy.split_policy_string(text)
    except storage_policy.PolicyError:
        return None
    return [base, policy.idx]


def read_policies(path, probes):
    utils.SWIFT_CONF_FILE = path
    try:
        storage_policy.reload_storage_policies()
    except BaseException as exc:  # SystemExit for PolicyError, others as raised
        return error(exc)
    policies = storage_policy.POLICIES
    return {
        'ok': True,
        'policies': [policy_json(p) for p in policies],
        'default': int(policies.default),
        'legacy': int(policies.legacy),
        'info': policies.get_policy_info(),
        'by_index': [index_of(policies.get_by_index(p))
                     for p in probes['index_probes']],
        'by_name': [index_of(policies.get_by_name(p))
                    for p in probes['name_probes']],
        'split': [split(p) for p in probes['split_probes']],
    }


def main():
    results = []
    request = json.load(sys.stdin)
    for path in request['paths']:
        hash_conf = read_hash(path)
        constraint_conf = read_constraints(path)
        policy_conf = read_policies(path, request)
        info = None
        if constraint_conf['ok'] and policy_conf['ok']:
            # proxy/server.py's register_swift_info() call, with fixed proxy settings.
            info = dict(version='2.30.1', strict_cors_mode=True,
                        policies=policy_conf['info'],
                        allow_account_management=False,
                        account_autocreate=True,
                        **constraints.EFFECTIVE_CONSTRAINTS)
            info = json.dumps(info, separators=(',', ':'), ensure_ascii=False)
        results.append({'hash': hash_conf, 'constraints': constraint_conf,
                        'policies': policy_conf, 'info': info})
    # The isa_l warning goes to stderr through logging; only JSON goes to stdout.
    json.dump({'valid_ec_types': list(VALID_EC_TYPES), 'results': results},
              sys.stdout)


if __name__ == '__main__':
    main()
