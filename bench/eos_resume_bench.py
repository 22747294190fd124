#!/usr/bin/python3
"""How long `riskstream run` (exactly_once) takes to resume with a large state, on a real broker.

Builds a state with the shipped features and rules (configs/) by processing EVENTS generated
events, stops riskstream with SIGTERM, then measures two starts:
  current  the state directory is intact: the changelog must not be replayed;
  lost     the state directory is deleted: the whole compacted changelog is restored.
For each it prints the time from process start to the partitions being assigned (ready to
process) and the restore line riskstream logs. Prints measurements; asserts nothing but that the
current start replays no changelog record.

usage: eos_resume_bench.py --riskstream BIN [--events N] [--seed S]
Uses tests/kafka/eos_chaos_test.py's broker and process helpers.
"""

import argparse
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "kafka"))
import eos_chaos_test as chaos  # noqa: E402


def scrape(port, name):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    match = re.search(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.M)
    return float(match.group(1)) if match else None


MILESTONES = ("processing guarantee", "restoring state", "restored state", "riskstream running",
              "assigned")


def timed_start(pipeline, label):
    """Starts `pipeline`, waits until it is assigned its partitions; returns seconds taken."""
    t0 = time.monotonic()
    pipeline.start()
    chaos.wait_for_log(pipeline, "assigned", pipeline.starts - 1, 600)
    seconds = time.monotonic() - t0
    this_start = pathlib.Path(pipeline.log_path).read_text().split("==== start ")[-1]
    for line in this_start.splitlines():
        if any(m in line for m in MILESTONES):
            chaos.log("  " + line)
    restored = [line for line in this_start.splitlines()
                if "restored state from changelog" in line][-1]
    chaos.log(f"{label}: assigned after {seconds:.2f} s from process start; "
              + restored.split(" info ", 1)[-1])
    return seconds, restored


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--riskstream", required=True)
    parser.add_argument("--events", type=int, default=60000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="riskstream-resume-"))
    broker = None
    try:
        broker = chaos.Broker(work)
        for topic in chaos.INPUTS + [f"bench-{t}" for t in chaos.OUTPUTS]:
            broker.create_topic(topic, chaos.PARTITIONS)
        subprocess.run([args.riskstream, "generate", "-n", str(args.events), "--seed",
                        str(args.seed), "-b", broker.bootstrap], check=True)
        ends = chaos.input_ends(broker.bootstrap)
        config = chaos.write_config(work, "bench", broker.bootstrap,
                                    features=ROOT / "configs" / "features.yaml",
                                    rules=ROOT / "configs" / "rules.yaml",
                                    metrics_address="127.0.0.1:0")
        pipeline = chaos.Pipeline(args.riskstream, config, work / "bench.log")
        t0 = time.monotonic()
        pipeline.start()
        chaos.wait_until_done(pipeline, broker.bootstrap, "bench-group", ends, 3600)
        took = time.monotonic() - t0
        port = re.findall(r"metrics on port (\d+)", pathlib.Path(pipeline.log_path).read_text())[-1]
        keys = scrape(port, "riskstream_state_keys")
        if pipeline.stop(120) != 0:
            raise SystemExit("riskstream did not stop cleanly\n" + chaos.tail(pipeline.log_path))
        state = work / "bench-state"
        size = sum(f.stat().st_size for f in state.rglob("*") if f.is_file())
        chaos.log(f"built the state from {sum(ends.values())} input records in {took:.1f} s: "
                  f"~{keys:.0f} window-store keys (RocksDB estimate), {size / 1e6:.0f} MB on disk")

        seconds, restored = timed_start(pipeline, "current state")
        if ": 0 records" not in restored:
            raise SystemExit("a current state replayed the changelog: " + restored)
        pipeline.stop(120)
        shutil.rmtree(state)
        timed_start(pipeline, "lost state dir")
        pipeline.stop(120)
        return 0
    finally:
        if broker:
            broker.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
