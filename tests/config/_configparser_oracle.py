"""CPython's configparser as Swift 2.30 reads configs, over a corpus of INI documents.

Usage: python3 _configparser_oracle.py MANIFEST.json

The manifest is a JSON list of cases {"files": [[name, base64 bytes], ...], "predefined":
{...}}. Each file is read as ConfigParser.read() reads a path: through a TextIOWrapper decoding
strict UTF-8 with universal newlines (the contents travel in the manifest because creating
thousands of small files is what would make this test slow). For each case this prints, in one
JSON list, the result of two parsers reading the files in order:

- "paste": ConfigParser(defaults=predefined, interpolation=NicerInterpolation()) with
  optionxform = str, as paste.deploy's ConfigLoader/Swift's ConfigDirLoader build it;
- "readconf": ConfigParser({}, interpolation=NicerInterpolation()), as swift.common.utils
  .readconf builds it (keys lower-cased).

A result is {"error": {...}} when reading fails, else {"defaults": ITEMS, "sections":
[[name, ITEMS], ...]} where ITEMS is items(section) as [[key, value], ...], or
{"kind": ..., "key": ...} when interpolating that section fails.
"""
import base64
import configparser
import io
import json
import re
import sys

from swift.common.utils import NicerInterpolation

# Python's text files end lines at \r\n, \r or \n only (universal newlines).
NEWLINE = re.compile(r"\r\n|\r|\n")


def undecodable_line(data):
    """The line (as the parser would number it) holding the first byte UTF-8 rejects.

    CPython's exception has no line number; this is the one a user would look at."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return len(NEWLINE.findall(data[: exc.start].decode("utf-8"))) + 1
    raise AssertionError("the file decodes as UTF-8")


def read_error(exc, index, data):
    where = {"kind": type(exc).__name__, "file": index}
    if isinstance(exc, configparser.DuplicateOptionError):
        return dict(where, line=exc.lineno, section=exc.section, key=exc.option)
    if isinstance(exc, configparser.DuplicateSectionError):
        return dict(where, line=exc.lineno, section=exc.section)
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return dict(where, line=exc.lineno)
    if isinstance(exc, configparser.ParsingError):
        return dict(where, line=exc.errors[0][0])
    if isinstance(exc, UnicodeDecodeError):
        return dict(where, line=undecodable_line(data))
    raise exc


def items(parser, section):
    try:
        return [[key, value] for key, value in parser.items(section)]
    except configparser.InterpolationError as exc:
        return {"kind": type(exc).__name__, "key": exc.option}


def parse(case, flavor):
    if flavor == "paste":
        parser = configparser.ConfigParser(
            defaults=case["predefined"], interpolation=NicerInterpolation()
        )
        parser.optionxform = str
    else:
        parser = configparser.ConfigParser({}, interpolation=NicerInterpolation())
    # ConfigParser.read(list) reads each file in turn; one at a time tells which one failed.
    for index, (name, encoded) in enumerate(case["files"]):
        data = base64.b64decode(encoded)
        # What ConfigParser.read(name) does once open() has made the TextIOWrapper.
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="strict")
        try:
            parser.read_file(text, source=name)
        except (configparser.Error, UnicodeDecodeError) as exc:
            return {"error": read_error(exc, index, data)}
    return {
        "defaults": items(parser, parser.default_section),
        "sections": [[name, items(parser, name)] for name in parser.sections()],
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    results = [{flavor: parse(case, flavor) for flavor in ("paste", "readconf")} for case in cases]
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
