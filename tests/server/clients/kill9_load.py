"""Client load across a kill -9 of seglogd (boto3): no acknowledged write lost, no phantom.

usage: python3 kill9_load.py setup|produce|verify ENDPOINT NAME LOGDIR
  setup:   creates queue NAME and stream NAME (2 shards)
  produce: 4 threads send messages (2 SendMessage, 2 SendMessageBatch) and 2 threads put
           records (PutRecords) until seglogd goes away. Before each request a thread appends
           what it is about to write to LOGDIR/attempted, after each success what was
           acknowledged to LOGDIR/acked (queue "Q BODY"; stream "S SHARD SEQ DATA"), flushed line by line
           so the harness can count acknowledgements and kill seglogd mid-load.
  verify:  (after the restart) every acknowledged body is received, every acknowledged record
           is read at its sequence number, and everything read was attempted. Exit 0 pass, 1 fail.
"""
import os
import sys
import threading
import time

import boto3
from botocore.config import Config

ROLE, ENDPOINT, NAME, LOGDIR = sys.argv[1:5]
CFG = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30)
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1", config=CFG)
kin = boto3.client("kinesis", endpoint_url=ENDPOINT, region_name="us-east-1", config=CFG)


class Log:
    """Appends lines to one file, flushed at once; shared by the producer threads (locked)."""

    def __init__(self, path):
        self.f = open(path, "a")
        self.lock = threading.Lock()

    def write(self, lines):
        with self.lock:
            self.f.write("".join(line + "\n" for line in lines))
            self.f.flush()


def produce():
    url = sqs.get_queue_url(QueueName=NAME)["QueueUrl"]
    attempted, acked = Log(os.path.join(LOGDIR, "attempted")), Log(os.path.join(LOGDIR, "acked"))
    stop = threading.Event()

    def sender(t, batch):
        i = 0
        while not stop.is_set():
            bodies = [f"q-{t}-{i + j}" for j in range(10 if batch else 1)]
            i += len(bodies)
            attempted.write("Q " + b for b in bodies)
            try:
                if batch:
                    r = sqs.send_message_batch(QueueUrl=url, Entries=[
                        {"Id": str(j), "MessageBody": b} for j, b in enumerate(bodies)])
                    ok = [bodies[int(e["Id"])] for e in r.get("Successful", [])]
                else:
                    sqs.send_message(QueueUrl=url, MessageBody=bodies[0])
                    ok = bodies
            except Exception:  # seglogd is gone: this thread is done
                return
            acked.write("Q " + b for b in ok)

    def putter(t):
        i = 0
        while not stop.is_set():
            datas = [f"s-{t}-{i + j}" for j in range(5)]
            i += 5
            attempted.write("S " + d for d in datas)
            try:
                r = kin.put_records(StreamName=NAME, Records=[
                    {"Data": d.encode(), "PartitionKey": d} for d in datas])
            except Exception:
                return
            acked.write(f"S {x['ShardId']} {x['SequenceNumber']} {d}"
                        for x, d in zip(r["Records"], datas)
                        if "SequenceNumber" in x)

    threads = [threading.Thread(target=sender, args=(t, t % 2 == 1)) for t in range(4)]
    threads += [threading.Thread(target=putter, args=(t,)) for t in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    stop.set()
    print("producer: every thread stopped (seglogd went away)", flush=True)


def read_lines(name):
    with open(os.path.join(LOGDIR, name)) as f:
        return [line.rstrip("\n") for line in f if line.endswith("\n")]


def verify():
    attempted = set(read_lines("attempted"))
    acked = read_lines("acked")
    acked_q = {line[2:] for line in acked if line.startswith("Q ")}
    acked_s = {tuple(line[2:].split(" ", 2)) for line in acked if line.startswith("S ")}
    assert acked_q and acked_s, f"nothing acknowledged before the kill ({len(acked)} lines)"
    url = sqs.get_queue_url(QueueName=NAME)["QueueUrl"]
    got, deadline = set(), time.monotonic() + 60
    while not acked_q <= got:
        assert time.monotonic() < deadline, \
            f"LOST: {len(acked_q - got)} acknowledged messages never came, e.g. " \
            f"{sorted(acked_q - got)[:5]}"
        msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                   WaitTimeSeconds=1).get("Messages", [])
        for m in msgs:
            assert "Q " + m["Body"] in attempted, f"PHANTOM message {m['Body']!r}"
            got.add(m["Body"])
        if msgs:
            sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]} for j, m in enumerate(msgs)])
    print(f"queue: all {len(acked_q)} acknowledged messages received "
          f"({len(got) - len(acked_q)} more were attempted, unacknowledged)", flush=True)
    records = {}
    for s in kin.list_shards(StreamName=NAME)["Shards"]:
        it = kin.get_shard_iterator(StreamName=NAME, ShardId=s["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while True:
            r = kin.get_records(ShardIterator=it, Limit=1000)
            for rec in r["Records"]:
                data = rec["Data"].decode()
                assert "S " + data in attempted, f"PHANTOM record {data!r}"
                records[(s["ShardId"], rec["SequenceNumber"])] = data
            it = r["NextShardIterator"]
            if not r["Records"] and r.get("MillisBehindLatest", 0) == 0:
                break
    lost = [(sh, seq, d) for sh, seq, d in acked_s if records.get((sh, seq)) != d]
    assert not lost, f"LOST: {len(lost)} acknowledged records not read back, e.g. {lost[:5]}"
    print(f"stream: all {len(acked_s)} acknowledged records read at their sequence numbers",
          flush=True)


def main():
    if ROLE == "setup":
        sqs.create_queue(QueueName=NAME)
        kin.create_stream(StreamName=NAME, ShardCount=2)
        kin.get_waiter("stream_exists").wait(StreamName=NAME,
                                             WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    elif ROLE == "produce":
        produce()
    else:
        verify()
    print("PASS", flush=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL ({ROLE}): {e}", flush=True)
        sys.exit(1)
