"""SQS's message digests as the client tests check them (SPEC.md 16.7), shared by the boto3
scenario and the CLI scenario. Stdlib only; runs under pip's and Debian's python3."""
import base64
import hashlib
import struct


def md5(data):
    return hashlib.md5(data).hexdigest()


def attrs_md5(attrs):
    """MD5OfMessageAttributes: names sorted, each name/type/value length-prefixed. A
    BinaryValue may be bytes (boto3) or base64 text (the AWS CLI's JSON output)."""
    out = b""
    for name in sorted(attrs):
        a = attrs[name]
        kind = a["DataType"].encode()
        out += struct.pack(">I", len(name.encode())) + name.encode()
        out += struct.pack(">I", len(kind)) + kind
        if "BinaryValue" in a:
            v = a["BinaryValue"]
            if isinstance(v, str):
                v = base64.b64decode(v)
            out += b"\x02" + struct.pack(">I", len(v)) + v
        else:
            v = a["StringValue"].encode()
            out += b"\x01" + struct.pack(">I", len(v)) + v
    return md5(out)
