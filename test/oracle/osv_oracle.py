#!/usr/bin/python3
"""Independent reference evaluation of OSV advisories against CycloneDX host inventories.

Written from the OSV schema (https://ossf.github.io/osv-schema/, "Evaluation"), not from Patchwise's
TypeScript, so that the accuracy test compares two implementations that can only agree by both being
right. It favours being obviously correct over being fast: every component is checked against every
affected entry for its (ecosystem, name), with the ecosystems' own reference comparators:
  - rpm ecosystems (AlmaLinux, Rocky Linux): rpm.labelCompare from python3-rpm;
  - PyPI: packaging.version.Version (PEP 440), names normalised per PEP 503.

Usage:
  /usr/bin/python3 test/oracle/osv_oracle.py --advisories FEED [--advisories FEED ...] INVENTORY...
FEED is a .tar.gz, a directory, or a single .json/.yaml file of OSV records; INVENTORY is a CycloneDX
JSON file or a directory of them. Prints one JSON line per finding on stdout:
  {"host": ..., "advisory": ..., "package": ..., "installed": ..., "fixed": ... | null}
and on stderr a summary plus one JSON line {"skip": reason, ...} per input it could not evaluate
(installed versions PEP 440 rejects, ranges with an event version it rejects).

Where the spec is silent, this oracle decides as follows (each is the reading under which every
part of a record keeps its meaning):
  - one finding per (advisory, package); "fixed" is the nearest (lowest) fixed event above the
    installed version over every range that matched, in every affected entry of that advisory
    (AlmaLinux lists a package once per module build); null when none, or when only `versions` matched;
  - a `versions` entry the ecosystem cannot parse never equals a valid installed version, so it is
    ignored; the rest of the record still applies. A range with an unparseable event is skipped;
  - equal event versions keep the record's order (a stable sort, see order()): "fixed X,
    introduced X" reopens at X, "introduced X, fixed X" is empty; OSV.dev enumerates the same way;
  - records with `withdrawn` are skipped (the spec: no longer valid), unless --include-withdrawn.
"""

import argparse
import functools
import json
import os
import re
import sys
import tarfile
from urllib.parse import unquote

import rpm
import yaml
from packaging.version import InvalidVersion, Version

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# purl distro qualifier id -> OSV ecosystem prefix (the ecosystem is "<prefix>:<major release>").
RPM_DISTROS = {"almalinux": "AlmaLinux", "alma": "AlmaLinux", "rocky": "Rocky Linux"}
RPM_ECOSYSTEMS = set(RPM_DISTROS.values())


WARNED = set()


def warn(obj):
    sys.stderr.write(json.dumps(obj, sort_keys=True) + "\n")


def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def kind_of(ecosystem):
    """Which comparator an OSV ecosystem uses; None for ecosystems this oracle does not evaluate."""
    if ecosystem == "PyPI":
        return "pypi"
    if ecosystem.split(":")[0] in RPM_ECOSYSTEMS:
        return "rpm"
    return None


# ---------------------------------------------------------------- versions


def parse_evr(text):
    """'E:V-R' (epoch optional) -> (E, V, R) as rpm.labelCompare takes them; a missing epoch is 0."""
    epoch, sep, rest = text.partition(":")
    if not sep:
        epoch, rest = "0", text
    version, sep, release = rest.rpartition("-")
    if not sep:
        version, release = rest, None
    return (epoch or "0", version, release)


def parse_version(kind, text):
    """A comparable version, or None when the ecosystem's reference parser rejects it."""
    if kind == "rpm":
        return parse_evr(text)
    try:
        return Version(text)
    except InvalidVersion:
        return None


def compare(kind, a, b):
    if kind == "rpm":
        return rpm.labelCompare(a, b)
    return (a > b) - (a < b)


# ---------------------------------------------------------------- OSV evaluation


def sorted_events(kind, events):
    """Events sorted by version; 'introduced: 0' (meaning: from the very first version) sorts first.
    Returns None when an event's version cannot be parsed: such a range cannot be evaluated."""
    parsed = []
    for index, event in enumerate(events):
        for etype, value in event.items():
            if etype == "introduced" and value == "0":
                parsed.append((None, index, etype, value))
                continue
            version = parse_version(kind, value)
            if version is None:
                return None
            parsed.append((version, index, etype, value))

    def order(x, y):
        if x[0] is None or y[0] is None:
            return (x[0] is not None) - (y[0] is not None)
        # The spec leaves the order of equal versions open; the record's own order decides
        # (sorted() is stable and `parsed` is in record order), as OSV.dev's enumeration does.
        return compare(kind, x[0], y[0])

    return sorted(parsed, key=functools.cmp_to_key(order))


