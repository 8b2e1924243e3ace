// Issue 14's SQS tags and message move tasks through the AWS SDK for JavaScript v3
// (@aws-sdk/client-sqs, AWS JSON 1.0), unchanged, pinned by tests/clients/package-lock.json:
// CreateQueue's tags, TagQueue, UntagQueue, ListQueueTags; a dead-letter queue filled by
// receives, StartMessageMoveTask, ListMessageMoveTasks until COMPLETED, a slow task cancelled
// with CancelMessageMoveTask, and the SDK's typed ResourceNotFoundException.
//
// usage: node sqs_v3_scenario.mjs ENDPOINT_URL      exit 0 pass, 1 fail, 77 skip (no SDK)
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { loadSdk } from "./sdk.mjs";

const sdk = await loadSdk("client-sqs");
const {
  SQSClient, CreateQueueCommand, TagQueueCommand, UntagQueueCommand, ListQueueTagsCommand,
  GetQueueAttributesCommand, SetQueueAttributesCommand, SendMessageCommand,
  ReceiveMessageCommand, DeleteQueueCommand, StartMessageMoveTaskCommand,
  ListMessageMoveTasksCommand, CancelMessageMoveTaskCommand, ResourceNotFoundException,
} = sdk;

const endpoint = process.argv[2];
const sqs = new SQSClient({ endpoint, region: "us-east-1", maxAttempts: 1 });
const prefix = "nv3" + randomUUID().slice(0, 8);
const send = (C, input) => sqs.send(new C(input));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function attr(url, name) {
  const r = await send(GetQueueAttributesCommand, { QueueUrl: url, AttributeNames: [name] });
  return r.Attributes?.[name];
}

async function waitUntil(what, fn, timeoutMs = 90000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v) return v;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function tags() {
  const { QueueUrl: url } = await send(CreateQueueCommand,
    { QueueName: prefix + "-tags", tags: { team: "a", env: "dev" } });
  assert.deepEqual((await send(ListQueueTagsCommand, { QueueUrl: url })).Tags, { team: "a", env: "dev" });
  await send(TagQueueCommand, { QueueUrl: url, Tags: { team: "b", cost: "1" } });
  assert.deepEqual((await send(ListQueueTagsCommand, { QueueUrl: url })).Tags,
    { team: "b", env: "dev", cost: "1" });
  await send(UntagQueueCommand, { QueueUrl: url, TagKeys: ["env", "team", "cost"] });
  const none = (await send(ListQueueTagsCommand, { QueueUrl: url })).Tags;
  assert.ok(none === undefined || Object.keys(none).length === 0, `tags left: ${JSON.stringify(none)}`);
  await send(DeleteQueueCommand, { QueueUrl: url });
}

// n messages sent to src and received until they all went to its dead-letter queue.
async function fillDlq(src, dlq, n, want) {
  for (let i = 0; i < n; i++) await send(SendMessageCommand, { QueueUrl: src, MessageBody: `m${i}` });
  for (let round = 0; round < 3; round++) {
    for (let k = 0; k < n / 10 + 2; k++) {
      await send(ReceiveMessageCommand,
        { QueueUrl: src, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 });
    }
  }
  await waitUntil(`${want} messages in the DLQ`,
    async () => (await attr(dlq, "ApproximateNumberOfMessages")) === String(want));
}

async function newestTask(sourceArn) {
  const r = await send(ListMessageMoveTasksCommand, { SourceArn: sourceArn });
  return r.Results?.[0];
}

async function moveTasks() {
  const { QueueUrl: dlq } = await send(CreateQueueCommand, { QueueName: prefix + "-dlq" });
  const dlqArn = await attr(dlq, "QueueArn");
  const { QueueUrl: src } = await send(CreateQueueCommand, {
    QueueName: prefix + "-src",
    Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) },
  });
  await fillDlq(src, dlq, 4, 4);
  const { TaskHandle } = await send(StartMessageMoveTaskCommand, { SourceArn: dlqArn });
  assert.ok(TaskHandle, "no TaskHandle");
  const done = await waitUntil("the move task to end", async () => {
    const t = await newestTask(dlqArn);
    return t && t.Status !== "RUNNING" && t.Status !== "CANCELLING" && t;
  });
  assert.equal(done.Status, "COMPLETED");
  assert.equal(done.ApproximateNumberOfMessagesMoved, 4);
  assert.equal(done.SourceArn, dlqArn);
  assert.equal(done.TaskHandle, undefined);
  assert.equal(typeof done.StartedTimestamp, "number");
  assert.equal(await attr(src, "ApproximateNumberOfMessages"), "4");

  await fillDlq(src, dlq, 6, 10);  // the 4 moved back plus 6 new
  const slow = await send(StartMessageMoveTaskCommand,
    { SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 1 });
  const running = await newestTask(dlqArn);
  assert.equal(running.Status, "RUNNING");
  assert.equal(running.TaskHandle, slow.TaskHandle);
  assert.equal(running.MaxNumberOfMessagesPerSecond, 1);
  const { ApproximateNumberOfMessagesMoved: moved } =
    await send(CancelMessageMoveTaskCommand, { TaskHandle: slow.TaskHandle });
  assert.ok(moved < 10, `cancelled after ${moved} moves`);
  await waitUntil("the cancel", async () => (await newestTask(dlqArn))?.Status === "CANCELLED");
  await assert.rejects(send(CancelMessageMoveTaskCommand, { TaskHandle: slow.TaskHandle }),
    (e) => e instanceof ResourceNotFoundException);
  await assert.rejects(send(ListMessageMoveTasksCommand, { SourceArn: dlqArn + "-missing" }),
    (e) => e instanceof ResourceNotFoundException);
  await send(SetQueueAttributesCommand, { QueueUrl: src, Attributes: { RedrivePolicy: "" } });
  await send(DeleteQueueCommand, { QueueUrl: src });
  await send(DeleteQueueCommand, { QueueUrl: dlq });
}

await tags();
console.log("ok - tags");
await moveTasks();
console.log("ok - message move tasks");
console.log("PASS");
