#!/usr/bin/python3
"""Exactly-once chaos test of `riskstream run` on a real Kafka broker (tests/kafka/kafka-broker).

Generates EVENTS events with a fixed seed (`riskstream generate`) into three input topics, then
runs riskstream over them twice, as child processes, with the same features and rules:
  clean  uninterrupted, stopped with SIGTERM once every input offset is committed;
  chaos  killed with SIGKILL at KILLS random moments and restarted each time; the broker is
         restarted once while riskstream runs; the state directory is deleted once between a
         kill and the restart.
Both runs are then read back with isolation.level=read_committed and their output records
compared as multisets, per output topic. What is compared: every record minus
`processing_time` (wall clock) and `late` (watermarks are not persisted, docs/ARCHITECTURE.md).
Cross-partition consumption order differs between runs, so the test's features are made
order-independent: each is keyed by [entity, type] where the entity is the partition key of the
one input topic whose events add to it (account_id for transactions, applicant_id for
applications), so every feature value depends only on records of one input partition, read in
offset order. Feature values in the outputs therefore also check the state: a state update lost
or counted twice across a crash changes the next value of that key.

Also checked: each input record has exactly one credit event or dead letter in each run.

usage: eos_chaos_test.py --riskstream BIN [--events N] [--kills K] [--seed S] [--keep]
The long run (docs/OPERATIONS.md): --events 200000 --kills 12
"""

import argparse
import collections
import json
import os
import pathlib
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

HERE = pathlib.Path(__file__).resolve().parent
BROKER = HERE / "kafka-broker"
INPUTS = ["applications", "transactions", "labels"]
OUTPUTS = ["credit-events", "fraud-alerts", "riskstream-dlq"]
PARTITIONS = 3
PII_ENV = "RISKSTREAM_CHAOS_PII_KEY"
IGNORED_FIELDS = ("processing_time", "late")

FEATURES = """features:
  - {name: transactions_per_account_1d, key: [account_id, type], events: [transaction],
     function: count, window: 1d}
  - {name: amount_per_account_7d, key: [account_id, type], events: [transaction],
     function: sum(amount), window: 7d}
  - {name: withdrawals_per_account_1h, key: [account_id, type], events: [transaction],
     where: kind == withdrawal, function: count, window: 1h}
  - {name: distinct_ips_per_account_30d, key: [account_id, type], events: [transaction],
     function: count_distinct(ip), window: 30d}
  - {name: last_amount_of_account, key: [account_id, type], events: [transaction],
     function: last(amount), window: 30d}
  - {name: applications_per_applicant_30d, key: [applicant_id, type], events: [application],
     function: count, window: 30d}
  - {name: requested_per_applicant_30d, key: [applicant_id, type], events: [application],
     function: sum(requested_amount), window: 30d}
"""

RULES = """version: "chaos-1"
rules:
  - {id: WITHDRAWAL_VELOCITY, events: [transaction], severity: high, reason_code: VELOCITY,
     action: decline, when: 'kind == "withdrawal" and withdrawals_per_account_1h >= 3'}
  - {id: MANY_IPS, events: [transaction], severity: medium, reason_code: IP_HOPPING,
     action: review, when: distinct_ips_per_account_30d >= 4}
  - {id: REPEATED_APPLICATIONS, events: [application], severity: medium, reason_code: REPEAT,
     action: review, when: applications_per_applicant_30d >= 2}
"""


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Broker:
    def __init__(self, work):
        self.dir = work / "broker"
        env = dict(os.environ, RISKSTREAM_KAFKA_OWNER_PID=str(os.getpid()))
        self.env = env
        self.bootstrap = self._run("start").strip()

    def _run(self, *args):
        out = subprocess.run([str(BROKER), args[0], str(self.dir), *args[1:]], env=self.env,
                             check=True, stdout=subprocess.PIPE, text=True)
        return out.stdout

    def create_topic(self, name, partitions):
        self._run("create-topic", name, str(partitions))

    def restart(self):
        try:
            self._run("restart")
        except subprocess.CalledProcessError:
            # Seen rarely on the loaded 2-core machine: the JVM exits during start-up with nothing
            # in its log. The broker's data is intact; start it again on the same DIR once.
            stdout = (self.dir / "logs" / "stdout.log").read_text(errors="replace")[-2000:]
            log(f"broker did not come back; its stdout ended with:\n{stdout}\nstarting it again")
            self._run("start")

    def stop(self):
        subprocess.run([str(BROKER), "stop", str(self.dir)], env=self.env, check=False)


