"""The SQS scenario through boto3, unchanged: pip's (AWS JSON 1.0) and Debian's (Query protocol).

usage: PYTHON sqs_scenario.py ENDPOINT_URL
Exit 0 when every step got AWS's answer; 1 (with the failed assertion) otherwise. Any endpoint
that speaks SQS works (seglogd, moto_server). Compatible with boto3 1.26 and 1.43.
"""
import os
import sys
import time
import uuid
from urllib.parse import urlsplit

from sqs_digests import attrs_md5, md5

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

import scenario

ENDPOINT = sys.argv[1]
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1",
                   config=Config(retries={"max_attempts": 1}))
PREFIX = "scn" + uuid.uuid4().hex[:8]
print(f"botocore {botocore.__version__}, protocol {sqs.meta.service_model.protocol}", flush=True)


# SEGLOG_CLIENTS_MOTO=1: the endpoint is moto_server, which skips SQS's character checks; those
# steps then print a note instead of failing, so the rest of the scenario can be checked there.
MOTO = os.environ.get("SEGLOG_CLIENTS_MOTO") == "1"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def moto_skips(what):
    """True (after a note) where moto_server lacks an SQS rule that the next step checks."""
    if MOTO:
        print(f"note - not checked against moto (it differs from SQS): {what}", flush=True)
    return MOTO


def error_code(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e
    raise AssertionError(f"{fn.__name__} succeeded, an error was expected")


def receive_all(url, n, **kw):
    got, deadline = [], time.monotonic() + 30
    while len(got) < n and time.monotonic() < deadline:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(10, n - len(got)),
                                WaitTimeSeconds=1, **kw)
        got += r.get("Messages", [])
    check(len(got) == n, f"received {len(got)} messages, expected {n}")
    for m in got:
        check(m["MD5OfBody"] == md5(m["Body"].encode()), f"MD5OfBody wrong for {m['Body']!r}")
    return got


def step_create():
    std = sqs.create_queue(QueueName=PREFIX + "-std",
                           Attributes={"VisibilityTimeout": "30", "DelaySeconds": "0",
                                       "MaximumMessageSize": "262144",
                                       "MessageRetentionPeriod": "3600"})["QueueUrl"]
    fifo = sqs.create_queue(QueueName=PREFIX + "-q.fifo",
                            Attributes={"FifoQueue": "true",
                                        "ContentBasedDeduplication": "true"})["QueueUrl"]
    ep, u = urlsplit(ENDPOINT), urlsplit(std)
    check(u.netloc == ep.netloc, f"queue URL {std} is not on the endpoint's host:port {ep.netloc}")
    check(u.path.endswith("/" + PREFIX + "-std"), f"queue URL path {u.path} lacks the name")
    got = sqs.get_queue_url(QueueName=PREFIX + "-std")["QueueUrl"]
    check(got == std, f"GetQueueUrl {got} != CreateQueue's {std}")
    check(urlsplit(sqs.get_queue_url(QueueName=PREFIX + "-q.fifo")["QueueUrl"]).netloc
          == ep.netloc, "the FIFO queue's URL is not on the endpoint's host:port")
    again = sqs.create_queue(QueueName=PREFIX + "-std",
                             Attributes={"VisibilityTimeout": "30", "DelaySeconds": "0",
                                         "MaximumMessageSize": "262144",
                                         "MessageRetentionPeriod": "3600"})["QueueUrl"]
    check(again == std, "creating the same queue again with the same attributes gave another URL")
    listed = sqs.list_queues(QueueNamePrefix=PREFIX).get("QueueUrls", [])
    check(sorted(listed) == sorted([std, fifo]), f"ListQueues(prefix) gave {listed}")
    check(not sqs.list_queues(QueueNamePrefix=PREFIX + "-none").get("QueueUrls"),
          "ListQueues with an unused prefix listed queues")
    a = sqs.get_queue_attributes(QueueUrl=std, AttributeNames=["All"])["Attributes"]
    for k, v in (("VisibilityTimeout", "30"), ("MaximumMessageSize", "262144"),
                 ("MessageRetentionPeriod", "3600")):
        check(a.get(k) == v, f"attribute {k} is {a.get(k)!r}, expected {v}")
    check(a.get("QueueArn", "").endswith(":" + PREFIX + "-std"), f"QueueArn {a.get('QueueArn')}")
    fa = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["FifoQueue",
                                  "ContentBasedDeduplication"])["Attributes"]
    check(fa == {"FifoQueue": "true", "ContentBasedDeduplication": "true"}, f"FIFO attrs {fa}")
    return std, fifo


