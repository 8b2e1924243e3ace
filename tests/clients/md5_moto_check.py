#!/usr/bin/env python3
"""seglog's SQS MD5s against moto's (ctest md5_moto; SPEC.md 16, "Message identity and
checksums").

usage: md5_moto_check.py PATH/TO/sqs_md5_vectors

Generates varied messages (unicode and emoji bodies and values, NUL and 0xff bytes in binary
values, custom type labels, ten attributes, names whose byte order differs from their
case-insensitive order, random cases), has seglog compute MD5OfMessageBody,
MD5OfMessageAttributes and MD5OfMessageSystemAttributes (tests/sqs_md5_vectors.cc), and
compares them with moto.sqs.models.Message.body_md5 and .attribute_md5. moto has no
system-attribute digest; SQS defines it as the attribute digest over the one attribute
AWSTraceHeader (String), so it is compared with moto's attribute_md5 over that attribute.

Exit 0 when all agree, 1 on any difference (each printed), 77 (skip) without moto.
"""
import base64
import json
import random
import subprocess
import sys

try:
    from moto.sqs.models import Message
except ImportError:
    print("SKIP: moto is not installed (pip install 'moto[sqs]')")
    sys.exit(77)

# Characters for generated text: ASCII, Latin-1, CJK, emoji (4-byte UTF-8), tab/newline/CR.
TEXT_CHARS = list("abcXYZ019 -_.,;:{}\"'\\/") + ["\t", "\n", "\r", "é", "ß", "Ж", "中", "文",
                                                   "😀", "📦", "🚀", "\u00a0", "\ufffd"]
NAME_CHARS = "abcxyzABCXYZ0189_-."  # moto's and SQS's attribute name alphabet


def text(rng, n):
    return "".join(rng.choice(TEXT_CHARS) for _ in range(n))


def name(rng):
    # SQS forbids a leading or trailing period; keep names valid for both.
    core = "".join(rng.choice(NAME_CHARS) for _ in range(rng.randint(1, 12)))
    return (core.strip(".") or "n") + rng.choice("aZ9_-")


def attr(data_type, value):
    """One attribute: value is str for String/Number, bytes for Binary."""
    if isinstance(value, bytes):
        return {"Name": None, "DataType": data_type, "BinaryValue": value}
    return {"Name": None, "DataType": data_type, "StringValue": value}


def named(pairs):
    out = []
    for n, a in pairs:
        a = dict(a)
        a["Name"] = n
        out.append(a)
    return out


def fixed_cases():
    ten = named([
        ("Zeta", attr("String", "z")), ("alpha", attr("String", "a")),
        ("_under", attr("String", "u")), ("-dash", attr("Number", "-1")),
        ("Beta", attr("Number.int", "42")), ("beta", attr("Binary", b"\x00")),
        ("0digit", attr("String.json", '{"k":[1,2]}')), ("ALPHA", attr("Binary.gz", b"\x1f\x8b\x00")),
        ("a.b", attr("String", "dotted")), ("z", attr("String", "last")),
    ])
    return [
        {"body": "hello"},
        {"body": "héllo wörld — 中文 😀📦🚀"},
        {"body": "tab\tnewline\ncr\r end"},
        {"body": "x" * 5000},
        {"body": "attrs", "attributes": named([("City", attr("String", "Any City"))])},
        {"body": "number", "attributes": named([("Population", attr("Number", "1250800"))])},
        {"body": "nul", "attributes": named([("blob", attr("Binary", b"\x00\x01\x00\xff\x00"))])},
        {"body": "labels", "attributes": named([
            ("doc", attr("String.json", '{"a":"é😀"}')), ("n", attr("Number.float", "3.14")),
            ("img", attr("Binary.png", b"\x89PNG\r\n\x1a\n\x00")),
        ])},
        {"body": "emoji value", "attributes": named([("e", attr("String", "😀 ok 中"))])},
        {"body": "ten", "attributes": ten},
        {"body": "trace", "trace_header":
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"},
        {"body": "both", "trace_header": "Root=1-0-0;Sampled=0",
         "attributes": named([("k", attr("String", "v"))])},
    ]


def random_case(rng):
    pairs = {}
    for _ in range(rng.randint(0, 10)):
        kind = rng.choice(["String", "Number", "Binary"])
        label = rng.choice(["", "", ".json", ".x-y_z", ".é"])
        if kind == "Binary":
            value = bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
        elif kind == "Number":
            value = str(rng.randint(-10**12, 10**12))
        else:
            value = text(rng, rng.randint(1, 30))
        pairs[name(rng)] = attr(kind + label, value)
    case = {"body": text(rng, rng.randint(1, 200)), "attributes": named(pairs.items())}
    if rng.random() < 0.3:
        case["trace_header"] = "Root=1-%08x-%024x;Sampled=1" % (rng.getrandbits(32),
                                                                 rng.getrandbits(96))
    return case


def to_wire(case):
    """The case as sqs_md5_vectors reads it: bytes in base64."""
    attrs = []
    for a in case.get("attributes", []):
        w = {"Name": a["Name"], "DataType": a["DataType"]}
        if "BinaryValue" in a:
            w["BinaryValue"] = base64.b64encode(a["BinaryValue"]).decode()
        else:
            w["StringValue"] = a["StringValue"]
        attrs.append(w)
    out = {"body": base64.b64encode(case["body"].encode("utf-8")).decode(), "attributes": attrs}
    if case.get("trace_header"):
        out["trace_header"] = case["trace_header"]
    return out


def moto_attribute_md5(attrs):
    if not attrs:
        return ""  # SQS omits the field; moto would hash nothing
    m = Message("id", "")
    for a in attrs:
        m.message_attributes[a["Name"]] = {k: v for k, v in a.items() if k != "Name"}
    return m.attribute_md5


def moto_digests(case):
    trace = case.get("trace_header", "")
    return {
        "md5_body": Message("id", case["body"]).body_md5,
        "md5_attributes": moto_attribute_md5(case.get("attributes", [])),
        "md5_system_attributes": moto_attribute_md5(
            [{"Name": "AWSTraceHeader", "DataType": "String", "StringValue": trace}]
        ) if trace else "",
    }


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    rng = random.Random(12)
    cases = fixed_cases() + [random_case(rng) for _ in range(300)]
    run = subprocess.run([sys.argv[1]], input=json.dumps([to_wire(c) for c in cases]),
                         capture_output=True, text=True, check=True)
    seglog = json.loads(run.stdout)
    assert len(seglog) == len(cases), "sqs_md5_vectors returned %d results" % len(seglog)
    failures = 0
    for i, (case, got) in enumerate(zip(cases, seglog)):
        want = moto_digests(case)
        for field, value in want.items():
            if got[field] != value:
                failures += 1
                print("case %d %s: seglog %r, moto %r\n  %r" % (i, field, got[field], value, case))
    print("%d cases, %d attributes, %d differences" % (
        len(cases), sum(len(c.get("attributes", [])) for c in cases), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
