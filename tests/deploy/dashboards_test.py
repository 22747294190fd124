#!/usr/bin/python3
"""Checks the Grafana files in deploy/grafana without Grafana: every dashboard is valid JSON in the
shape Grafana 10 provisions (schemaVersion, unique uid, panels on the 24-column grid with unique ids,
timeseries or stat), every panel has targets with a PromQL `expr`, every datasource reference (panel,
target, variable) uses the provisioned datasource's uid, every `$variable` in an expression is
defined, and the dashboard provider's path is where docker-compose.yml mounts the dashboards.

usage: dashboards_test.py [--source-dir DIR]
"""

import json
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import deploy_files  # noqa: E402

PANEL_TYPES = {"timeseries", "stat"}


def check_datasource(where, ds, uids, problems):
    if not isinstance(ds, dict) or ds.get("type") != "prometheus" or ds.get("uid") not in uids:
        problems.append(f"{where}: datasource {json.dumps(ds)} is not the provisioned "
                        f"prometheus datasource (uid {', '.join(uids)})")


def check_dashboard(path, uids, problems):
    try:
        dashboard = deploy_files.load_dashboard(path)
    except (OSError, json.JSONDecodeError) as e:
        problems.append(f"{path.name}: not valid JSON: {e}")
        return None
    name = path.name
    for key in ("uid", "title", "panels", "schemaVersion"):
        if not dashboard.get(key):
            problems.append(f"{name}: missing {key}")
    if not isinstance(dashboard.get("schemaVersion"), int) or dashboard["schemaVersion"] < 36:
        problems.append(f"{name}: schemaVersion {dashboard.get('schemaVersion')} is older than 36")
    if dashboard.get("id") is not None:
        problems.append(f"{name}: id must be null in a provisioned dashboard")

    for var in dashboard.get("templating", {}).get("list", []):
        if "datasource" in var:
            check_datasource(f"{name}: variable {var.get('name')}", var["datasource"], uids, problems)

    values = deploy_files.variable_values(dashboard)
    ids = set()
    for panel in deploy_files.panels(dashboard):
        title = panel.get("title") or f"panel {panel.get('id')}"
        where = f"{name}: {title}"
        if panel.get("type") == "row":
            continue
        if panel.get("type") not in PANEL_TYPES:
            problems.append(f"{where}: type {panel.get('type')} is not one of {sorted(PANEL_TYPES)}")
        if panel.get("id") in ids:
            problems.append(f"{where}: duplicate panel id {panel.get('id')}")
        ids.add(panel.get("id"))
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(k), int) for k in ("h", "w", "x", "y")) or \
                grid["x"] + grid["w"] > 24:
            problems.append(f"{where}: gridPos {grid} is not on the 24-column grid")
        check_datasource(where, panel.get("datasource"), uids, problems)
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{where}: no targets")
        refs = set()
        for target in targets:
            ref = target.get("refId")
            if not ref or ref in refs:
                problems.append(f"{where}: missing or duplicate refId {ref}")
            refs.add(ref)
            check_datasource(f"{where} / {ref}", target.get("datasource"), uids, problems)
            expr = (target.get("expr") or "").strip()
            if not expr:
                problems.append(f"{where} / {ref}: no expr")
                continue
            left = re.findall(r"\$\{?\w+", deploy_files.substitute(expr, values))
            if left:
                problems.append(f"{where} / {ref}: undefined variables {left} in {expr}")
    return dashboard


def main():
    source_dir = deploy_files.parse_args(__doc__).source_dir
    problems = []

    uids = deploy_files.provisioned_datasource_uids(source_dir)
    if not uids:
        problems.append(f"{deploy_files.DATASOURCES_FILE}: no datasource uid")
    files = deploy_files.dashboard_files(source_dir)
    if {f.name for f in files} < {"overview.json", "runtime.json"}:
        problems.append(f"{deploy_files.DASHBOARD_DIR}: overview.json and runtime.json expected, "
                        f"found {[f.name for f in files]}")
    seen_uids = {}
    queries = 0
    for path in files:
        dashboard = check_dashboard(path, uids, problems)
        if dashboard is None:
            continue
        uid = dashboard.get("uid")
        if uid in seen_uids:
            problems.append(f"{path.name}: uid {uid} also used by {seen_uids[uid]}")
        seen_uids[uid] = path.name
        queries += sum(len(p.get("targets", [])) for p in deploy_files.panels(dashboard))

    provider_path = deploy_files.dashboard_provider_path(source_dir)
    compose = (source_dir / "docker-compose.yml").read_text()
    mount = re.search(r"\./" + re.escape(deploy_files.DASHBOARD_DIR) + r":([^:\s]+)", compose)
    if not mount or mount.group(1) != provider_path:
        problems.append(f"{deploy_files.DASHBOARD_PROVIDER_FILE}: path {provider_path} is not where "
                        f"docker-compose.yml mounts {deploy_files.DASHBOARD_DIR} "
                        f"({mount.group(1) if mount else 'not mounted'})")

    return deploy_files.finish(
        problems, f"{len(files)} dashboards, {queries} queries, all on datasource uid {uids[0]}")


if __name__ == "__main__":
    sys.exit(main())
