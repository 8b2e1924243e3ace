// The SQS scenario through the AWS SDK for JavaScript v3 (@aws-sdk/client-sqs, AWS JSON 1.0),
// unchanged, pinned by tests/clients/package-lock.json. The SDK checks MD5OfBody /
// MD5OfMessageBody itself (its default); this script checks MD5OfMessageAttributes.
//
// usage: node sqs_scenario.mjs ENDPOINT_URL      exit 0 pass, 1 fail, 77 skip (no SDK)
import { strict as assert } from "node:assert";
import { createHash, randomUUID } from "node:crypto";
import { loadSdk } from "./sdk.mjs";

const sqsSdk = await loadSdk("client-sqs");
const {
  SQSClient, CreateQueueCommand, GetQueueUrlCommand, ListQueuesCommand, SendMessageCommand,
  ReceiveMessageCommand, DeleteMessageCommand, SendMessageBatchCommand,
  DeleteMessageBatchCommand, ChangeMessageVisibilityCommand, GetQueueAttributesCommand,
  SetQueueAttributesCommand, PurgeQueueCommand, DeleteQueueCommand, QueueDoesNotExist,
  ReceiptHandleIsInvalid,
} = sqsSdk;

const endpoint = process.argv[2];
const moto = process.env.SEGLOG_CLIENTS_MOTO === "1";
const sqs = new SQSClient({ endpoint, region: "us-east-1", maxAttempts: 1 });
const prefix = "node" + randomUUID().slice(0, 8);
const send = (C, input) => sqs.send(new C(input));

function attrsMd5(attrs) {
  const parts = [];
  const len = (b) => { const x = Buffer.alloc(4); x.writeUInt32BE(b.length); return x; };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name];
    const n = Buffer.from(name), t = Buffer.from(a.DataType);
    parts.push(len(n), n, len(t), t);
    const v = a.BinaryValue !== undefined ? Buffer.from(a.BinaryValue) : Buffer.from(a.StringValue);
    parts.push(Buffer.from([a.BinaryValue !== undefined ? 2 : 1]), len(v), v);
  }
  return createHash("md5").update(Buffer.concat(parts)).digest("hex");
}

async function receive(url, n, extra = {}) {
  const got = [];
  for (let i = 0; i < 20 && got.length < n; i++) {
    const r = await send(ReceiveMessageCommand, {
      QueueUrl: url, MaxNumberOfMessages: Math.min(10, n - got.length), WaitTimeSeconds: 1, ...extra,
    });
    got.push(...(r.Messages ?? []));
  }
  assert.equal(got.length, n, `received ${got.length} messages, expected ${n}`);
  return got;
}

async function expectError(promise, check, what) {
  try {
    await promise;
  } catch (e) {
    assert.ok(check(e), `${what}: got ${e.name} (${e.message})`);
    return e;
  }
  assert.fail(`${what}: the call succeeded`);
}

const std = (await send(CreateQueueCommand, {
  QueueName: `${prefix}-std`, Attributes: { VisibilityTimeout: "30", MaximumMessageSize: "262144" },
})).QueueUrl;
const fifo = (await send(CreateQueueCommand, {
  QueueName: `${prefix}-q.fifo`, Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" },
})).QueueUrl;
assert.equal(new URL(std).host, new URL(endpoint).host, `queue URL ${std} is not on the endpoint`);
assert.equal((await send(GetQueueUrlCommand, { QueueName: `${prefix}-std` })).QueueUrl, std);
const listed = (await send(ListQueuesCommand, { QueueNamePrefix: prefix })).QueueUrls ?? [];
assert.deepEqual(listed.sort(), [std, fifo].sort(), "ListQueues with the prefix");
console.log("ok - create, url, list");

const attrs = {
  s: { DataType: "String", StringValue: "héllo" },
  n: { DataType: "Number", StringValue: "3.25" },
  b: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 254, 255]) },
};
const body = "node body \u2603";
const sent = await send(SendMessageCommand, {
  QueueUrl: std, MessageBody: body, MessageAttributes: attrs,
  MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-abc" } },
});
assert.equal(sent.MD5OfMessageAttributes, attrsMd5(attrs), "SendMessage's MD5OfMessageAttributes");
let [m] = await receive(std, 1, {
  MessageAttributeNames: ["All"],
  MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp", "AWSTraceHeader"],
});
assert.equal(m.Body, body);
assert.equal(m.MessageId, sent.MessageId);
assert.equal(m.MD5OfMessageAttributes, attrsMd5(attrs), "ReceiveMessage's MD5OfMessageAttributes");
assert.equal(m.MessageAttributes.s.StringValue, "héllo");
assert.equal(m.MessageAttributes.n.StringValue, "3.25");
assert.deepEqual([...m.MessageAttributes.b.BinaryValue], [0, 1, 254, 255], "Binary attribute back");
assert.equal(m.Attributes.ApproximateReceiveCount, "1");
assert.equal(m.Attributes.AWSTraceHeader, "Root=1-abc");
assert.match(m.Attributes.SentTimestamp, /^\d+$/);
await send(ChangeMessageVisibilityCommand, { QueueUrl: std, ReceiptHandle: m.ReceiptHandle,
                                             VisibilityTimeout: 0 });
