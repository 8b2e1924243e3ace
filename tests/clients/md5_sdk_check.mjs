// seglog's SQS MD5s against the AWS SDK for JavaScript v3 (@aws-sdk/client-sqs, pinned by
// package-lock.json): ctest md5_sdk; SPEC.md 16, "Message identity and checksums".
//
// usage: node md5_sdk_check.mjs PATH/TO/sqs_md5_vectors
//
// What the pinned SDK checks (@aws-sdk/middleware-sdk-sqs 3.967.0 under client-sqs 3.967.0,
// dist-cjs/index.js), on by default (client option `md5` defaults to @smithy's Md5 class; only
// `md5: false` turns it off):
//   SendMessage:       MD5OfMessageBody == md5(utf8(input.MessageBody)), else
//                      Error("InvalidChecksumError")
//   SendMessageBatch:  for each Successful entry, MD5OfMessageBody == md5(utf8(that entry's
//                      MessageBody)), else Error("Invalid MD5 checksum on messages: <ids>")
//   ReceiveMessage:    for each message, MD5OfBody == md5(utf8(Body)), else the same error
// It does NOT check MD5OfMessageAttributes or MD5OfMessageSystemAttributes (unlike the Java and
// .NET SDKs); moto's check (md5_moto_check.py) covers those digests. This script reports, without
// failing, whether a tampered attribute digest is noticed, so a newer pin that starts checking
// them shows up in the log.
//
// A local node:http server speaks the SDK's protocol (AWS JSON 1.0: POST, X-Amz-Target
// AmazonSQS.<Operation>, JSON bodies) and answers with digests computed by seglog over exactly
// what the SDK sent. Exit 0 when the SDK accepts every seglog digest and rejects each tampered
// body digest; 1 otherwise; 77 (skip) when node_modules is missing.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { strict as assert } from "node:assert";

if (Number(process.versions.node.split(".")[0]) < 18) {  // the pinned SDK's engines field
  console.log(`SKIP: node ${process.versions.node} is older than the SDK's minimum, 18`);
  process.exit(77);
}
// Only the pinned copy beside this script counts, never one found further up the tree.
if (!existsSync(new URL("./node_modules/@aws-sdk/client-sqs/package.json", import.meta.url))) {
  console.log("SKIP: tests/clients/node_modules is missing (npm ci --prefix tests/clients)");
  process.exit(77);
}
const sqs = await import("@aws-sdk/client-sqs");
const { SQSClient, SendMessageCommand, SendMessageBatchCommand, ReceiveMessageCommand } = sqs;

const vectorsExe = process.argv[2];
if (!vectorsExe) {
  console.error("usage: node md5_sdk_check.mjs PATH/TO/sqs_md5_vectors");
  process.exit(2);
}

// seglog's digests for one message as the SDK sent it (JSON 1.0: BinaryValue in base64).
function seglogDigests(msg) {
  const attrs = Object.entries(msg.MessageAttributes ?? {}).map(([Name, a]) => ({ Name, ...a }));
  const c = {
    body: Buffer.from(msg.MessageBody, "utf8").toString("base64"),
    attributes: attrs,
    trace_header: msg.MessageSystemAttributes?.AWSTraceHeader?.StringValue ?? "",
  };
  const out = execFileSync(vectorsExe, { input: JSON.stringify([c]) });
  return JSON.parse(out)[0];
}

// ---- The server: an in-memory queue whose answers carry seglog's digests.
const queue = [];
let nextId = 0;
let tamper = (_op, resp) => resp;  // each test may alter a response before it is sent

function sent(msg) {
  const d = seglogDigests(msg);
  const id = `m-${nextId++}`;
  queue.push({ id, msg, d });
  const r = { MessageId: id, MD5OfMessageBody: d.md5_body };
  if (d.md5_attributes) r.MD5OfMessageAttributes = d.md5_attributes;
  if (d.md5_system_attributes) r.MD5OfMessageSystemAttributes = d.md5_system_attributes;
  return r;
}

const handlers = {
  SendMessage: (req) => sent(req),
  SendMessageBatch: (req) => ({
    Successful: req.Entries.map((e) => ({ Id: e.Id, ...sent(e) })),
    Failed: [],
  }),
  ReceiveMessage: () => ({
    Messages: queue.splice(0).map(({ id, msg, d }) => {
      const m = { MessageId: id, ReceiptHandle: `rh-${id}`, Body: msg.MessageBody, MD5OfBody: d.md5_body };
      if (d.md5_attributes) {
        m.MessageAttributes = msg.MessageAttributes;
        m.MD5OfMessageAttributes = d.md5_attributes;
      }
      return m;
    }),
  }),
};

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const op = (req.headers["x-amz-target"] ?? "").replace(/^AmazonSQS\./, "");
    const handler = handlers[op];
    const body = handler
      ? tamper(op, handler(JSON.parse(Buffer.concat(chunks).toString("utf8"))))
      : { __type: "com.amazonaws.sqs#UnsupportedOperation", message: `not served: ${op}` };
    res.writeHead(handler ? 200 : 400, { "Content-Type": "application/x-amz-json-1.0" });
    res.end(JSON.stringify(body));
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const endpoint = `http://127.0.0.1:${server.address().port}`;
const QueueUrl = `${endpoint}/000000000000/md5-check`;

function client(extra = {}) {
  return new SQSClient({
    endpoint, region: "us-east-1", maxAttempts: 1,
    credentials: { accessKeyId: "test", secretAccessKey: "test" }, ...extra,
  });
}
const sdk = client();

