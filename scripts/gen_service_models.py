#!/usr/bin/env python3
"""Writes server/protocol/sqs_model.inc and sns_model.inc: the compact Query-protocol service
models seglogd's codecs use.

Run by hand (the output is committed):   python3 scripts/gen_service_models.py [sqs|sns ...]

Sources:
  NEW  pip botocore's model (SQS: JSON protocol; SNS: still Query): every current operation,
       shape and member name. Loaded with botocore.loaders in this interpreter.
  OLD  Debian's botocore model (Query protocol):
       /usr/lib/python3/dist-packages/botocore/data/<svc>/<version>/service-2.json, read as a
       plain file. For SQS it has the Query traits the newer model dropped: resultWrapper,
       locationName, and each error's legacy code / HTTP status / senderFault. SNS's NEW
       model keeps them, so OLD changes nothing there but is checked the same way.

Merge (what falls back to what):
  * operations, shapes, members, types, required: NEW.
  * resultWrapper: OLD's for the operation, else NEW's (SNS); else "<Op>Result" (the
    convention every OLD operation follows).
  * locationName / flattened of a member, list member, map key or value: OLD's where OLD has
    the same shape (and member); else NEW's traits (flattened survives there, locationName
    mostly not), else the member's own name / botocore's defaults ("member", "key", "value").
  * errors: every NEW shape with "exception": OLD's error trait (code, httpStatusCode,
    senderFault) when OLD has one, else NEW's (SNS); else the shape name itself, 400, Sender
    (this is what SQS answers for errors newer than the Query model, e.g.
    ReceiptHandleIsInvalid).

Output schema (keys kept short; "n" = the serialized (XML / query) name, "f" = flattened):
  {"meta": {"ns": xmlNamespace, "version": apiVersion, "target": targetPrefix},
   "ops": {Op: {"in": shape|null, "out": shape|null, "wrap": resultWrapper|null}},
   "shapes": {Name: {"t": type, ["m": {Member: REF}, "req": [..]] | ["e": REF] |
                     ["k": REF, "v": REF]}},
   "errors": {ShapeName: {"code": legacy, "status": int, "sender": bool}}}
  REF = {"s": shape, "n": name (effective: member-ref locationName, else the target shape's
         own locationName, else omitted), "f": true when the referenced list/map is
         flattened (ref trait or shape trait)}
"""
import json
import os
import sys

SERVICES = {  # name: (API version, output file)
    "sqs": ("2012-11-05", "sqs_model.inc"),
    "sns": ("2010-03-31", "sns_model.inc"),
}
OLD_DIR = "/usr/lib/python3/dist-packages/botocore/data"
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server", "protocol")
CHUNK = 8000  # bytes per raw string literal piece (compilers cap single literals)


def load_new(service):
    import botocore.loaders
    return botocore.loaders.Loader().load_service_model(service, "service-2")


def ref(r, shapes_new, old_r=None, old_shapes=None):
    """The effective serialization of one shape reference."""
    target = r["shape"]
    out = {"s": target}
    src = old_r if old_r is not None else r
    tshape = (old_shapes or {}).get(old_r["shape"]) if old_r is not None else None
    if tshape is None:
        tshape = shapes_new.get(target, {})
    name = src.get("locationName") or tshape.get("locationName")
    if name:
        out["n"] = name
    if src.get("flattened") or tshape.get("flattened") or r.get("flattened"):
        out["f"] = True
    return out


def shape_entry(name, s, new, old, fallbacks):
    old_s = old["shapes"].get(name)
    if old_s is not None and old_s.get("type") != s["type"]:
        old_s = None
    t = s["type"]
    e = {"t": t}
    if t == "structure":
        members = {}
        for mname, mref in s.get("members", {}).items():
            old_m = (old_s or {}).get("members", {}).get(mname)
            if old_s is not None and old_m is None:
                fallbacks.append(f"member {name}.{mname}: NEW traits")
            members[mname] = ref(mref, new["shapes"], old_m, old["shapes"])
        e["m"] = members
        if s.get("required"):
            e["req"] = s["required"]
    elif t == "list":
        e["e"] = ref(s["member"], new["shapes"], (old_s or {}).get("member"), old["shapes"])
    elif t == "map":
        e["k"] = ref(s["key"], new["shapes"], (old_s or {}).get("key"), old["shapes"])
        e["v"] = ref(s["value"], new["shapes"], (old_s or {}).get("value"), old["shapes"])
    if old_s is None and t in ("structure", "list", "map"):
        fallbacks.append(f"shape {name}: NEW traits only")
    if t in ("list", "map") and ((old_s or s).get("flattened")):
        e["f"] = True
    return e


def build(service):
    new = load_new(service)
    with open(os.path.join(OLD_DIR, service, SERVICES[service][0], "service-2.json")) as f:
        old = json.load(f)
    fallbacks = []
    ops = {}
    for op, o in sorted(new["operations"].items()):
        old_o = old["operations"].get(op)
        wrap = ((old_o or {}).get("output", {}).get("resultWrapper")
                or o.get("output", {}).get("resultWrapper"))
        if old_o is None and not wrap:
            fallbacks.append(f"operation {op}: resultWrapper {op}Result by convention")
            wrap = op + "Result"
        ops[op] = {"in": o.get("input", {}).get("shape"), "out": o.get("output", {}).get("shape"),
                   "wrap": wrap if o.get("output") else None}
    shapes = {n: shape_entry(n, s, new, old, fallbacks) for n, s in sorted(new["shapes"].items())
              if not s.get("exception")}
    errors = {}
    for n, s in sorted(new["shapes"].items()):
        if not s.get("exception"):
            continue
        trait = old["shapes"].get(n, {}).get("error") or s.get("error")
        if trait:
            errors[n] = {"code": trait["code"], "status": trait.get("httpStatusCode", 400),
                         "sender": bool(trait.get("senderFault", True))}
        else:
            fallbacks.append(f"error {n}: code = shape name, 400, Sender")
            errors[n] = {"code": n, "status": 400, "sender": True}
    meta = {"ns": old["metadata"]["xmlNamespace"], "version": new["metadata"]["apiVersion"],
            "target": new["metadata"].get("targetPrefix", "")}
    return {"meta": meta, "ops": ops, "shapes": shapes, "errors": errors}, fallbacks


def main():
    for service in sys.argv[1:] or sorted(SERVICES):
        write(service)


def write(service):
    model, fallbacks = build(service)
    out_path = os.path.join(OUT_DIR, SERVICES[service][1])
    text = json.dumps(model, separators=(",", ":"), sort_keys=True)
    assert ")json\"" not in text
    pieces = [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)]
    with open(out_path, "w") as f:
        f.write(f"// Generated by scripts/gen_service_models.py from botocore's {service.upper()}"
                " models; do not\n"
                "// edit. Fallbacks taken (NEW = pip botocore's model, OLD = Debian's Query"
                " model):\n")
        for line in fallbacks:
            f.write(f"//   {line}\n")
        f.write("// Adjacent raw string literals, concatenated by the compiler.\n")
        for p in pieces:
            f.write('R"json(' + p + ')json"\n')
    print(f"wrote {out_path}: {len(text)} bytes, {len(pieces)} pieces, "
          f"{len(fallbacks)} fallbacks", file=sys.stderr)


if __name__ == "__main__":
    main()