def write_config(work, run, bootstrap, guarantee="exactly_once", features="features.yaml",
                 rules="rules.yaml", metrics_address="", admin_address=""):
    """Writes `run`.yaml: group `run`-group, outputs `run`-*, state dir `run`-state in `work`."""
    path = work / f"{run}.yaml"
    path.write_text(f"""kafka:
  bootstrap_servers: "{bootstrap}"
  group_id: {run}-group
  consumer:
    session.timeout.ms: "6000"
processing_guarantee: {guarantee}
topics:
  applications: applications
  transactions: transactions
  labels: labels
  credit_events: {run}-credit-events
  fraud_alerts: {run}-fraud-alerts
  dead_letter: {run}-riskstream-dlq
  partitions: {PARTITIONS}
state:
  dir: {work / (run + '-state')}
  commit_interval: 100ms
  commit_max_events: 2000
allowed_lateness: 10m
pii_key_env: {PII_ENV}
metrics:
  address: "{metrics_address}"
admin:
  address: "{admin_address}"
features_file: {features}
rules_file: {rules}
""")
    return path


class Pipeline:
    """One `riskstream run` child process at a time, its output appended to a log."""

    def __init__(self, binary, config, log_path):
        self.binary, self.config, self.log_path = binary, config, log_path
        self.process = None
        self.starts = 0

    def start(self):
        env = dict(os.environ, **{PII_ENV: "chaos-test-pii-key-0123456789"})
        self.log_file = open(self.log_path, "a")
        self.log_file.write(f"==== start {self.starts}\n")
        self.log_file.flush()
        self.process = subprocess.Popen([self.binary, "run", "--config", str(self.config)],
                                        stdout=self.log_file, stderr=subprocess.STDOUT, env=env)
        self.starts += 1

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log_file.close()

    def stop(self, timeout):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self.log_file.close()
        return code

    def check_alive(self):
        if self.process.poll() is not None:
            raise SystemExit(f"riskstream exited with {self.process.returncode}; see "
                             f"{self.log_path}:\n" + tail(self.log_path))


class ReadinessWatch:
    """Polls the pipeline's /readyz every 100 ms in a thread and counts the answers."""

    def __init__(self, pipeline):
        text = pathlib.Path(pipeline.log_path).read_text(errors="replace")
        self.url = re.findall(r"admin at (http://\S+/readyz)", text)[-1]
        self.answers = collections.Counter()
        self.stop = threading.Event()

    def _poll(self):
        while not self.stop.wait(0.1):
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    self.answers["200"] += 1
            except urllib.error.HTTPError as e:
                reason = json.loads(e.read() or b"{}").get("reason", "")
                self.answers[f"{e.code} {reason.split(':')[0]}"] += 1
            except OSError:
                self.answers["no answer"] += 1

    def __enter__(self):
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def summary(self):
        return ", ".join(f"{n}x {answer}" for answer, n in self.answers.most_common())


def tail(path, lines=30):
    return "".join(pathlib.Path(path).read_text(errors="replace").splitlines(True)[-lines:])


def produce_malformed(bootstrap, count):
    """Records the parser rejects, spread over the input topics: they must reach the DLQ once."""
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    errors = []
    for i in range(count):
        value = [b"not json", b'{"event_id": 1}', b"\xff\xfe"][i % 3]
        p.produce(INPUTS[i % len(INPUTS)], key=f"bad-{i}", value=value,
                  on_delivery=lambda err, _: errors.append(err) if err else None)
    if p.flush(30) != 0 or errors:
        raise SystemExit(f"producing malformed records failed: {errors}")


def input_ends(bootstrap):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "chaos-probe"})
    ends = {}
    for topic in INPUTS:
        for p in range(PARTITIONS):
            ends[(topic, p)] = c.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1]
    c.close()
    return ends


_probes = {}


def committed(bootstrap, group):
    """The group's committed input offsets (one probe consumer per group, never joining it)."""
    if group not in _probes:
        _probes[group] = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    tps = _probes[group].committed(
        [TopicPartition(t, p) for t in INPUTS for p in range(PARTITIONS)], timeout=10)
    return {(tp.topic, tp.partition): max(tp.offset, 0) for tp in tps}


def committed_total(bootstrap, group):
    try:
        return sum(committed(bootstrap, group).values())
    except Exception as e:  # the broker may be restarting
        log(f"(committed offsets not readable now: {e})")
        return None


