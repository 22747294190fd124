#!/usr/bin/python3
"""Runs every dashboard query and alert rule of deploy/ on a real Prometheus scraping a live
`riskstream demo`.

Starts the demo (embedded Kafka, generated traffic), reads its metrics port from its output, starts
/usr/bin/prometheus on a free 127.0.0.1 port with temporary storage, a 1 s scrape and evaluation
interval and deploy/prometheus/alerts.yml, and waits until the demo's target is up. Then, while the
demo runs, it asks Prometheus (/api/v1/query) for:
  - every PromQL expression of every panel of deploy/grafana/dashboards/*.json, with the dashboard
    variables set to "all" and $__rate_interval to 30s;
  - every alert rule's expression with its thresholds removed (`a > 0 unless b > 0` gives `a` and
    `b`), so a rule that could never fire because its metric has no data fails;
  - the instance values the dashboards' `instance` variable lists;
and requires each to return at least one sample that is not NaN. It also requires /api/v1/rules to
list every rule of alerts.yml, evaluated, with health "ok". It prints each expression with its
result and, on failure, those that returned nothing.

Both processes are stopped by PID whatever happens, and die with this script if it is killed.

usage: prometheus_demo_test.py RISKSTREAM_BINARY [--source-dir DIR] [--timeout SECONDS]
"""

import json
import math
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import deploy_files  # noqa: E402

PROMETHEUS = "/usr/bin/prometheus"
JOB = "riskstream"  # the job name alerts.yml and the dashboards select
DEMO_ARGS = ["--events", "6000", "--rate", "300", "--quiet"]


class TestFailure(Exception):
    pass


def start(argv, log_path, cwd, env=None):
    log = open(log_path, "wb")
    try:
        return subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, preexec_fn=deploy_files.die_with_parent)
    finally:
        log.close()


def wait_for(what, condition, timeout_s, alive=None):
    """Polls `condition` until it returns a true value, which is returned."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if alive is not None and not alive():
            raise TestFailure(f"gave up waiting for {what}: a process it needs has exited")
        if time.monotonic() >= deadline:
            raise TestFailure(f"timed out after {timeout_s:.0f}s waiting for {what}")
        time.sleep(0.2)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, lines=40):
    try:
        return "\n".join(pathlib.Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


class Prometheus:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def get(self, path, **params):
        url = self.base + path
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)

    def ready(self):
        try:
            with urllib.request.urlopen(self.base + "/-/ready", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, OSError):
            return False

    def query(self, expr):
        """(has_data, short description of the result)."""
        try:
            body = self.get("/api/v1/query", query=expr)
        except urllib.error.HTTPError as e:
            return False, f"HTTP {e.code}: {e.read().decode(errors='replace')[:300]}"
        except (urllib.error.URLError, OSError) as e:
            return False, f"Prometheus did not answer: {e}"
        data = body.get("data", {})
        kind, result = data.get("resultType"), data.get("result")
        if kind == "scalar":
            samples = [({}, result)]
        elif kind == "vector":
            samples = [(s.get("metric", {}), s["value"]) for s in result]
        else:
            return False, f"unexpected result type {kind}"
        values = [(metric, float(value[1])) for metric, value in samples]
        real = [(m, v) for m, v in values if not math.isnan(v)]
        if not values:
            return False, "empty result"
        if not real:
            return False, f"{len(values)} series, all NaN"
        shown = ", ".join(f"{describe(m)}={v:.6g}" for m, v in real[:3])
        more = f" (+{len(real) - 3} more)" if len(real) > 3 else ""
        return True, f"{len(values)} series: {shown}{more}"


def describe(metric):
    labels = {k: v for k, v in metric.items() if k not in ("job", "instance", "__name__")}
    return "{" + ",".join(f"{k}={v}" for k, v in sorted(labels.items())) + "}"


def demo_port(log_path):
    m = re.search(r"metrics at http://127\.0\.0\.1:(\d+)/metrics",
                  pathlib.Path(log_path).read_text(errors="replace"))
    return int(m.group(1)) if m else None


def panel_checks(source_dir):
    """(kind, label, expr) for every dashboard query."""
    return [("panel", f"{file} / {panel} / {ref}", expr)
            for file, panel, ref, _, expr in deploy_files.dashboard_queries(source_dir)]


def alert_checks(rules):
    """(kind, label, expr) for every operand of every alert rule, its threshold removed."""
    return [("alert", f"{rule['name']} operand {i + 1}", probe)
            for rule in rules
            for i, probe in enumerate(deploy_files.without_thresholds(rule["query"]))]


def variable_checks():
    """(kind, label, expr) for the dashboards' `instance` variable."""
    return [("variable", "instance (label_values(riskstream_build_info, instance))",
             f'group by (instance) (riskstream_build_info{{job="{JOB}"}})')]