// ---- The messages.
const str = (DataType, StringValue) => ({ DataType, StringValue });
const bin = (DataType, bytes) => ({ DataType, BinaryValue: Uint8Array.from(bytes) });
const messages = [
  { MessageBody: "hello" },
  { MessageBody: "héllo wörld — 中文 😀📦🚀" },
  { MessageBody: "tab\tnewline\ncr\r end" },
  { MessageBody: "x".repeat(5000) },
  { MessageBody: "attrs", MessageAttributes: { City: str("String", "Any City"), Population: str("Number", "1250800") } },
  { MessageBody: "nul", MessageAttributes: { blob: bin("Binary", [0, 1, 0, 255, 0]) } },
  { MessageBody: "labels", MessageAttributes: {
      doc: str("String.json", '{"a":"é😀"}'), n: str("Number.float", "3.14"),
      img: bin("Binary.png", [0x89, 0x50, 0x4e, 0x47, 0, 13, 10]) } },
  { MessageBody: "order", MessageAttributes: {
      Zeta: str("String", "z"), alpha: str("String", "a"), _under: str("String", "u"),
      "-dash": str("Number", "-1"), Beta: str("Number.int", "42"), beta: bin("Binary", [0]),
      "0digit": str("String", "0"), ALPHA: bin("Binary.gz", [0x1f, 0x8b, 0]),
      "a.b": str("String", "dotted"), z: str("String", "last 😀") } },
  { MessageBody: "trace 😀", MessageSystemAttributes: { AWSTraceHeader: str("String",
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1") } },
];

async function rejects(promise, pattern, what) {
  await assert.rejects(promise, pattern, what);
  console.log(`ok - rejected: ${what}`);
}

// Whether the SDK notices one tampered field (reported, not asserted: see the header).
async function notices(what, op, mutate, call) {
  tamper = (o, r) => (o === op ? mutate(r) : r);
  try { await call(); console.log(`note - this SDK does not check ${what}`); }
  catch (e) { console.log(`note - this SDK checks ${what}: ${e.message}`); }
  finally { tamper = (_o, r) => r; queue.length = 0; }
}
const flip = (hex) => (hex[0] === "0" ? "1" : "0") + hex.slice(1);

try {
  // 1. seglog's digests are accepted: SendMessage, SendMessageBatch, ReceiveMessage.
  for (const m of messages) {
    const out = await sdk.send(new SendMessageCommand({ QueueUrl, ...m }));
    // The SDK sent the attributes and trace header, and seglog digested them.
    assert.equal(/^[0-9a-f]{32}$/.test(out.MD5OfMessageAttributes ?? ""), !!m.MessageAttributes);
    assert.equal(/^[0-9a-f]{32}$/.test(out.MD5OfMessageSystemAttributes ?? ""),
      !!m.MessageSystemAttributes);
  }
  const entries = messages.map((m, i) => ({ Id: `e${i}`, ...m }));
  for (let i = 0; i < entries.length; i += 10) {
    const out = await sdk.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries.slice(i, i + 10) }));
    assert.equal(out.Successful.length, Math.min(10, entries.length - i));
  }
  const got = await sdk.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.equal(got.Messages.length, 2 * messages.length);
  console.log(`ok - accepted seglog's digests for ${messages.length} messages (send, batch, receive)`);

  // 2. One altered body digest is rejected, so the check ran over seglog's digest above.
  const one = messages[1];
  tamper = (op, r) => (op === "SendMessage" ? { ...r, MD5OfMessageBody: flip(r.MD5OfMessageBody) } : r);
  await rejects(sdk.send(new SendMessageCommand({ QueueUrl, ...one })), /InvalidChecksumError/,
    "SendMessage with MD5OfMessageBody altered");
  // ... and only by the md5 option: the same answer passes with md5: false.
  await client({ md5: false }).send(new SendMessageCommand({ QueueUrl, ...one }));
  console.log("ok - accepted with md5: false (the check is the md5 option, on by default)");
  tamper = (op, r) => (op === "SendMessageBatch" ? { ...r, Successful: r.Successful.map((e, i) =>
    (i === 1 ? { ...e, MD5OfMessageBody: flip(e.MD5OfMessageBody) } : e)) } : r);
  await rejects(sdk.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries.slice(0, 3) })),
    /Invalid MD5 checksum on messages/, "SendMessageBatch with one entry's MD5OfMessageBody altered");
  tamper = (op, r) => (op === "ReceiveMessage" ? { Messages: r.Messages.map((m, i) =>
    (i === 2 ? { ...m, MD5OfBody: flip(m.MD5OfBody) } : m)) } : r);
  await rejects(sdk.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 })),
    /Invalid MD5 checksum on messages/, "ReceiveMessage with one MD5OfBody altered");
  tamper = (_o, r) => r;
  queue.length = 0;

  // 3. What this SDK leaves unchecked (reported).
  const labels = messages[6], trace = messages[8];
  await notices("MD5OfMessageAttributes on SendMessage", "SendMessage",
    (r) => ({ ...r, MD5OfMessageAttributes: flip(r.MD5OfMessageAttributes) }),
    () => sdk.send(new SendMessageCommand({ QueueUrl, ...labels })));
  await notices("MD5OfMessageSystemAttributes on SendMessage", "SendMessage",
    (r) => ({ ...r, MD5OfMessageSystemAttributes: flip(r.MD5OfMessageSystemAttributes) }),
    () => sdk.send(new SendMessageCommand({ QueueUrl, ...trace })));
  await sdk.send(new SendMessageCommand({ QueueUrl, ...labels }));
  await notices("MD5OfMessageAttributes on ReceiveMessage", "ReceiveMessage",
    (r) => ({ Messages: r.Messages.map((m) => ({ ...m, MD5OfMessageAttributes: flip(m.MD5OfMessageAttributes) })) }),
    () => sdk.send(new ReceiveMessageCommand({ QueueUrl })));
  console.log("PASS");
} catch (e) {
  console.log(`FAIL: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  server.close();
}