def included_in_range(kind, v, events):
    """The OSV spec's includedInRange: walk the sorted events, last applicable one wins."""
    vulnerable = False
    for version, _, etype, _ in events:
        if etype == "introduced" and (version is None or compare(kind, v, version) >= 0):
            vulnerable = True
        elif etype == "fixed" and compare(kind, v, version) >= 0:
            vulnerable = False
        elif etype == "last_affected" and compare(kind, v, version) > 0:
            vulnerable = False
    return vulnerable


def before_limits(kind, v, events):
    limits = [e for e in events if e[2] == "limit"]
    if not limits:
        return True
    return any(raw == "*" or compare(kind, v, version) < 0 for version, _, _, raw in limits)


def evaluate_entry(kind, v, entry, advisory_id):
    """(affected?, [fixed events above v in the ranges that matched]) for one affected entry."""
    affected = False
    fixes = []
    for rng in entry.get("ranges") or []:
        if rng.get("type") not in ("ECOSYSTEM", "SEMVER"):
            continue  # GIT ranges name commits, not versions
        events = sorted_events(kind, rng.get("events") or [])
        if events is None:
            note = json.dumps({"skip": "range with an unparseable event version",
                               "advisory": advisory_id, "events": rng.get("events")}, sort_keys=True)
            if note not in WARNED:  # the same range is met once per distinct installed version
                WARNED.add(note)
                sys.stderr.write(note + "\n")
            continue
        if included_in_range(kind, v, events) and before_limits(kind, v, events):
            affected = True
            fixes += [(ver, raw) for ver, _, etype, raw in events
                      if etype == "fixed" and compare(kind, ver, v) > 0]
    for listed in entry.get("versions") or []:
        lv = parse_version(kind, str(listed))
        if lv is not None and compare(kind, v, lv) == 0:
            affected = True
    return affected, fixes


# ---------------------------------------------------------------- loading advisories


def iter_feed(path):
    """(name, bytes) of every .json/.yaml/.yml file in a tarball, directory or single file."""
    wanted = (".json", ".yaml", ".yml")
    if os.path.isdir(path):
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(wanted):
                    with open(os.path.join(root, f), "rb") as fh:
                        yield f, fh.read()
    elif path.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(path) as tar:
            for member in tar:
                if member.isfile() and member.name.endswith(wanted):
                    yield member.name, tar.extractfile(member).read()
    else:
        with open(path, "rb") as fh:
            yield path, fh.read()


def load_advisories(paths, include_withdrawn):
    """(ecosystem, name key) -> [(advisory id, affected entry)]; plus counts for the summary."""
    index = {}
    stats = {"records": 0, "withdrawn_skipped": 0}
    for path in paths:
        for name, data in iter_feed(path):
            rec = json.loads(data) if name.endswith(".json") else yaml.load(data, Loader=YAML_LOADER)
            if not isinstance(rec, dict) or "id" not in rec:
                continue
            if rec.get("withdrawn") and not include_withdrawn:
                stats["withdrawn_skipped"] += 1
                continue
            stats["records"] += 1
            for entry in rec.get("affected") or []:
                pkg = entry.get("package") or {}
                eco, pname = pkg.get("ecosystem", ""), pkg.get("name", "")
                kind = kind_of(eco)
                if kind is None:
                    continue
                key = (eco, pep503(pname) if kind == "pypi" else pname)
                index.setdefault(key, []).append((rec["id"], entry))
    return index, stats


# ---------------------------------------------------------------- loading hosts


def parse_purl(purl):
    """pkg:type/namespace/name@version?qualifiers#subpath -> (type, name, version, qualifiers)."""
    if not purl.startswith("pkg:"):
        return None
    rest = purl[4:].split("#", 1)[0]
    rest, _, query = rest.partition("?")
    qualifiers = {}
    for pair in filter(None, query.split("&")):
        k, _, val = pair.partition("=")
        qualifiers[k.lower()] = unquote(val)
    path, at, version = rest.rpartition("@")
    if not at:
        path, version = rest, ""
    ptype, _, remainder = path.strip("/").partition("/")
    return ptype.lower(), unquote(remainder.rsplit("/", 1)[-1]), unquote(version), qualifiers


