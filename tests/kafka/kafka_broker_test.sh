#!/usr/bin/env bash
# End-to-end test of tests/kafka/kafka-broker against a real Kafka broker:
# start, create-topic, kcat -> confluent_kafka and confluent_kafka -> kcat round trips,
# transactions seen through a read_committed consumer, restart keeps data and committed
# offsets on the same address, stop leaves no process. Exits non-zero on any failure and
# always stops the broker it started.

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly HERE
readonly BROKER="${HERE}/kafka-broker"
readonly PY="${RISKSTREAM_PYTHON:-/usr/bin/python3}"

passed=0
failed=0
ok() {
  passed=$((passed + 1))
  echo "ok - $*"
}
fail() {
  failed=$((failed + 1))
  echo "FAIL - $*" >&2
}
# check DESCRIPTION COMMAND...: passes iff COMMAND succeeds.
check() {
  local what="$1"
  shift
  if "$@"; then ok "${what}"; else fail "${what}"; fi
}
# expect_eq DESCRIPTION ACTUAL EXPECTED
expect_eq() {
  if [[ "$2" == "$3" ]]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}
finish() {
  echo "kafka_broker_test: ${passed} passed, ${failed} failed"
  [[ ${failed} -eq 0 ]] || exit 1
  exit 0
}

DIR="$(mktemp -d "${TMPDIR:-/tmp}/riskstream-kafka-test.XXXXXX")"
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local rc=$?
  "${BROKER}" stop "${DIR}" >/dev/null 2>&1 || "${BROKER}" stop "${DIR}" --kill >/dev/null 2>&1 || true
  if [[ ${rc} -ne 0 && -f "${DIR}/logs/server.log" ]]; then
    echo "----- tail of ${DIR}/logs/server.log -----" >&2
    tail -n 40 "${DIR}/logs/server.log" >&2 || true
  fi
  rm -rf "${DIR}"
  exit "${rc}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Leak guard: if this script dies without running its trap, the broker stops itself.
export RISKSTREAM_KAFKA_OWNER_PID=$$

