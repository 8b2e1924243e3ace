#!/usr/bin/env python3
"""The oracle of sns_wire_test.cc for SNS's Query protocol: botocore's own serializer writes
the requests seglogd's decoder must read back, and botocore's own parser reads the responses
seglogd's encoder writes. Both pip's and Debian's botocore speak Query for SNS.

  sns_botocore_oracle.py serialize OUT.json
      OUT.json: [{"operation", "body" (form text), "params" (blobs as base64)}]
  sns_botocore_oracle.py parse CASES.json
      CASES.json: [{"operation", "status", "headers", "body_file", "expected", "exception"}]:
      success: the parsed dict equals "expected"; error: Code/Message/Type equal "expected" and
      the client's exception factory maps the code to the class "exception" names.
Exit 0 all good, 1 a mismatch (printed), 77 botocore missing.
"""
import base64
import json
import sys

REQUESTS = [
    ("CreateTopic", {"Name": "t1.fifo", "Attributes": {"FifoTopic": "true",
                                                       "DisplayName": "a b&c"},
                     "Tags": [{"Key": "team", "Value": "core"}, {"Key": "e", "Value": ""}]}),
    ("Publish", {"TopicArn": "arn:aws:sns:us-east-1:000000000000:t1", "Message": "m\r\n<&>\u00e9",
                 "Subject": "s", "MessageStructure": "json", "MessageGroupId": "g",
                 "MessageDeduplicationId": "d",
                 "MessageAttributes": {
                     "s": {"DataType": "String", "StringValue": "v"},
                     "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff\x10"},
                     "n": {"DataType": "Number", "StringValue": "1.5"},
                     "a": {"DataType": "String.Array", "StringValue": "[\"x\",1]"}}}),
    ("PublishBatch", {"TopicArn": "arn:aws:sns:us-east-1:000000000000:t1",
                      "PublishBatchRequestEntries": [
                          {"Id": "1", "Message": "x"},
                          {"Id": "2", "Message": "y", "MessageAttributes": {
                              "k": {"DataType": "String", "StringValue": "v"}}}]}),
    ("Subscribe", {"TopicArn": "arn:aws:sns:us-east-1:000000000000:t1", "Protocol": "sqs",
                   "Endpoint": "arn:aws:sqs:us-east-1:000000000000:q1",
                   "Attributes": {"RawMessageDelivery": "true",
                                  "FilterPolicy": "{\"a\": [\"b\"]}"},
                   "ReturnSubscriptionArn": True}),
    ("SetSubscriptionAttributes", {"SubscriptionArn": "arn:aws:sns:us-east-1:0:t:x",
                                   "AttributeName": "FilterPolicy", "AttributeValue": "{}"}),
    ("ListTopics", {"NextToken": "t"}),
    ("UntagResource", {"ResourceArn": "arn", "TagKeys": ["a", "b"]}),
    ("TagResource", {"ResourceArn": "arn", "Tags": [{"Key": "a", "Value": "1"}]}),
]


def normalize(v):
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {k: normalize(x) for k, x in v.items()}
    if isinstance(v, list):
        return [normalize(x) for x in v]
    return v


def client():
    import botocore.session
    return botocore.session.get_session().create_client(
        "sns", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")


def serialize(out_path):
    from botocore.serialize import create_serializer
    from botocore.utils import percent_encode_sequence
    model = client().meta.service_model
    serializer = create_serializer("query")
    cases = []
    for op, params in REQUESTS:
        req = serializer.serialize_to_request(params, model.operation_model(op))
        cases.append({"operation": op, "body": percent_encode_sequence(req["body"]),
                      "params": normalize(params)})
    with open(out_path, "w") as f:
        json.dump(cases, f)
    return 0


def parse(manifest):
    from botocore.parsers import create_parser
    c = client()
    model = c.meta.service_model
    parser = create_parser("query")
    failures = 0
    with open(manifest) as f:
        cases = json.load(f)
    for case in cases:
        with open(case["body_file"], "rb") as f:
            body = f.read()
        headers = {k.lower(): v for k, v in case["headers"].items()}
        op = model.operation_model(case["operation"])
        parsed = parser.parse({"body": body, "headers": headers, "status_code": case["status"]},
                              op.output_shape)
        parsed.pop("ResponseMetadata", None)
        what = f"{case['operation']} status {case['status']}"
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
        cls = c.exceptions.from_code(err.get("Code")).__name__
        want = case["exception"] or "ClientError"
        if cls != want:
            print(f"EXCEPTION {what}: code {err.get('Code')} maps to {cls}, expected {want}")
            failures += 1
    print(f"sns_botocore_oracle ({sys.executable}): {failures} failure(s)")
    return 1 if failures else 0


def main():
    try:
        import botocore  # noqa: F401
    except ImportError:
        print("botocore is not installed for", sys.executable)
        return 77
    mode, path = sys.argv[1], sys.argv[2]
    return serialize(path) if mode == "serialize" else parse(path)


if __name__ == "__main__":
    sys.exit(main())
