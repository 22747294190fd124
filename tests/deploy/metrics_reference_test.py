#!/usr/bin/python3
"""Keeps docs/METRICS.md, the dashboards and the alert rules in step with the metrics the pipeline
registers (pipeline/admin/pipeline_metrics.cpp): every registered metric has a section in METRICS.md,
and every riskstream_* metric that METRICS.md, a dashboard or an alert rule names is registered.
A renamed metric therefore fails here instead of leaving an empty panel or an alert that never fires.

usage: metrics_reference_test.py [--source-dir DIR]
"""

import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import deploy_files  # noqa: E402

METRICS_DOC = "docs/METRICS.md"


def main():
    source_dir = deploy_files.parse_args(__doc__).source_dir
    problems = []

    registered = deploy_files.registered_metrics(source_dir)
    if not registered:
        problems.append(f"no metric registered in {deploy_files.METRICS_SOURCE}")
    doc = (source_dir / METRICS_DOC).read_text()
    documented = set(re.findall(r"^###\s+`(riskstream_[a-z0-9_]+)`", doc, re.M))
    for name in sorted(registered - documented):
        problems.append(f"{METRICS_DOC}: no `### \\`{name}\\`` section for a registered metric")

    named = {METRICS_DOC: deploy_files.metrics_in(doc, registered)}
    for file, panel, ref, expr, _ in deploy_files.dashboard_queries(source_dir):
        named.setdefault(f"{file} / {panel} / {ref}", set()).update(
            deploy_files.metrics_in(expr, registered))
    alerts = (source_dir / deploy_files.ALERTS_FILE).read_text()
    named[deploy_files.ALERTS_FILE] = deploy_files.metrics_in(alerts, registered)
    used = set()
    for where, names in named.items():
        used |= names
        for name in sorted(names - registered):
            problems.append(f"{where}: {name} is not registered in {deploy_files.METRICS_SOURCE}")

    return deploy_files.finish(
        problems, f"{len(registered)} registered metrics, all documented; {len(named) - 2} dashboard "
        f"queries and the alert rules use {len(used & registered)} of them")


if __name__ == "__main__":
    sys.exit(main())