# Python side of the checks: `py MODE ARGS...` (modes below).
py() {
  timeout 120 "${PY}" - "$@" <<'PY'
import sys, time
from confluent_kafka import Consumer, Producer, TopicPartition, KafkaError

mode, bootstrap = sys.argv[1], sys.argv[2]
args = sys.argv[3:]

def consume(topic, group, isolation="read_committed", want=None, timeout=30):
    """Reads `topic` from the beginning until every partition hit EOF (and, if given, at
    least `want` messages arrived). Prints one 'key=value' line per message."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                  "auto.offset.reset": "earliest", "enable.partition.eof": True,
                  "isolation.level": isolation, "enable.auto.commit": False})
    c.subscribe([topic])
    got, eof, assigned = [], set(), None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = c.poll(0.5)
        if assigned is None and c.assignment():
            assigned = {(tp.topic, tp.partition) for tp in c.assignment()}
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                eof.add((m.topic(), m.partition()))
            else:
                sys.exit("consumer error: %s" % m.error())
        else:
            got.append("%s=%s" % (m.key().decode() if m.key() else "",
                                  m.value().decode()))
            eof.discard((m.topic(), m.partition()))
        if assigned and eof >= assigned and (want is None or len(got) >= want):
            break
    else:
        sys.exit("timed out consuming %s: got %r" % (topic, got))
    c.commit(asynchronous=False) if got else None
    c.close()
    for line in got:
        print(line)

if mode == "consume":          # consume TOPIC GROUP ISOLATION [WANT]
    consume(args[0], args[1], args[2], int(args[3]) if len(args) > 3 else None)
elif mode == "produce":        # produce TOPIC key=value...
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    errors = []
    for kv in args[1:]:
        k, v = kv.split("=", 1)
        p.produce(args[0], key=k, value=v,
                  on_delivery=lambda err, msg: errors.append(err) if err else None)
    if p.flush(30) != 0 or errors:
        sys.exit("produce failed: %r" % errors)
elif mode == "transactions":   # transactions TOPIC: commit a, abort b, commit c
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": "riskstream-test-tx"})
    p.init_transactions(30)
    for outcome, values in (("commit", ["c1", "c2"]), ("abort", ["a1", "a2"]),
                            ("commit", ["c3"])):
        p.begin_transaction()
        for v in values:
            p.produce(args[0], key=outcome, value=v)
        p.flush(30)
        if outcome == "commit":
            p.commit_transaction(30)
        else:
            p.abort_transaction(30)
elif mode == "committed":      # committed TOPIC GROUP PARTITIONS -> total committed offset
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": args[1]})
    tps = c.committed([TopicPartition(args[0], p) for p in range(int(args[2]))], timeout=30)
    print(sum(max(tp.offset, 0) for tp in tps))
    c.close()
else:
    sys.exit("unknown mode " + mode)
PY
}

# shellcheck disable=SC2317  # called through check
# True iff PID has exited (a zombie not yet reaped by init counts as exited).
pid_gone() {
  local state
  state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null)" || return 0
  [[ -z "${state}" || "${state}" == "Z" || "${state}" == "X" ]]
}

sorted_lines() { tr ' ' '\n' <<<"$*" | sed '/^$/d' | sort; }

# --- usage on bad arguments
exit_code() {
  local rc=0
  "$@" >/dev/null 2>&1 || rc=$?
  echo "${rc}"
}
expect_eq "no arguments -> usage, exit 2" "$(exit_code "${BROKER}")" 2
expect_eq "unknown command -> usage, exit 2" "$(exit_code "${BROKER}" frobnicate)" 2
expect_eq "start without DIR -> usage, exit 2" "$(exit_code "${BROKER}" start)" 2
expect_eq "create-topic with bad PARTITIONS fails" \
  "$(exit_code "${BROKER}" create-topic "${DIR}" t zero)" 1

# --- start
t0=${SECONDS}
BOOTSTRAP="$("${BROKER}" start "${DIR}")"
echo "# broker up at ${BOOTSTRAP} in $((SECONDS - t0))s (dir ${DIR})"
check "start printed a loopback address: ${BOOTSTRAP}" \
  grep -Eqx '127\.0\.0\.1:[0-9]+' <<<"${BOOTSTRAP}"
expect_eq "DIR/bootstrap matches" "$(cat "${DIR}/bootstrap")" "${BOOTSTRAP}"
PID1="$(cat "${DIR}/pid")"
check "broker pid ${PID1} alive" kill -0 "${PID1}"
check "listeners bound to 127.0.0.1 only" grep -qx \
  "listeners=PLAINTEXT://127.0.0.1:[0-9]*,CONTROLLER://127.0.0.1:[0-9]*" "${DIR}/server.properties"
expect_eq "status reports running" "$("${BROKER}" status "${DIR}")" "${BOOTSTRAP}"
check "second start on a running DIR is refused" \
  [ "$(exit_code "${BROKER}" start "${DIR}")" -ne 0 ]

# --- topics
check "create-topic kcat-to-py 3" "${BROKER}" create-topic "${DIR}" kcat-to-py 3
check "create-topic py-to-kcat 2" "${BROKER}" create-topic "${DIR}" py-to-kcat 2
check "create-topic tx 1 (with a topic config)" \
  "${BROKER}" create-topic "${DIR}" tx 1 message.timestamp.type=LogAppendTime
check "create-topic on an existing topic succeeds" "${BROKER}" create-topic "${DIR}" kcat-to-py 3
expect_eq "create-topic with another partition count fails" \
  "$(exit_code "${BROKER}" create-topic "${DIR}" kcat-to-py 5)" 1
expect_eq "kcat sees 3 partitions led by broker 1" \
  "$(kcat -L -b "${BOOTSTRAP}" -t kcat-to-py -m 10 | grep -c 'partition [0-9]*, leader 1,')" 3

# --- kcat produces, confluent_kafka consumes
printf 'k1:v1\nk2:v2\nk3:v3\n' | kcat -P -b "${BOOTSTRAP}" -t kcat-to-py -K: -X acks=all
expect_eq "kcat -> confluent_kafka: 3 messages" \
  "$(py consume "${BOOTSTRAP}" kcat-to-py g1 read_committed 3 | sort)" \
  "$(sorted_lines k1=v1 k2=v2 k3=v3)"

# --- confluent_kafka produces, kcat consumes
check "confluent_kafka produced 3 messages" py produce "${BOOTSTRAP}" py-to-kcat a=1 b=2 c=3
expect_eq "confluent_kafka -> kcat: 3 messages" \
  "$(kcat -C -b "${BOOTSTRAP}" -t py-to-kcat -o beginning -e -q -f '%k=%s\n' | sort)" \
  "$(sorted_lines a=1 b=2 c=3)"

# --- transactions
check "transactional producer: commit, abort, commit" py transactions "${BOOTSTRAP}" tx
expect_eq "read_committed sees only the committed messages" \
  "$(py consume "${BOOTSTRAP}" tx g-committed read_committed 3 | tr '\n' ' ')" \
  "commit=c1 commit=c2 commit=c3 "
expect_eq "read_uncommitted also sees the aborted ones" \
  "$(py consume "${BOOTSTRAP}" tx g-uncommitted read_uncommitted 5 | tr '\n' ' ')" \
  "commit=c1 commit=c2 abort=a1 abort=a2 commit=c3 "

# --- restart keeps address, data and committed offsets
t0=${SECONDS}
BOOTSTRAP2="$("${BROKER}" restart "${DIR}")"
echo "# restarted in $((SECONDS - t0))s"
PID2="$(cat "${DIR}/pid")"
expect_eq "restart kept the address" "${BOOTSTRAP2}" "${BOOTSTRAP}"
check "old pid ${PID1} gone" pid_gone "${PID1}"
check "new pid ${PID2} alive" kill -0 "${PID2}"
expect_eq "data survived restart" \
  "$(kcat -C -b "${BOOTSTRAP}" -t kcat-to-py -o beginning -e -q -f '%k=%s\n' | sort)" \
  "$(sorted_lines k1=v1 k2=v2 k3=v3)"
expect_eq "committed offsets survived restart" "$(py committed "${BOOTSTRAP}" kcat-to-py g1 3)" 3
expect_eq "transaction markers survived restart" \
  "$(py consume "${BOOTSTRAP}" tx g-committed-2 read_committed 3 | tr '\n' ' ')" \
  "commit=c1 commit=c2 commit=c3 "

# --- stop
check "stop" "${BROKER}" stop "${DIR}"
check "pid ${PID2} gone" pid_gone "${PID2}"
check "DIR/pid removed" [ ! -e "${DIR}/pid" ]
expect_eq "status reports stopped" "$(exit_code "${BROKER}" status "${DIR}")" 1
check "second stop is a no-op" "${BROKER}" stop "${DIR}"

finish
