#!/usr/bin/python3
"""Checks docker-compose.yml without a Docker engine: `docker-compose config -q` accepts it, every
bind-mounted file or directory exists, the riskstream config it mounts loads in riskstream (the
mounted files laid out as in the container, loaded by `riskstream embedded-kafka`, which validates
the config, features and rules paths and then serves until stopped), and the addresses agree: Prometheus
scrapes riskstream's metrics port, Grafana's datasource points at the Prometheus service.

usage: compose_test.py RISKSTREAM_BINARY [--source-dir DIR]
"""

import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import deploy_files  # noqa: E402

COMPOSE = ["docker-compose", "-f", "docker-compose.yml"]
RISKSTREAM_CONFIG_DIR = "/etc/riskstream/"
RISKSTREAM_CONFIG = "riskstream.yaml"


def compose(source_dir, *args):
    return subprocess.run([*COMPOSE, *args], cwd=source_dir, capture_output=True, text=True,
                          timeout=60)


def check_config_loads(binary, mounts, problems):
    """Lays the /etc/riskstream mounts out in a temp dir and loads the config with riskstream."""
    with tempfile.TemporaryDirectory(prefix="riskstream-compose-test-") as tmp:
        tmp = pathlib.Path(tmp)
        for source, target in mounts:
            destination = tmp / target[len(RISKSTREAM_CONFIG_DIR):]
            if pathlib.Path(source).is_dir():
                shutil.copytree(source, destination)
            else:
                shutil.copy(source, destination)
        config = tmp / RISKSTREAM_CONFIG
        if not config.exists():
            problems.append(f"docker-compose.yml mounts no {RISKSTREAM_CONFIG_DIR}{RISKSTREAM_CONFIG}")
            return
        bootstrap = tmp / "bootstrap"
        log = tmp / "riskstream.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([binary, "embedded-kafka", "--config", str(config),
                                     "--bootstrap-file", str(bootstrap)], cwd=tmp,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    preexec_fn=deploy_files.die_with_parent)
        try:
            deadline = time.monotonic() + 30
            while not bootstrap.exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            if not bootstrap.exists():
                problems.append(f"riskstream does not load the compose config ({config.name} with "
                                f"{', '.join(t for _, t in mounts)}): {log.read_text().strip()}")
        finally:
            deploy_files.stop_process(proc, "riskstream embedded-kafka")


def main():
    args = deploy_files.parse_args(__doc__, binary=True)
    source_dir = args.source_dir
    problems = []

    checked = compose(source_dir, "config", "-q")
    if checked.returncode != 0:
        problems.append(f"docker-compose config -q: exit {checked.returncode}: {checked.stderr.strip()}")
    resolved = compose(source_dir, "config")
    mounts = re.findall(r"^\s*-\s*(/[^:\s]+):(/[^:\s]+)(?::\w+)?\s*$", resolved.stdout, re.M)
    if not mounts:
        problems.append("docker-compose config shows no bind mounts")
    for source, target in mounts:
        if not pathlib.Path(source).exists():
            problems.append(f"bind mount {source} -> {target}: {source} does not exist")
    config_mounts = [(s, t) for s, t in mounts if t.startswith(RISKSTREAM_CONFIG_DIR)]
    if checked.returncode == 0:
        check_config_loads(args.binary, config_mounts, problems)

    riskstream_config = (source_dir / "deploy/riskstream/riskstream.yaml").read_text()
    metrics = re.search(r"^\s*address:\s*0\.0\.0\.0:(\d+)", riskstream_config, re.M)
    scrape = (source_dir / "deploy/prometheus/prometheus.yml").read_text()
    if not metrics:
        problems.append("deploy/riskstream/riskstream.yaml: metrics.address is not 0.0.0.0:PORT")
    elif f'"riskstream:{metrics.group(1)}"' not in scrape:
        problems.append(f"deploy/prometheus/prometheus.yml does not scrape riskstream:{metrics.group(1)}")
    datasources = (source_dir / deploy_files.DATASOURCES_FILE).read_text()
    services = set(re.findall(r"^  ([a-z][a-z0-9_-]*):\s*$", resolved.stdout, re.M))
    for host in re.findall(r"url:\s*https?://([^:/\s]+)", datasources):
        if host not in services:
            problems.append(f"{deploy_files.DATASOURCES_FILE}: {host} is not a compose service "
                            f"({sorted(services)})")

    return deploy_files.finish(
        problems, f"docker-compose.yml valid; {len(mounts)} bind mounts exist; riskstream loads "
        f"{', '.join(t for _, t in config_mounts)}; services {sorted(services)}")


if __name__ == "__main__":
    sys.exit(main())