def step_send_receive(std):
    attrs = {"s": {"DataType": "String", "StringValue": "héllo"},
             "n": {"DataType": "Number", "StringValue": "-12.5"},
             "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"}}
    body = "body with ünïcode \u2603"
    r = sqs.send_message(QueueUrl=std, MessageBody=body, MessageAttributes=attrs,
                         MessageSystemAttributes={"AWSTraceHeader": {
                             "DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe"}})
    check(r["MD5OfMessageBody"] == md5(body.encode()), "SendMessage's MD5OfMessageBody")
    check(r["MD5OfMessageAttributes"] == attrs_md5(attrs), "SendMessage's MD5OfMessageAttributes")
    check(r.get("MessageId"), "SendMessage returned no MessageId")
    m = receive_all(std, 1, MessageAttributeNames=["All"],
                    AttributeNames=["SentTimestamp", "ApproximateReceiveCount", "AWSTraceHeader",
                                    "ApproximateFirstReceiveTimestamp", "SenderId"])[0]
    check(m["Body"] == body and m["MessageId"] == r["MessageId"], "received another message")
    check(m.get("MessageAttributes") == attrs, f"attributes came back as {m.get('MessageAttributes')}")
    check(m.get("MD5OfMessageAttributes") == attrs_md5(attrs), "receive's MD5OfMessageAttributes")
    sa = m.get("Attributes", {})
    check(sa.get("ApproximateReceiveCount") == "1", f"ApproximateReceiveCount {sa}")
    check(sa.get("SentTimestamp", "x").isdigit(), f"SentTimestamp {sa.get('SentTimestamp')!r}")
    check(sa.get("AWSTraceHeader") == "Root=1-5759e988-bd862e3fe", f"AWSTraceHeader {sa}")
    # Back to visible now: received again with a count of 2, then deleted.
    sqs.change_message_visibility(QueueUrl=std, ReceiptHandle=m["ReceiptHandle"],
                                  VisibilityTimeout=0)
    m2 = receive_all(std, 1, AttributeNames=["ApproximateReceiveCount"])[0]
    check(m2["MessageId"] == m["MessageId"], "ChangeMessageVisibility(0): another message came")
    check(m2["Attributes"]["ApproximateReceiveCount"] == "2", "receive count after 2 receives")
    sqs.delete_message(QueueUrl=std, ReceiptHandle=m2["ReceiptHandle"])
    r = sqs.receive_message(QueueUrl=std, WaitTimeSeconds=1)
    check(not r.get("Messages"), "a deleted message was received again")


def step_batches(std):
    entries = [{"Id": "a", "MessageBody": "batch-a"}, {"Id": "bad", "MessageBody": "x\u0000y"},
               {"Id": "c", "MessageBody": "batch-c", "DelaySeconds": 0}]
    if moto_skips("a batch entry with invalid characters fails alone"):
        del entries[1]
    r = sqs.send_message_batch(QueueUrl=std, Entries=entries)
    ok = {e["Id"]: e for e in r.get("Successful", [])}
    bad = r.get("Failed", [])
    check(sorted(ok) == ["a", "c"], f"SendMessageBatch Successful ids {sorted(ok)}")
    check(ok["a"]["MD5OfMessageBody"] == md5(b"batch-a"), "batch entry MD5OfMessageBody")
    if not MOTO:
        check(len(bad) == 1 and bad[0]["Id"] == "bad" and bad[0]["SenderFault"],
              f"SendMessageBatch Failed {bad}")
        check(bad[0]["Code"] == "InvalidMessageContents", f"Failed code {bad[0]['Code']}")
    got = receive_all(std, 2)
    check(sorted(m["Body"] for m in got) == ["batch-a", "batch-c"], "batch bodies")
    d = sqs.delete_message_batch(QueueUrl=std, Entries=[
        {"Id": "d0", "ReceiptHandle": got[0]["ReceiptHandle"]},
        {"Id": "d1", "ReceiptHandle": got[1]["ReceiptHandle"]},
        {"Id": "junk", "ReceiptHandle": "not-a-receipt-handle"}])
    check(sorted(e["Id"] for e in d.get("Successful", [])) == ["d0", "d1"], f"delete batch {d}")
    f = d.get("Failed", [])
    check(len(f) == 1 and f[0]["Id"] == "junk" and f[0]["Code"] == "ReceiptHandleIsInvalid",
          f"DeleteMessageBatch Failed {f}")


