"""Reads riskstream's deploy/ files for the deploy tests: the provisioned Grafana datasource, the
dashboards' PromQL queries (with Grafana's variables substituted so Prometheus can run them), the
alert rule names and the metric names the pipeline registers. Standard library only: YAML is read
with a few patterns that fit the files in deploy/, not parsed in general."""

import argparse
import ctypes
import json
import os
import pathlib
import re
import signal
import subprocess

# What Grafana puts in for its built-in variables; the values suit a 1 s scrape interval.
GRAFANA_BUILTINS = {
    "__rate_interval": "30s",
    "__interval": "15s",
    "__interval_ms": "15000",
    "__range": "5m",
    "__range_s": "300",
    "__range_ms": "300000",
}

DASHBOARD_DIR = "deploy/grafana/dashboards"
DATASOURCES_FILE = "deploy/grafana/provisioning/datasources/prometheus.yml"
DASHBOARD_PROVIDER_FILE = "deploy/grafana/provisioning/dashboards/riskstream.yml"
ALERTS_FILE = "deploy/prometheus/alerts.yml"
METRICS_SOURCE = "pipeline/admin/pipeline_metrics.cpp"
METRIC_NAME = re.compile(r"\briskstream_[a-z0-9_]+")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def provisioned_datasource_uids(source_dir):
    """The `uid:` values of the provisioned datasources."""
    text = (pathlib.Path(source_dir) / DATASOURCES_FILE).read_text()
    return re.findall(r"^\s*uid:\s*[\"']?([^\s\"'#]+)", text, re.M)


def dashboard_provider_path(source_dir):
    text = (pathlib.Path(source_dir) / DASHBOARD_PROVIDER_FILE).read_text()
    found = re.findall(r"^\s*path:\s*(\S+)", text, re.M)
    return found[0] if found else None


def dashboard_files(source_dir):
    return sorted((pathlib.Path(source_dir) / DASHBOARD_DIR).glob("*.json"))


def load_dashboard(path):
    with open(path) as f:
        return json.load(f)


def panels(dashboard):
    """Every panel, including those nested in collapsed rows."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def variable_values(dashboard):
    """Each dashboard variable with the value that selects everything, plus Grafana's built-ins."""
    values = dict(GRAFANA_BUILTINS)
    for var in dashboard.get("templating", {}).get("list", []):
        values[var["name"]] = var.get("allValue") or ".+"
    return values


def substitute(expr, values):
    """`expr` with $name, ${name}, ${name:format} and [[name]] replaced; longest names first."""
    for name in sorted(values, key=len, reverse=True):
        value = values[name]
        expr = re.sub(r"\$\{" + re.escape(name) + r"(:[^}]*)?\}", lambda _: value, expr)
        expr = expr.replace("[[" + name + "]]", value)
        expr = re.sub(r"\$" + re.escape(name) + r"(?![A-Za-z0-9_])", lambda _: value, expr)
    return expr


def dashboard_queries(source_dir):
    """(dashboard file, "panel title #id", refId, expr as written, expr Prometheus can run) per
    target."""
    queries = []
    for path in dashboard_files(source_dir):
        dashboard = load_dashboard(path)
        values = variable_values(dashboard)
        for panel in panels(dashboard):
            for target in panel.get("targets", []):
                expr = target.get("expr", "")
                queries.append((path.name, f'{panel.get("title", "")} #{panel.get("id")}',
                                target.get("refId", ""), expr, substitute(expr, values)))
    return queries


def alert_names(source_dir):
    text = (pathlib.Path(source_dir) / ALERTS_FILE).read_text()
    return re.findall(r"^\s*-\s*alert:\s*(\S+)", text, re.M)


def registered_metrics(source_dir):
    """Metric names the pipeline registers (`.Name("...")` in pipeline_metrics.cpp)."""
    text = (pathlib.Path(source_dir) / METRICS_SOURCE).read_text()
    return set(re.findall(r'\.Name\("([a-z0-9_]+)"\)', text))


def metrics_in(expr, registered):
    """riskstream metric names an expression reads; a histogram's _bucket, _sum and _count series
    count as its family when the family is in `registered`."""
    names = set()
    for name in METRIC_NAME.findall(expr):
        for suffix in HISTOGRAM_SUFFIXES:
            if name not in registered and name.endswith(suffix) and name[: -len(suffix)] in registered:
                name = name[: -len(suffix)]
        names.add(name)
    return names


def _top_level_spans(expr):
    """Yields (index, char) for characters outside (), {}, [] and quoted strings."""
    depth = 0
    quote = None
    i = 0
    while i < len(expr):
        c = expr[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif depth == 0:
            yield i, c
        i += 1


def split_set_operators(expr):
    """The operands of the top-level `and` / `or` / `unless` operators of `expr`, their vector
    matching modifiers (on, ignoring, group_left, group_right) removed."""
    top = {i for i, _ in _top_level_spans(expr)}
    cuts = []
    for m in re.finditer(r"(?<![A-Za-z0-9_:])(and|or|unless)(?![A-Za-z0-9_:])", expr):
        if m.start() in top:
            cuts.append((m.start(), m.end()))
    operands, start = [], 0
    for begin, end in cuts:
        operands.append(expr[start:begin])
        start = end
    operands.append(expr[start:])
    modifier = re.compile(r"^\s*(on|ignoring|group_left|group_right)\s*(\([^)]*\))?")
    cleaned = []
    for operand in operands:
        while modifier.match(operand):
            operand = modifier.sub("", operand, count=1)
        cleaned.append(operand.strip())
    return cleaned


_THRESHOLD = re.compile(
    r"^(?P<lhs>.*?)\s*(==|!=|>=|<=|>|<)\s*(bool\s+)?[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$", re.S)


def without_thresholds(expr):
    """The operands of an alert expression with their final comparison to a number removed, e.g.
    `a > 0 unless b > 0` gives [`a`, `b`]: what must have data for the alert to be able to fire."""
    probes = []
    for operand in split_set_operators(expr):
        m = _THRESHOLD.match(operand)
        probes.append(m.group("lhs").strip() if m else operand)
    return probes


def parse_args(doc, binary=False, extra=None):
    """The tests' command line: [RISKSTREAM_BINARY] [--source-dir DIR] plus `extra(parser)`."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    if binary:
        parser.add_argument("binary", help="the riskstream binary")
    parser.add_argument("--source-dir", default=os.getcwd(), help="the riskstream source tree")
    if extra:
        extra(parser)
    args = parser.parse_args()
    args.source_dir = pathlib.Path(args.source_dir).resolve()
    if binary:
        args.binary = str(pathlib.Path(args.binary).resolve())
    return args


def finish(problems, success):
    """Prints the problems (exit status 1) or the success line (0)."""
    if problems:
        print("FAIL:\n  " + "\n  ".join(problems))
        return 1
    print(success)
    return 0


def stop_process(proc, name):
    """SIGTERM, then SIGKILL after 10 s; nothing when `proc` is None or has exited."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        print(f"{name} (pid {proc.pid}) ignored SIGTERM; killing it")
        proc.kill()
        proc.wait()


def die_with_parent():
    """For Popen's preexec_fn: the kernel sends the child SIGTERM when the test process dies, so a
    test killed on timeout leaves nothing running."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
