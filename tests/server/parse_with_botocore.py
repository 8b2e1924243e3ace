#!/usr/bin/env python3
"""The oracle of protocol_test.cc: parses seglogd's encoded responses with botocore's own
response parsers and checks the result equals what the service answered.

  parse_with_botocore.py query|json CASES.json
  parse_with_botocore.py serialize-query OUT.json   (the request side, see serialize_query)

CASES.json: [{"protocol", "operation", "status", "headers", "body_file", "expected",
"exception"}]. Only the cases of the given protocol are checked: "query" under Debian's
/usr/bin/python3 (whose botocore still speaks SQS's Query protocol), "json" under pip's
python3 (JSON 1.0, awsQueryCompatible). Success: the parsed dict (blobs back to base64) equals
"expected". Error: Code, Message and Type equal "expected", and the client's exception factory
maps the error to the class named by "exception" (generic ClientError when "").
Exit 0 all good, 1 a mismatch (printed), 77 botocore missing or too old for the protocol.
"""
import base64
import json
import sys


def normalize(v):
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {k: normalize(x) for k, x in v.items()}
    if isinstance(v, list):
        return [normalize(x) for x in v]
    return v


# Requests botocore's Query serializer writes for the decoder to read back (protocol_test.cc
# compares its decoded input with "params", blobs as base64).
REQUESTS = [
    ("SendMessage", {"QueueUrl": "http://h/0/q", "MessageBody": "a b\r\n&=+%<>\u00e9\U0001F600",
                     "DelaySeconds": 5, "MessageDeduplicationId": "d", "MessageGroupId": "g",
                     "MessageAttributes": {
                         "s": {"DataType": "String", "StringValue": "v"},
                         "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff\x10"},
                         "n": {"DataType": "Number", "StringValue": "1.5"}},
                     "MessageSystemAttributes": {
                         "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1"}}}),
    ("SendMessageBatch", {"QueueUrl": "q", "Entries": [
        {"Id": "1", "MessageBody": "x", "DelaySeconds": 0},
        {"Id": "2", "MessageBody": "y", "MessageAttributes": {
            "k": {"DataType": "String", "StringValue": "v"}}}]}),
    ("ReceiveMessage", {"QueueUrl": "q", "AttributeNames": ["All", "SenderId"],
                        "MessageAttributeNames": [".*"], "MaxNumberOfMessages": 10,
                        "VisibilityTimeout": 30, "WaitTimeSeconds": 20,
                        "ReceiveRequestAttemptId": "r"}),
    ("ReceiveMessage", {"QueueUrl": "q", "AttributeNames": []}),
    ("DeleteMessageBatch", {"QueueUrl": "q", "Entries": [{"Id": "a", "ReceiptHandle": "r+/="}]}),
    ("ChangeMessageVisibilityBatch", {"QueueUrl": "q", "Entries": [
        {"Id": "a", "ReceiptHandle": "r", "VisibilityTimeout": 7}]}),
    ("CreateQueue", {"QueueName": "q.fifo", "Attributes": {"FifoQueue": "true", "Policy": "{}"},
                     "tags": {"team": "core", "empty": ""}}),
    ("SetQueueAttributes", {"QueueUrl": "q", "Attributes": {"VisibilityTimeout": "60"}}),
    ("GetQueueAttributes", {"QueueUrl": "q", "AttributeNames": ["All"]}),
    ("TagQueue", {"QueueUrl": "q", "Tags": {"a": "1", "b": "2"}}),
    ("UntagQueue", {"QueueUrl": "q", "TagKeys": ["a", "b"]}),
    ("ListQueues", {"QueueNamePrefix": "p", "MaxResults": 5, "NextToken": "t"}),
    ("AddPermission", {"QueueUrl": "q", "Label": "l", "AWSAccountIds": ["1", "2"],
                       "Actions": ["SendMessage"]}),
]


def serialize_query(out_path):
    from botocore.serialize import create_serializer
    from botocore.utils import percent_encode_sequence
    import botocore.session
    client = botocore.session.get_session().create_client(
        "sqs", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    model = client.meta.service_model
    if model.protocol != "query":
        return 77
    serializer = create_serializer("query")
    cases = []
    for op, params in REQUESTS:
        req = serializer.serialize_to_request(params, model.operation_model(op))
        cases.append({"operation": op, "body": percent_encode_sequence(req["body"]),
                      "params": normalize(params)})
    with open(out_path, "w") as f:
        json.dump(cases, f)
    return 0


def main():
    protocol, manifest = sys.argv[1], sys.argv[2]
    if protocol == "serialize-query":
        try:
            return serialize_query(manifest)
        except ImportError:
            return 77
    try:
        import botocore.session
        from botocore.parsers import create_parser
    except ImportError:
        print("botocore is not installed for", sys.executable)
        return 77
    session = botocore.session.get_session()
    client = session.create_client("sqs", region_name="us-east-1", aws_access_key_id="k",
                                   aws_secret_access_key="s")
    model = client.meta.service_model
    if model.protocol != protocol:
        print(f"{sys.executable}'s botocore speaks {model.protocol} for SQS, not {protocol}")
        return 77
    parser = create_parser(protocol)
    failures = 0
    with open(manifest) as f:
        cases = json.load(f)
    for case in cases:
        if case["protocol"] != protocol:
            continue
        with open(case["body_file"], "rb") as f:
            body = f.read()
        headers = {k.lower(): v for k, v in case["headers"].items()}
        op = model.operation_model(case["operation"])
        parsed = parser.parse({"body": body, "headers": headers, "status_code": case["status"]},
                              op.output_shape)
        parsed.pop("ResponseMetadata", None)
        what = f"{protocol} {case['operation']} status {case['status']}"
        if case["status"] == 200:
            got = normalize(parsed)
            if got != case["expected"]:
                print(f"MISMATCH {what}:\n  got      {got}\n  expected {case['expected']}")
                failures += 1
            continue
        err = parsed.get("Error", {})
        got = {k: err.get(k) for k in ("Code", "Message", "Type")}
        if got != case["expected"]:
            print(f"MISMATCH {what}:\n  got      {err}\n  expected {case['expected']}")
            failures += 1
        code = err.get("QueryErrorCode") or err.get("Code")
        cls = client.exceptions.from_code(code).__name__
        want = case["exception"] or "ClientError"
        if cls != want:
            print(f"EXCEPTION {what}: code {code} maps to {cls}, expected {want}")
            failures += 1
    print(f"parse_with_botocore {protocol}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