def readable_total(bootstrap, group, timeout=60):
    """committed_total, waiting while the broker cannot answer yet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        total = committed_total(bootstrap, group)
        if total is not None:
            return total
        time.sleep(0.2)
    raise SystemExit(f"{group}: committed offsets unreadable for {timeout} s")


def wait_until_done(pipeline, bootstrap, group, ends, timeout):
    """Waits until the group's committed offsets reach the end of every input partition."""
    deadline = time.monotonic() + timeout
    want = sum(ends.values())
    while time.monotonic() < deadline:
        pipeline.check_alive()
        total = committed_total(bootstrap, group)
        if total == want:
            return
        time.sleep(0.5)
    raise SystemExit(f"{group}: inputs not all committed within {timeout} s "
                     f"({committed_total(bootstrap, group)} of {want})\n" + tail(pipeline.log_path))


def wait_for_progress(pipeline, bootstrap, group, target, timeout):
    """Waits until the group has committed at least `target` input records."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pipeline.check_alive()
        total = committed_total(bootstrap, group)
        if total is not None and total >= target:
            return
        time.sleep(0.1)
    raise SystemExit(f"{group}: {target:.0f} records not committed within {timeout} s\n"
                     + tail(pipeline.log_path))


def wait_for_log(pipeline, text, since, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pipeline.check_alive()
        if pathlib.Path(pipeline.log_path).read_text(errors="replace").count(text) > since:
            return
        time.sleep(0.05)
    raise SystemExit(f"no '{text}' in {pipeline.log_path} within {timeout} s\n"
                     + tail(pipeline.log_path))


def read_outputs(bootstrap, topic):
    """Every committed record of `topic`, as (key, normalised value) pairs."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "chaos-reader-" + topic,
                  "isolation.level": "read_committed", "enable.partition.eof": True,
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
    records, at_end = [], set()
    idle_until = time.monotonic() + 60
    while len(at_end) < PARTITIONS:
        m = c.poll(1.0)
        if m is None:
            if time.monotonic() > idle_until:
                raise SystemExit(f"reading {topic}: no end of partitions {at_end} within 60 s")
            continue
        idle_until = time.monotonic() + 60
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(m.partition())
                continue
            raise SystemExit(f"reading {topic}: {m.error()}")
        value = json.loads(m.value())
        for field in IGNORED_FIELDS:
            value.pop(field, None)
        records.append(json.dumps(value, sort_keys=True))
    c.close()
    return records