def rpm_ecosystem(distro_id, version_id):
    prefix = RPM_DISTROS.get(distro_id.lower())
    if prefix is None or not version_id:
        return None
    return "%s:%s" % (prefix, version_id.split(".")[0])


def iter_components(components):
    for c in components or []:
        yield c
        yield from iter_components(c.get("components"))


def load_host(path):
    """(host name, [(ecosystem, kind, name key, installed as written, version text)])."""
    with open(path, encoding="utf-8") as fh:
        bom = json.load(fh)
    meta = (bom.get("metadata") or {}).get("component") or {}
    host = meta.get("name") or os.path.basename(path)
    os_comp = next((c for c in iter_components(bom.get("components"))
                    if c.get("type") == "operating-system"), None)
    host_eco = rpm_ecosystem(os_comp.get("name", ""), os_comp.get("version", "")) if os_comp else None
    packages = []
    for comp in iter_components(bom.get("components")):
        parsed = parse_purl(comp.get("purl") or "")
        if parsed is None:
            continue
        ptype, name, version, q = parsed
        if ptype == "pypi":
            packages.append(("PyPI", "pypi", pep503(name), version, version))
        elif ptype == "rpm":
            eco = host_eco
            if q.get("distro"):
                m = re.match(r"^(.*?)-(\d[\w.]*)$", q["distro"])
                eco = rpm_ecosystem(m.group(1), m.group(2)) if m else None
            if eco is None:
                continue
            epoch = q.get("epoch", "")
            if ":" in version:
                epoch, version = version.split(":", 1)
            # Installed is shown as rpm -q --qf '%{EPOCH}:' would: the epoch only when it is not 0.
            shown = "%s:%s" % (epoch, version) if epoch not in ("", "0") else version
            packages.append((eco, "rpm", name, shown, shown))
    return host, packages


def host_files(paths):
    for p in paths:
        if os.path.isdir(p):
            for f in sorted(os.listdir(p)):
                if f.endswith(".json"):
                    yield os.path.join(p, f)
        else:
            yield p


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--advisories", action="append", required=True)
    ap.add_argument("--include-withdrawn", action="store_true",
                    help="evaluate records with a 'withdrawn' date (the spec says they no longer apply)")
    ap.add_argument("inventories", nargs="+")
    args = ap.parse_args()

    index, stats = load_advisories(args.advisories, args.include_withdrawn)
    # Hosts cloned from one image share most (ecosystem, name, version) triples: evaluate each once.
    cache = {}
    hosts = packages = findings = skipped = 0
    out = []
    for path in host_files(args.inventories):
        host, pkgs = load_host(path)
        hosts += 1
        for eco, kind, name, installed, text in pkgs:
            packages += 1
            key = (eco, name, text)
            if key not in cache:
                v = parse_version(kind, text)
                if v is None:
                    cache[key] = None
                else:
                    per_advisory = {}
                    for adv_id, entry in index.get((eco, name), []):
                        hit, fixes = evaluate_entry(kind, v, entry, adv_id)
                        if hit:
                            per_advisory.setdefault(adv_id, []).extend(fixes)
                    # One finding per (advisory, package): the nearest fix above v over every range
                    # of that advisory that matched (several entries when a record lists module streams).
                    cache[key] = [
                        (adv_id, min(fixes, key=functools.cmp_to_key(
                            lambda a, b: compare(kind, a[0], b[0])))[1] if fixes else None)
                        for adv_id, fixes in sorted(per_advisory.items())
                    ]
            result = cache[key]
            if result is None:
                skipped += 1
                warn({"skip": "installed version rejected by the ecosystem's parser", "host": host,
                      "package": name, "installed": installed})
                continue
            for adv_id, fixed in result:
                findings += 1
                out.append(json.dumps({"host": host, "advisory": adv_id, "package": name,
                                       "installed": installed, "fixed": fixed}, sort_keys=True))
    out.sort()
    sys.stdout.write("".join(line + "\n" for line in out))
    sys.stderr.write("oracle: %d advisory records (%d withdrawn skipped), %d hosts, %d packages, "
                     "%d findings, %d packages skipped\n"
                     % (stats["records"], stats["withdrawn_skipped"], hosts, packages, findings, skipped))


if __name__ == "__main__":
    main()
