#!/usr/bin/env python3
"""Validates real records against docs/schemas: runs `riskstream eval` (the pipeline's own
DecisionTopology over generated traffic with malformed records, a scorecard and a shadow policy)
with --records-dir, then checks every record of every stream against its topic's JSON Schema, that
each kind of record occurs, and that the schemas reject broken records. Needs python3-jsonschema
(Debian, scripts/setup)."""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMAS = os.path.join(ROOT, "docs", "schemas")
STREAMS = {
    "credit-events.jsonl": "credit-events.schema.json",
    "shadow-credit-events.jsonl": "credit-events.schema.json",
    "fraud-alerts.jsonl": "fraud-alerts.schema.json",
    "dead-letter.jsonl": "dead-letter.schema.json",
    "features.jsonl": "features.schema.json",
}


def load_schema(name):
    with open(os.path.join(SCHEMAS, name)) as f:
        return json.load(f)


def validator(name):
    common = load_schema("common.schema.json")
    schema = load_schema(name)
    resolver = jsonschema.RefResolver(
        base_uri=schema["$id"], referrer=schema, store={common["$id"]: common})
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, resolver=resolver)


def write_config(tmp):
    """The shipped config with a shadow policy (the shipped rules without their points)."""
    configs = os.path.join(ROOT, "configs")
    with open(os.path.join(configs, "rules.yaml")) as f:
        shadow_rules = f.read().replace("version: \"", "version: \"shadow-")
    shadow_rules = shadow_rules.replace("lists/", os.path.join(configs, "lists") + "/")
    with open(os.path.join(tmp, "shadow-rules.yaml"), "w") as f:
        f.write(shadow_rules)
    with open(os.path.join(configs, "riskstream.yaml")) as f:
        text = f.read()
    for name in ("features.yaml", "rules.yaml", "scorecard.yaml"):
        text = text.replace(": " + name, ": " + os.path.join(configs, name))
    text += "shadow_rules_file: shadow-rules.yaml\nshadow_scorecard_file: %s\n" % os.path.join(
        configs, "scorecard.yaml")
    path = os.path.join(tmp, "riskstream.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def main():
    binary = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        records = os.path.join(tmp, "records")
        subprocess.run([binary, "eval", "-c", write_config(tmp), "-n", "8000", "--event-rate",
                        "0.5", "--malformed-every", "250", "--records-dir", records],
                       check=True, stdout=subprocess.DEVNULL)
        seen = set()
        for stream, schema_name in STREAMS.items():
            check = validator(schema_name)
            path = os.path.join(records, stream)
            if not os.path.exists(path):
                failures.append("no records in " + stream)
                continue
            with open(path) as f:
                lines = f.read().splitlines()
            for number, line in enumerate(lines, 1):
                record = json.loads(line)
                errors = sorted(check.iter_errors(record), key=lambda e: e.path)
                for error in errors[:3]:
                    failures.append("%s:%d: %s at %s" % (stream, number, error.message,
                                                         list(error.absolute_path)))
                kind = record.get("record_type", "")
                seen.add((stream, kind, record.get("event_type", ""), record.get("decision", "")))
            print("%s: %d records valid against %s" % (stream, len(lines), schema_name))
        wanted = [("credit-events.jsonl", "decision", "application", "approve"),
                  ("credit-events.jsonl", "decision", "transaction", "approve"),
                  ("credit-events.jsonl", "decision", "transaction", "decline"),
                  ("credit-events.jsonl", "decision", "label", "recorded"),
                  ("shadow-credit-events.jsonl", "decision", "application", "approve")]
        for want in wanted:
            if want not in seen:
                failures.append("no %s record of %s / %s / %s" % want)
        if not any(s[1] == "limit_freeze" for s in seen):
            failures.append("no limit_freeze record")

        # The schemas can fail: broken records are rejected.
        with open(os.path.join(records, "credit-events.jsonl")) as f:
            good = json.loads(f.readline())
        check = validator("credit-events.schema.json")
        for broken in ({k: v for k, v in good.items() if k != "decision"},
                       dict(good, decision="maybe"), dict(good, event_time="yesterday"),
                       dict(good, surprise=1)):
            if check.is_valid(broken):
                failures.append("credit-events schema accepts a broken record: %s" % broken)
    for failure in failures[:50]:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
