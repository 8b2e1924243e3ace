"""The SNS fan-out through the AWS CLI, unchanged: pip's awscli 1.x and Debian's awscli 2.9
(/usr/bin/aws); both speak SNS's Query protocol. create-topic, subscribe (one plain, one raw with
a filter policy), publish, list-subscriptions-by-topic, and the queues read with `aws sqs`.

usage: python3 cli_sns.py AWS_EXECUTABLE ENDPOINT_URL      Exit 0 pass, 1 fail.
"""
import json
import subprocess
import sys
import time
import uuid

AWS, ENDPOINT = sys.argv[1], sys.argv[2]
PREFIX = "clisns" + uuid.uuid4().hex[:8]


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def aws(service, *args, fail=False):
    argv = [AWS, "--endpoint-url", ENDPOINT, "--region", "us-east-1", "--output", "json",
            service] + list(args)
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if fail:
        check(r.returncode != 0, f"`{service} {args[0]}` succeeded, an error was expected")
        return r.stderr
    check(r.returncode == 0, f"`aws {service} {' '.join(args[:3])}` failed: {r.stderr}")
    return json.loads(r.stdout) if r.stdout.strip() else {}


def queue(name):
    url = aws("sqs", "create-queue", "--queue-name", name)["QueueUrl"]
    arn = aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names",
              "QueueArn")["Attributes"]["QueueArn"]
    return url, arn


def drain(url, want):
    got, deadline = [], time.monotonic() + 30
    while len(got) < want and time.monotonic() < deadline:
        r = aws("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10",
                "--wait-time-seconds", "1", "--message-attribute-names", "All")
        for m in r.get("Messages", []):
            got.append(m)
            aws("sqs", "delete-message", "--queue-url", url, "--receipt-handle",
                m["ReceiptHandle"])
    check(len(got) == want, f"{len(got)} messages in {url}, expected {want}")
    return got


def main():
    topic = aws("sns", "create-topic", "--name", PREFIX)["TopicArn"]
    check(topic.endswith(":" + PREFIX), topic)
    (u1, a1), (u2, a2) = queue(PREFIX + "-env"), queue(PREFIX + "-raw")
    aws("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint",
        a1)
    aws("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint",
        a2, "--attributes", json.dumps({"RawMessageDelivery": "true",
                                        "FilterPolicy": json.dumps({"kind": ["a"]})}))
    subs = aws("sns", "list-subscriptions-by-topic", "--topic-arn", topic)["Subscriptions"]
    check(sorted(s["Endpoint"] for s in subs) == sorted([a1, a2]), subs)
    ids = {}
    for kind in ("a", "b"):
        r = aws("sns", "publish", "--topic-arn", topic, "--message", "hello " + kind,
                "--message-attributes",
                json.dumps({"kind": {"DataType": "String", "StringValue": kind}}))
        ids["hello " + kind] = r["MessageId"]
    envs = [json.loads(m["Body"]) for m in drain(u1, 2)]
    check(sorted((e["Message"], e["MessageId"]) for e in envs) == sorted(ids.items()), envs)
    check(all(e["Type"] == "Notification" and e["TopicArn"] == topic for e in envs), envs)
    raw = drain(u2, 1)
    check(raw[0]["Body"] == "hello a", raw)
    check(raw[0]["MessageAttributes"]["kind"]["StringValue"] == "a", raw)
    err = aws("sns", "publish", "--topic-arn", topic + "-missing", "--message", "x", fail=True)
    check("NotFound" in err, err)
    aws("sns", "delete-topic", "--topic-arn", topic)
    print("cli sns: ok")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}", flush=True)
        sys.exit(1)
