"""paste.deploy as Swift 2.30 drives it, as `swift-config -w` shows it, over generated configs.

Usage: python3 _paste_oracle.py PATH...

For each PATH (a config file or a conf.d directory) this prints, in one JSON list, either
[[section, [[key, value], ...]], ...] as swift-config -w would print it, or {"error": text}.
"""
import json
import sys

from swift.common.wsgi import appconfig


# Copied from Swift 2.30's bin/swift-config.
def _context_name(context):
    return ':'.join((context.object_type.name, context.name))


def inspect_app_config(app_config):
    conf = {}
    context = app_config.context
    section_name = _context_name(context)
    conf[section_name] = context.config()
    if context.object_type.name == 'pipeline':
        filters = context.filter_contexts
        pipeline = []
        for filter_context in filters:
            conf[_context_name(filter_context)] = filter_context.config()
            pipeline.append(filter_context.entry_point_name)
        app_context = context.app_context
        conf[_context_name(app_context)] = app_context.config()
        pipeline.append(app_context.entry_point_name)
        conf[section_name]['pipeline'] = ' '.join(pipeline)
    return conf


def effective(path):
    try:
        conf = inspect_app_config(appconfig(path))
    except Exception as exc:  # what fails is compared, not how
        return {"error": "%s: %s" % (type(exc).__name__, exc)}
    # swift-config prints values with '%s'.
    return [[name, [[key, "%s" % value] for key, value in section.items()]]
            for name, section in conf.items()]


def main():
    sys.stdout.write(json.dumps([effective(path) for path in sys.argv[1:]]))


if __name__ == "__main__":
    main()