def compare(bootstrap, inputs_total):
    ok = True
    runs = {run: {t: read_outputs(bootstrap, f"{run}-{t}") for t in OUTPUTS}
            for run in ("clean", "chaos")}
    for run, outputs in runs.items():
        answered = len(outputs["credit-events"]) + len(outputs["riskstream-dlq"])
        log(f"{run}: " + ", ".join(f"{t} {len(r)}" for t, r in outputs.items()) +
            f"; credit events + dead letters = {answered} for {inputs_total} input records")
        if answered != inputs_total:
            ok = False
            log(f"FAIL {run}: not one answer per input record")
    for topic in OUTPUTS:
        clean = collections.Counter(runs["clean"][topic])
        chaos = collections.Counter(runs["chaos"][topic])
        missing = clean - chaos
        extra = chaos - clean
        ids = collections.Counter(json.loads(r).get("event_id", r) for r in runs["chaos"][topic])
        duplicated = sum(1 for n in ids.values() if n > 1)
        log(f"{topic}: clean {sum(clean.values())} records, chaos {sum(chaos.values())}; "
            f"missing from chaos {sum(missing.values())}, extra in chaos {sum(extra.values())}, "
            f"event ids seen twice in chaos {duplicated}")
        if missing or extra:
            ok = False
            for record in list(missing)[:3]:
                log(f"  only in clean: {record[:400]}")
            for record in list(extra)[:3]:
                log(f"  only in chaos: {record[:400]}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--riskstream", required=True)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=int, default=1800, help="per run, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--guarantee", default="exactly_once",
                        help="of the chaos run; at_least_once shows what the test catches")
    args = parser.parse_args()
    if args.kills < 3:
        parser.error("--kills must be at least 3 (snapshot, delete, roll back the state)")

    work = pathlib.Path(tempfile.mkdtemp(prefix="riskstream-chaos-"))
    broker = None
    started = time.monotonic()
    try:
        broker = Broker(work)
        log(f"broker at {broker.bootstrap}, work dir {work}")
        (work / "features.yaml").write_text(FEATURES)
        (work / "rules.yaml").write_text(RULES)
        for topic in INPUTS + [f"{r}-{t}" for r in ("clean", "chaos") for t in OUTPUTS]:
            broker.create_topic(topic, PARTITIONS)
        subprocess.run([args.riskstream, "generate", "-n", str(args.events), "--seed",
                        str(args.seed), "-b", broker.bootstrap], check=True)
        produce_malformed(broker.bootstrap, max(3, args.events // 1000))
        ends = input_ends(broker.bootstrap)
        inputs_total = sum(ends.values())
        log(f"generated {inputs_total} input records (seed {args.seed})")

        # The clean run.
        clean = Pipeline(args.riskstream, write_config(work, "clean", broker.bootstrap),
                         work / "clean.log")
        clean.start()
        t0 = time.monotonic()
        wait_until_done(clean, broker.bootstrap, "clean-group", ends, args.timeout)
        log(f"clean run processed everything in {time.monotonic() - t0:.1f} s")
        if clean.stop(60) != 0:
            raise SystemExit("clean run did not stop cleanly\n" + tail(clean.log_path))

        # The chaos run.
        rng = random.Random(args.seed)
        chaos_config = write_config(work, "chaos", broker.bootstrap, args.guarantee,
                                    admin_address="127.0.0.1:0")
        chaos = Pipeline(args.riskstream, chaos_config, work / "chaos.log")
        state_dir = work / "chaos-state"
        broker_restart_at = snapshot_at = 1
        wipe_at = max(2, args.kills // 2)
        roll_back_at = args.kills
        snapshot_dir = work / "chaos-state-snapshot"
        # Kill points: random shares of the input, so every kill lands while records are being
        # processed (committed offsets at the target, the next transaction open), plus jitter.
        targets = sorted(rng.uniform(0.03, 0.97) * inputs_total for _ in range(args.kills))
        t0 = time.monotonic()
        chaos.start()
        for kill, target in enumerate(targets, start=1):
            wait_for_log(chaos, "assigned", chaos.starts - 1, 120)
            if kill == broker_restart_at:
                log("restarting the broker while riskstream runs")
                with ReadinessWatch(chaos) as readiness:
                    broker.restart()
                    log("broker back")
                    # Resumed: a commit after the restart.
                    wait_for_progress(chaos, broker.bootstrap, "chaos-group",
                                      readable_total(broker.bootstrap, "chaos-group") + 1, 120)
                log("/readyz while the broker restarted: " + readiness.summary())
                if not any(a.startswith("503 broker unavailable") for a in readiness.answers):
                    raise SystemExit("/readyz never said 'broker unavailable' during the restart")
            wait_for_progress(chaos, broker.bootstrap, "chaos-group", target, args.timeout)
            time.sleep(rng.uniform(0, 0.3))
            chaos.check_alive()
            chaos.kill()
            log(f"kill -9 #{kill} at {time.monotonic() - t0:.1f} s: committed "
                f"{committed_total(broker.bootstrap, 'chaos-group')} of {inputs_total}")
            if kill == snapshot_at:
                shutil.copytree(state_dir, snapshot_dir)
                log("copied the state directory aside")
            if kill == wipe_at:
                shutil.rmtree(state_dir, ignore_errors=True)
                log("deleted the state directory")
            if kill == roll_back_at:
                shutil.rmtree(state_dir, ignore_errors=True)
                shutil.copytree(snapshot_dir, state_dir)
                log(f"replaced the state directory by the copy from kill #{snapshot_at}")
            chaos.start()
        wait_until_done(chaos, broker.bootstrap, "chaos-group", ends, args.timeout)
        log(f"chaos run processed everything in {time.monotonic() - t0:.1f} s "
            f"({chaos.starts} starts)")
        if chaos.stop(60) != 0:
            raise SystemExit("chaos run did not stop cleanly\n" + tail(chaos.log_path))
        chaos_log = pathlib.Path(chaos.log_path).read_text(errors="replace")
        for line in chaos_log.splitlines():
            if "restored state from changelog" in line:
                log("  " + line.split(" info ", 1)[-1])
        log(f"chaos log: {chaos_log.count('aborting the transaction')} transactions aborted, "
            f"{chaos_log.count('commit: ')} commit retries, "
            f"{chaos_log.count('brokers reachable again')} broker outages seen")

        ok = compare(broker.bootstrap, inputs_total)
        log(f"{'PASS' if ok else 'FAIL'}: exactly-once outputs after {args.kills} kills, one "
            f"broker restart and one lost state dir ({time.monotonic() - started:.0f} s)")
        return 0 if ok else 1
    finally:
        if broker:
            broker.stop()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