[m] = await receive(std, 1, { MessageSystemAttributeNames: ["ApproximateReceiveCount"] });
assert.equal(m.Attributes.ApproximateReceiveCount, "2", "receive count after visibility 0");
await send(DeleteMessageCommand, { QueueUrl: std, ReceiptHandle: m.ReceiptHandle });
console.log("ok - send, receive, attributes, change visibility, delete");

const entries = [{ Id: "a", MessageBody: "ba" }, { Id: "c", MessageBody: "bc" }];
if (!moto) entries.splice(1, 0, { Id: "bad", MessageBody: "x\u0000y" });  // moto: no char checks
const sb = await send(SendMessageBatchCommand, { QueueUrl: std, Entries: entries });
assert.deepEqual((sb.Successful ?? []).map((e) => e.Id).sort(), ["a", "c"], "send batch Successful");
if (!moto) {
  assert.deepEqual((sb.Failed ?? []).map((e) => [e.Id, e.Code, e.SenderFault]),
                   [["bad", "InvalidMessageContents", true]], "send batch Failed");
}
const got = await receive(std, 2);
assert.deepEqual(got.map((x) => x.Body).sort(), ["ba", "bc"]);
const db = await send(DeleteMessageBatchCommand, { QueueUrl: std, Entries: [
  ...got.map((x, i) => ({ Id: `d${i}`, ReceiptHandle: x.ReceiptHandle })),
  { Id: "junk", ReceiptHandle: "junk-receipt" }] });
assert.deepEqual((db.Successful ?? []).map((e) => e.Id).sort(), ["d0", "d1"]);
assert.deepEqual((db.Failed ?? []).map((e) => [e.Id, e.Code]), [["junk", "ReceiptHandleIsInvalid"]]);
console.log("ok - batches");

await send(SetQueueAttributesCommand, { QueueUrl: std, Attributes: { VisibilityTimeout: "11" } });
await send(SendMessageCommand, { QueueUrl: std, MessageBody: "to purge" });
await send(PurgeQueueCommand, { QueueUrl: std });
const qa = await send(GetQueueAttributesCommand, {
  QueueUrl: std, AttributeNames: ["VisibilityTimeout", "ApproximateNumberOfMessages"] });
assert.deepEqual(qa.Attributes, { VisibilityTimeout: "11", ApproximateNumberOfMessages: "0" });
for (const b of ["f1", "f2", "f3"]) {
  await send(SendMessageCommand, { QueueUrl: fifo, MessageBody: b, MessageGroupId: "g" });
}
const fm = await receive(fifo, 3, { MessageSystemAttributeNames: ["MessageGroupId"] });
assert.deepEqual(fm.map((x) => x.Body), ["f1", "f2", "f3"], "FIFO order");
console.log("ok - queue attributes, purge, fifo");

await expectError(send(GetQueueUrlCommand, { QueueName: `${prefix}-missing` }),
                  (e) => e instanceof QueueDoesNotExist, "GetQueueUrl of a missing queue");
await expectError(send(DeleteMessageCommand, { QueueUrl: std, ReceiptHandle: "garbage" }),
                  (e) => e instanceof ReceiptHandleIsInvalid, "DeleteMessage with a garbage receipt");
await expectError(send(SendMessageCommand, { QueueUrl: std, MessageBody: "x".repeat(262145) }),
                  (e) => e.name === "InvalidParameterValue", "an oversize message");
await send(DeleteQueueCommand, { QueueUrl: std });
await send(DeleteQueueCommand, { QueueUrl: fifo });
await expectError(send(SendMessageCommand, { QueueUrl: std, MessageBody: "x" }),
                  (e) => e instanceof QueueDoesNotExist, "SendMessage to a deleted queue");
console.log("ok - errors, delete queue");
console.log("PASS");