def step_attributes_purge(std):
    sqs.set_queue_attributes(QueueUrl=std, Attributes={"VisibilityTimeout": "7"})
    a = sqs.get_queue_attributes(QueueUrl=std, AttributeNames=["VisibilityTimeout"])["Attributes"]
    check(a == {"VisibilityTimeout": "7"}, f"after SetQueueAttributes: {a}")
    for i in range(3):
        sqs.send_message(QueueUrl=std, MessageBody=f"purge-{i}")
    n = sqs.get_queue_attributes(QueueUrl=std, AttributeNames=["ApproximateNumberOfMessages"])
    check(n["Attributes"]["ApproximateNumberOfMessages"] == "3", f"depth before purge {n}")
    sqs.purge_queue(QueueUrl=std)
    r = sqs.receive_message(QueueUrl=std, WaitTimeSeconds=1)
    check(not r.get("Messages"), "a purged message was received")
    n = sqs.get_queue_attributes(QueueUrl=std, AttributeNames=["ApproximateNumberOfMessages"])
    check(n["Attributes"]["ApproximateNumberOfMessages"] == "0", f"depth after purge {n}")


def step_fifo(fifo):
    for body in ("f1", "f2", "f3", "f1"):  # the second f1 is a duplicate (content-based)
        r = sqs.send_message(QueueUrl=fifo, MessageBody=body, MessageGroupId="g")
        check(MOTO or r.get("SequenceNumber"), "a FIFO send returned no SequenceNumber")
    got, deadline = [], time.monotonic() + 20
    while len(got) < 3 and time.monotonic() < deadline:
        r = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                AttributeNames=["MessageGroupId", "SequenceNumber"])
        for m in r.get("Messages", []):
            got.append(m)
            sqs.delete_message(QueueUrl=fifo, ReceiptHandle=m["ReceiptHandle"])
    check([m["Body"] for m in got] == ["f1", "f2", "f3"], f"FIFO order {[m['Body'] for m in got]}")
    check(all(m["Attributes"]["MessageGroupId"] == "g" for m in got), "MessageGroupId attribute")
    check(not sqs.receive_message(QueueUrl=fifo, WaitTimeSeconds=1).get("Messages"),
          "the deduplicated FIFO message was delivered")


def step_errors(std):
    missing = std.rsplit("/", 1)[0] + "/" + PREFIX + "-missing"
    try:
        sqs.get_queue_url(QueueName=PREFIX + "-missing")
        raise AssertionError("GetQueueUrl of a missing queue succeeded")
    except sqs.exceptions.QueueDoesNotExist:
        pass
    try:
        sqs.send_message(QueueUrl=missing, MessageBody="x")
        raise AssertionError("SendMessage to a missing queue succeeded")
    except sqs.exceptions.QueueDoesNotExist:
        pass
    code, _ = error_code(sqs.delete_message, QueueUrl=std, ReceiptHandle="garbage-receipt")
    check(code == "ReceiptHandleIsInvalid", f"garbage receipt: {code}")
    code, _ = error_code(sqs.send_message, QueueUrl=std, MessageBody="x" * (262144 + 1))
    check(code == "InvalidParameterValue", f"oversize message: {code}")
    if not moto_skips("a body with invalid characters is InvalidMessageContents"):
        code, _ = error_code(sqs.send_message, QueueUrl=std, MessageBody="bad \u0001 char")
        check(code == "InvalidMessageContents", f"invalid characters: {code}")


def step_delete(std, fifo):
    sqs.delete_queue(QueueUrl=std)
    sqs.delete_queue(QueueUrl=fifo)
    try:
        sqs.get_queue_url(QueueName=PREFIX + "-std")
        raise AssertionError("a deleted queue's URL was found")
    except sqs.exceptions.QueueDoesNotExist:
        pass
    check(not sqs.list_queues(QueueNamePrefix=PREFIX).get("QueueUrls"), "deleted queues listed")


def main():
    std, fifo = step_create()
    for name, step in (("send/receive", lambda: step_send_receive(std)),
                       ("batches", lambda: step_batches(std)),
                       ("attributes+purge", lambda: step_attributes_purge(std)),
                       ("fifo", lambda: step_fifo(fifo)),
                       ("errors", lambda: step_errors(std)),
                       ("delete", lambda: step_delete(std, fifo))):
        step()
        print(f"ok - {name}", flush=True)
    print("PASS", flush=True)


if __name__ == "__main__":
    scenario.run(main)