def alerting_rules(prometheus):
    groups = prometheus.get("/api/v1/rules")["data"]["groups"]
    return [r for g in groups for r in g["rules"] if r.get("type") == "alerting"]


class Harness:
    """The demo and the Prometheus server of one run, with their files in `tmp`."""

    def __init__(self, args, tmp):
        self.binary = pathlib.Path(args.binary).resolve()
        self.source_dir = args.source_dir
        self.tmp = tmp
        self.started = time.monotonic()
        self.deadline = self.started + args.timeout
        self.demo = self.prometheus_proc = self.prometheus = None
        self.demo_log = tmp / "demo.log"
        self.prometheus_log = tmp / "prometheus.log"

    def elapsed(self):
        return f"{time.monotonic() - self.started:.1f}s"

    def left(self, at_most=None):
        left = max(1.0, self.deadline - time.monotonic())
        return left if at_most is None else min(at_most, left)

    def both_alive(self):
        return self.demo.poll() is None and self.prometheus_proc.poll() is None

    def start_demo(self):
        """Starts the demo; returns its metrics port."""
        # The demo keeps its RocksDB state under TMPDIR: inside tmp, so it goes even if killed.
        env = dict(os.environ, TMPDIR=str(self.tmp))
        self.demo = start([str(self.binary), "demo", "--config", "configs/riskstream.yaml",
                           *DEMO_ARGS], self.demo_log, cwd=self.source_dir, env=env)
        print(f"demo pid {self.demo.pid}: {self.binary} demo {' '.join(DEMO_ARGS)}")
        port = wait_for("the demo's metrics port", lambda: demo_port(self.demo_log), self.left(30),
                        alive=lambda: self.demo.poll() is None)
        print(f"demo metrics on 127.0.0.1:{port} after {self.elapsed()}")
        return port

    def start_prometheus(self, target_port):
        """Starts Prometheus scraping 127.0.0.1:`target_port` and waits until it is ready."""
        config = {
            "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(self.source_dir / deploy_files.ALERTS_FILE)],
            "scrape_configs": [{"job_name": JOB,
                                "static_configs": [{"targets": [f"127.0.0.1:{target_port}"]}]}],
        }
        config_path = self.tmp / "prometheus.yml"  # JSON is YAML
        config_path.write_text(json.dumps(config, indent=2))
        port = free_port()
        self.prometheus_proc = start(
            [PROMETHEUS, f"--config.file={config_path}", f"--storage.tsdb.path={self.tmp / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
            self.prometheus_log, cwd=self.tmp)
        print(f"prometheus pid {self.prometheus_proc.pid} on 127.0.0.1:{port}")
        self.prometheus = Prometheus(port)
        try:
            wait_for("Prometheus to be ready", self.prometheus.ready, self.left(30),
                     alive=lambda: self.prometheus_proc.poll() is None)
        except TestFailure:
            print(tail(self.prometheus_log))
            raise
        print(f"prometheus ready after {self.elapsed()}")

    def wait_for_target(self):
        up = f'count_over_time(up{{job="{JOB}"}}[1m]) >= 3 and up{{job="{JOB}"}} == 1'
        wait_for("the demo target to be up with 3 samples", lambda: self.prometheus.query(up)[0],
                 self.left(30), alive=self.both_alive)
        print(f"target up after {self.elapsed()}")

    def wait_for_rules(self, names):
        """Waits until the alert rules `names` were all evaluated once; returns every alert rule."""
        def evaluated():
            rules = alerting_rules(self.prometheus)
            if not set(names) <= {r["name"] for r in rules}:
                return None
            if any(r.get("lastEvaluation", "").startswith("0001") for r in rules):
                return None
            return rules
        return wait_for("every alert rule to be evaluated once", evaluated, self.left(30),
                        alive=self.both_alive)

    def query_until_all_have_data(self, to_check):
        """label -> (expr, has_data, detail) from the last round of queries the demo outlived.

        Rates need two samples of a series, and some series (alerts, dead letters) start with their
        first event: polls until every expression has data while the demo runs. Once the demo exits
        its series go stale and every query comes back empty, so such a round does not count."""
        results = {}

        def all_have_data():
            nonlocal results
            current = {label: (expr, *self.prometheus.query(expr)) for _, label, expr in to_check}
            if self.both_alive():
                results = current
            return all(ok for _, ok, _ in current.values())

        try:
            wait_for("every expression to return data", all_have_data, self.left(),
                     alive=self.both_alive)
        except TestFailure as e:
            print(f"note: {e}")
        if not results:
            raise TestFailure("the demo or Prometheus exited before one round of queries")
        return results

    def unhealthy_rules(self):
        problems = []
        for rule in alerting_rules(self.prometheus):
            if rule.get("health") != "ok" or rule.get("lastError"):
                problems.append(f"alert rule {rule['name']}: health {rule.get('health')} "
                                f"{rule.get('lastError', '')}")
            else:
                print(f"  [ok] rule {rule['name']} healthy, state {rule.get('state')}")
        return problems

    def stop(self):
        deploy_files.stop_process(self.prometheus_proc, "prometheus")
        deploy_files.stop_process(self.demo, "demo")


def report(to_check, results):
    """Prints every expression with its result; returns those without data."""
    print(f"\n{len(to_check)} expressions:")
    problems = []
    for kind, label, expr in to_check:
        _, ok, detail = results[label]
        print(f"  [{'data' if ok else 'NO DATA'}] {kind} {label}\n      {expr}\n      -> {detail}")
        if not ok:
            problems.append(f"{kind} {label}: {expr} -> {detail}")
    return problems


def run(args):
    if not pathlib.Path(args.binary).is_file():
        raise TestFailure(f"riskstream binary not found: {args.binary}")
    if not os.access(PROMETHEUS, os.X_OK):
        raise TestFailure(f"{PROMETHEUS} not found (scripts/setup installs the prometheus package)")
    with tempfile.TemporaryDirectory(prefix="riskstream-deploy-test-") as tmp:
        harness = Harness(args, pathlib.Path(tmp))
        try:
            harness.start_prometheus(harness.start_demo())
            harness.wait_for_target()
            names = deploy_files.alert_names(args.source_dir)
            rules = harness.wait_for_rules(names)
            to_check = panel_checks(args.source_dir) + alert_checks(rules) + variable_checks()
            labels = [label for _, label, _ in to_check]
            if len(set(labels)) != len(labels):
                raise TestFailure(f"expressions with the same label: {sorted(labels)}")
            results = harness.query_until_all_have_data(to_check)
            problems = report(to_check, results) + harness.unhealthy_rules()
            if problems:
                print("\ndemo log tail:\n" + tail(harness.demo_log, 15))
                raise TestFailure("no data (or unhealthy) for:\n  " + "\n  ".join(problems))
            print(f"\nall {len(to_check)} expressions returned data, {len(names)} alert rules "
                  f"healthy ({harness.elapsed()})")
        finally:
            harness.stop()


def main():
    args = deploy_files.parse_args(__doc__, binary=True, extra=lambda parser: parser.add_argument(
        "--timeout", type=float, default=75, help="seconds for the whole test"))
    # CTest stops a test with SIGTERM on timeout: turn it into an exception so `finally` stops both.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    try:
        run(args)
    except TestFailure as e:
        print(f"FAIL: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
