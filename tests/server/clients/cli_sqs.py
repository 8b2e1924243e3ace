"""The SQS scenario through the AWS CLI, unchanged: pip's awscli 1.x (AWS JSON 1.0) and Debian's
awscli 2.9 (/usr/bin/aws, Query protocol). Stdlib only: it drives the CLI as a user would.

usage: python3 cli_sqs.py AWS_EXECUTABLE ENDPOINT_URL
Exit 0 when every command got AWS's answer; 1 otherwise. The CLI checks no MD5s, so this script
checks them over the CLI's JSON output.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from sqs_digests import attrs_md5, md5

AWS, ENDPOINT = sys.argv[1], sys.argv[2]
MOTO = os.environ.get("SEGLOG_CLIENTS_MOTO") == "1"
PREFIX = "cli" + uuid.uuid4().hex[:8]
TMP = tempfile.mkdtemp(prefix="cli-sqs-")


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def aws(*args, fail=False):
    """Runs `aws sqs ARGS`; returns its JSON output, or (with fail=True) its error text."""
    argv = [AWS, "--endpoint-url", ENDPOINT, "--region", "us-east-1", "--output", "json",
            "sqs"] + list(args)
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if fail:
        check(r.returncode != 0, f"`{' '.join(args[:1])}` succeeded, an error was expected")
        return r.stderr
    check(r.returncode == 0, f"`aws sqs {' '.join(args[:3])}` failed ({r.returncode}): {r.stderr}")
    return json.loads(r.stdout) if r.stdout.strip() else {}


def parallel(*calls):
    """Runs independent CLI commands at once (each is a process start); returns their results."""
    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(c) for c in calls]]


def jarg(value):
    return json.dumps(value)


def file_arg(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text)
    return "file://" + path


def receive(url, n, *extra):
    got = []
    for _ in range(20):
        if len(got) >= n:
            break
        r = aws("receive-message", "--queue-url", url, "--max-number-of-messages",
                str(min(10, n - len(got))), "--wait-time-seconds", "1", *extra)
        got += r.get("Messages", [])
    check(len(got) == n, f"received {len(got)} messages, expected {n}")
    for m in got:
        check(m["MD5OfBody"] == md5(m["Body"].encode()), f"MD5OfBody of {m['Body']!r}")
    return got


def main():
    std = aws("create-queue", "--queue-name", PREFIX + "-std", "--attributes",
              jarg({"VisibilityTimeout": "30", "MaximumMessageSize": "262144"}))["QueueUrl"]
    check(urlsplit(std).netloc == urlsplit(ENDPOINT).netloc, f"queue URL {std} not on endpoint")
    url, listed = parallel(lambda: aws("get-queue-url", "--queue-name", PREFIX + "-std"),
                           lambda: aws("list-queues", "--queue-name-prefix", PREFIX))
    check(url["QueueUrl"] == std, f"get-queue-url {url}")
    check(listed.get("QueueUrls") == [std], f"list-queues: {listed}")
    print("ok - create, url, list", flush=True)

    # A Binary value goes in as base64 text (v2's default); the digest is checked over what came
    # back, so it holds whichever way a CLI version encodes it.
    attrs = {"s": {"DataType": "String", "StringValue": "héllo"},
             "n": {"DataType": "Number", "StringValue": "42"},
             "b": {"DataType": "Binary", "BinaryValue": base64.b64encode(b"\x01\x02").decode()}}
    body = "cli body \u2603"
    sent = aws("send-message", "--queue-url", std, "--message-body", body,
               "--message-attributes", jarg(attrs))
    check(sent["MD5OfMessageBody"] == md5(body.encode()), "send-message MD5OfMessageBody")
    entries = [{"Id": "a", "MessageBody": "ba"}, {"Id": "c", "MessageBody": "bc"}]
    if not MOTO:  # moto_server applies no character checks
        entries.insert(1, {"Id": "bad", "MessageBody": "x\u0000y"})
    r = aws("send-message-batch", "--queue-url", std, "--entries", jarg(entries))
    check(sorted(e["Id"] for e in r.get("Successful", [])) == ["a", "c"], f"send batch {r}")
    if not MOTO:
        check([(e["Id"], e["Code"]) for e in r.get("Failed", [])]
              == [("bad", "InvalidMessageContents")], f"send batch Failed {r.get('Failed')}")
    got = {m["Body"]: m for m in receive(std, 3, "--message-attribute-names", "All",
                                         "--attribute-names", "ApproximateReceiveCount")}
    check(sorted(got) == sorted([body, "ba", "bc"]), f"bodies received: {sorted(got)}")
    m = got[body]
    got_attrs = m.get("MessageAttributes", {})
    check(sorted(got_attrs) == ["b", "n", "s"], f"attributes back: {got_attrs}")
    check(got_attrs["s"]["StringValue"] == "héllo" and got_attrs["n"]["StringValue"] == "42",
          f"attribute values back: {got_attrs}")
    check(m["MD5OfMessageAttributes"] == attrs_md5(got_attrs), "receive MD5OfMessageAttributes")
    check(sent["MD5OfMessageAttributes"] == m["MD5OfMessageAttributes"], "send vs receive digest")
    check(m["Attributes"]["ApproximateReceiveCount"] == "1", f"system attributes {m['Attributes']}")
    aws("delete-message", "--queue-url", std, "--receipt-handle", m["ReceiptHandle"])
    r = aws("delete-message-batch", "--queue-url", std, "--entries", jarg(
        [{"Id": "d0", "ReceiptHandle": got["ba"]["ReceiptHandle"]},
         {"Id": "d1", "ReceiptHandle": got["bc"]["ReceiptHandle"]},
         {"Id": "junk", "ReceiptHandle": "junk-receipt"}]))
    check(sorted(e["Id"] for e in r.get("Successful", [])) == ["d0", "d1"], f"delete batch {r}")
    check([(e["Id"], e["Code"]) for e in r.get("Failed", [])] == [("junk", "ReceiptHandleIsInvalid")],
          f"delete batch Failed {r.get('Failed')}")
    print("ok - send, batches, receive, attributes, delete", flush=True)

    aws("set-queue-attributes", "--queue-url", std, "--attributes", jarg({"VisibilityTimeout": "9"}))
    aws("send-message", "--queue-url", std, "--message-body", "to purge")
    aws("purge-queue", "--queue-url", std)
    a = aws("get-queue-attributes", "--queue-url", std, "--attribute-names", "VisibilityTimeout",
            "ApproximateNumberOfMessages")
    check(a["Attributes"] == {"VisibilityTimeout": "9", "ApproximateNumberOfMessages": "0"},
          f"get-queue-attributes after set and purge: {a}")
    print("ok - queue attributes, purge", flush=True)

    missing, receipt, big = parallel(
        lambda: aws("get-queue-url", "--queue-name", PREFIX + "-missing", fail=True),
        lambda: aws("delete-message", "--queue-url", std, "--receipt-handle", "garbage", fail=True),
        lambda: aws("send-message", "--queue-url", std, "--message-body",
                    file_arg("big", "x" * (262144 + 1)), fail=True))
    check("QueueDoesNotExist" in missing or "NonExistentQueue" in missing, f"missing: {missing}")
    check("ReceiptHandleIsInvalid" in receipt, f"garbage receipt: {receipt}")
    check("InvalidParameterValue" in big, f"oversize message: {big}")
    aws("delete-queue", "--queue-url", std)
    err = aws("get-queue-url", "--queue-name", PREFIX + "-std", fail=True)
    check("QueueDoesNotExist" in err or "NonExistentQueue" in err, f"deleted queue: {err}")
    print("ok - errors, delete-queue", flush=True)
    print("PASS", flush=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}", flush=True)
        sys.exit(1)
